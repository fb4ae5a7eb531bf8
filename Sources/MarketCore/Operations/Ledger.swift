/// A user's money as locked in a Unit of Work.
struct Account: Sendable {
    let id: Int64
    let name: String
    let balance: Int64
    let held: Int64
    let deleted: Bool
}

/// The platform's commission account in the ledger.
let platformAccount: Int64 = 0

extension UnitOfWork {
    /// Locks users in id order (so two operations can never deadlock on them) and returns them by id.
    /// Throws `.notFound` for a missing or deleted user.
    ///
    /// `FOR NO KEY UPDATE`, the lock an UPDATE of a user's money takes anyway: it excludes every
    /// other writer of the row but not the key-share lock that inserting a row referencing the
    /// user takes (a transfer naming them as seller, a bid, a ledger row). With `FOR UPDATE`, one
    /// operation holding user A and inserting a row that names user B deadlocks with another
    /// holding B and waiting for A — id order cannot prevent it.
    func lockAccounts(_ ids: [Int64]) async throws -> [Int64: Account] {
        let unique = Array(Set(ids)).sorted()
        let result = try await query("""
            SELECT id, name, balance, held, deleted_at IS NOT NULL FROM users
            WHERE id = ANY(\(Self.bigintArray(unique))::bigint[]) ORDER BY id FOR NO KEY UPDATE OF users
            """)
        return try Self.accounts(from: result, required: unique)
    }

    /// Accounts from a locking query's rows; every required id must be there and not deleted.
    static func accounts(from result: PostgresResult, required: [Int64]) throws -> [Int64: Account] {
        var accounts: [Int64: Account] = [:]
        for row in result.rows {
            let account = Account(id: try row.decode(at: 0), name: try row.decode(at: 1), balance: try row.decode(at: 2),
                                  held: try row.decode(at: 3), deleted: try row.decode(at: 4))
            accounts[account.id] = account
        }
        for id in required where accounts[id] == nil || accounts[id]?.deleted == true {
            throw MarketError(.notFound, "user \(id) does not exist")
        }
        return accounts
    }

    /// Changes a user's balance and held money; the ledger is untouched (a hold is not a movement).
    func adjust(_ user: Int64, balance: Int64 = 0, held: Int64 = 0) async throws {
        try await execute("""
            UPDATE users SET balance = balance + \(balance), held = held + \(held), updated_at = now() WHERE id = \(user)
            """)
    }

    /// Writes one ledger row and moves the user's balance by `delta` with it.
    func post(_ user: Int64, _ delta: Int64, kind: String, reference: String, fromHeld: Bool = false) async throws {
        guard delta != 0 else { return }
        try await adjust(user, balance: fromHeld ? 0 : delta, held: fromHeld ? delta : 0)
        try await execute("INSERT INTO ledger (account_id, delta, kind, reference) VALUES (\(user), \(delta), \(kind), \(reference))")
    }

    /// A sale at `price`: the buyer pays (from held money when `fromHeld`), the seller gets the
    /// price less commission, the platform the commission — three ledger rows that sum to zero.
    /// The platform's row is updated last so its lock is held for the shortest time.
    func settleSale(buyer: Int64, seller: Int64, price: Int64, commission: Int64, reference: String,
                    fromHeld: Bool, buyerKind: String = "purchase") async throws {
        try await post(buyer, -price, kind: buyerKind, reference: reference, fromHeld: fromHeld)
        try await post(seller, price - commission, kind: "sale", reference: reference)
        try await post(platformAccount, commission, kind: "commission", reference: reference)
    }

    /// Refuses unless `account` can pay `amount` from its balance.
    func requireFunds(_ account: Account, _ amount: Int64, for purpose: String) throws {
        guard account.balance >= amount else {
            throw MarketError(.insufficientFunds, "user \(account.id) has \(TON.format(account.balance)), "
                              + "\(purpose) needs \(TON.format(amount))")
        }
    }
}

extension Int64 {
    /// A positive amount, or `.invalidArgument` naming what it is.
    func requirePositive(_ what: String) throws -> Int64 {
        guard self > 0 else { throw MarketError(.invalidArgument, "\(what) must be positive, got \(TON.format(self))") }
        return self
    }
}
