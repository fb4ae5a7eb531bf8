extension UnitOfWork {
    /// `{"a","b"}`: a text[] literal bound as one parameter. `package`: the simulation's seeders
    /// (MarketSimulation) build their gift lists with it too.
    package static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\\\", with: "\\\\\\\\").replacingOccurrences(of: "\"", with: "\\\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
