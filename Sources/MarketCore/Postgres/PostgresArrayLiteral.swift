extension UnitOfWork {
    /// `{"a","b"}`: a text[] literal bound as one parameter. `package`: the simulation's seeders
    /// (MarketSimulation) build their gift lists with it too.
    package static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    /// `{1,2,3}`: a bigint[] literal bound as one text parameter.
    static func bigintArray(_ ids: [Int64]) -> String {
        "{" + ids.map(String.init).joined(separator: ",") + "}"
    }
}
