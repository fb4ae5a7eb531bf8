/// Measures our side and the reference tool in alternating rounds (ours, reference, ours, …).
///
/// On a shared machine the speed drifts by tens of percent from one minute to the next; measured
/// one after the other, a slow stretch would weigh on one side of the ratio only. Alternating
/// spreads it over both. Each side's figure is the mean of its rounds.
struct AlternatingRounds {
    let rounds: Int

    /// Runs `ours` and `reference` `rounds` times each, alternating, printing every round, and
    /// returns the mean of each side.
    func measure(ours: (_ round: Int) async throws -> Double,
                 reference: (_ round: Int) async throws -> Double) async throws -> (ours: Double, reference: Double) {
        var oursTotal = 0.0
        var referenceTotal = 0.0
        for round in 1...rounds {
            let our = try await ours(round)
            let theirs = try await reference(round)
            print(String(format: "round %d of %d: ours %.0f/s, reference %.0f/s, ratio %.3f",
                         round, rounds, our, theirs, our / max(theirs, 1)))
            oursTotal += our
            referenceTotal += theirs
        }
        return (oursTotal / Double(rounds), referenceTotal / Double(rounds))
    }
}
