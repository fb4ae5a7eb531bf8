/// The market's fees, in integer nanoTON and basis points.
public struct MarketRules: Sendable, Equatable {
    /// Commission on sales (NFT buy, offer accept, auction settle, channel buy), in basis points.
    public var saleCommissionBasisPoints: Int64
    /// Fixed fee the proposer pays when a trade proposal is accepted.
    public var tradeFee: Int64

    public init(saleCommissionBasisPoints: Int64 = 500, tradeFee: Int64 = 50_000_000) {
        self.saleCommissionBasisPoints = saleCommissionBasisPoints
        self.tradeFee = tradeFee
    }

    public static let `default` = MarketRules()

    /// The platform's share of a sale at `price`, rounded down.
    public func commission(on price: Int64) -> Int64 {
        price.multipliedReportingOverflow(by: saleCommissionBasisPoints).overflow
            ? price / 10_000 * saleCommissionBasisPoints
            : price * saleCommissionBasisPoints / 10_000
    }
}

/// nanoTON amounts as people read them.
public enum TON {
    /// 1 TON in nanoTON.
    public static let nano: Int64 = 1_000_000_000

    /// `1.5 TON`, `0.000000001 TON`: exact, no floating point.
    public static func format(_ amount: Int64) -> String {
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        let whole = magnitude / UInt64(nano)
        var fraction = String(magnitude % UInt64(nano))
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(sign)\(whole)\(fraction.isEmpty ? "" : "." + fraction) TON"
    }
}
