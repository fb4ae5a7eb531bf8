/// The distributed lock keys of the market's operations: their one definition, read by the
/// operations themselves and by the plans of operator actions (``Market/plan(_:)``). Operations
/// that touch the same rows share a key, so they queue on Redis instead of on row locks.
public enum OperationLockKeys {
    /// Bids, settling, cancelling and withdrawing an auction.
    public static func auction(_ id: Int64) -> String { "auction:bid:\(id)" }
    /// Buying, pricing, auctioning and offers on an NFT.
    public static func nft(_ id: Int64) -> String { "nft:buy:\(id)" }
    /// Buying, pricing and transferring a channel, and the operator actions on its transfers.
    public static func channel(_ id: Int64) -> String { "channel:buy:\(id)" }
    /// Listing a Telegram channel.
    public static func newChannel(telegramChannel id: Int64) -> String { "channel:new:\(id)" }
    /// Adding and removing operators.
    public static let operators = "operators"
    /// Proposing on, deleting a trade.
    public static func trade(_ id: Int64) -> String { "trade:\(id)" }
    /// Opening a trade, per owner.
    public static func newTrade(owner: Int64) -> String { "trade:new:\(owner)" }
    /// Accepting or rejecting a proposal.
    public static func proposal(_ id: Int64) -> String { "trade:proposal:\(id)" }
    /// A user's withdrawals, queued one after another, and their resolution.
    public static func withdrawals(ofUser id: Int64) -> String { "withdraw:\(id)" }
    /// Deposits and deleting an account.
    public static func account(_ id: Int64) -> String { "account:\(id)" }
    /// Buying from a presale.
    public static func presale(_ id: Int64) -> String { "presale:\(id)" }
    /// Deciding an approval.
    public static func approval(_ id: Int64) -> String { "approval:\(id)" }
    /// Asking for a second operator on one action's target: one request at a time.
    public static func approvalRequest(_ action: OperatorAction, target: Int64) -> String { "approval:new:\(action.rawValue):\(target)" }
}
