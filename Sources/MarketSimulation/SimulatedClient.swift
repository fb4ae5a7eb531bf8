import MarketCore

/// One simulated user session: picks an operation, its targets and amounts, and runs it.
struct SimulatedClient: Sendable {
    let market: Market
    let seeded: MarketSeeder.Seeded
    /// The hot auction and the presale, shared by every client and renewed as they run out.
    let targets: LiveTargets
    let configuration: SimulationConfiguration
    var random: SeededRandom

    private static let mix: [(weight: Int, name: String)] = [
        (34, "auction.bid"), (8, "nft.buy"), (6, "nft.set_price"), (2, "nft.back"), (7, "offer.make"), (3, "offer.accept"),
        (4, "auction.new"), (4, "auction.settle"), (1, "auction.del"), (4, "presale.buy"), (5, "withdraw"), (4, "account.deposit"),
        (3, "channel.buy"), (2, "channel.set_price"), (3, "trade.new"), (4, "trade.propose"), (2, "trade.accept"),
        (2, "trade.reject"), (1, "trade.delete"),
    ]
    private static let totalWeight = mix.reduce(0) { $0 + $1.weight }

    /// Runs one operation and says how it went.
    mutating func step() async -> SimulationTotals {
        var roll = Int(random.next() % UInt64(Self.totalWeight))
        var name = Self.mix[0].name
        for entry in Self.mix {
            if roll < entry.weight {
                name = entry.name
                break
            }
            roll -= entry.weight
        }
        var totals = SimulationTotals()
        totals.operations = 1
        totals.byOperation[name] = 1
        do {
            if try await perform(name) {
                totals.commits = 1
            } else {
                totals.skipped = 1
            }
        } catch {
            totals.rollbacks[RollbackReason.classify(error)] = 1
        }
        return totals
    }

    private var pool: PostgresPool { market.services.pool }

    private mutating func user() -> Int64 {
        seeded.firstUser + Int64(random.next() % UInt64(seeded.lastUser - seeded.firstUser + 1))
    }

    /// A row id of `table` matching `condition`, every matching row as likely as the next (seeded
    /// SQL, no user input). Picking the first row at or after a random id instead made a row after
    /// a long run of non-matching ids — and the lowest one, whenever the random id fell past the
    /// last match — take most of the traffic: one live auction drew a bid every second or two, so
    /// no moderator could read and cancel it before it changed.
    private mutating func pick(_ table: String, where condition: String) async throws -> Int64? {
        let sql = """
            SELECT id FROM \(table) WHERE \(condition) ORDER BY id LIMIT 1
            OFFSET (SELECT floor($1::float8 * count(*))::bigint FROM \(table) WHERE \(condition))
            """
        return try await pool.query(PostgresQuery(unsafeSQL: sql, binds: [String(random.unit())])).first.map { try $0.decode(at: 0) }
    }

    /// A live auction for a bid that is not the hot one's. As on a real market, bids gather in an
    /// auction's last minutes: one ending within ``SimulationConfiguration/biddingWindow`` when any
    /// does, else any live one. An auction further from its end stays quiet long enough for a
    /// moderator to read it and cancel it (at one bid every few seconds on every live auction, the
    /// demo's moderator was refused "changed since you looked" at almost every try).
    private mutating func pickAuctionToBidOn() async throws -> Int64? {
        let window = Int(configuration.biddingWindow.components.seconds)
        if let ending = try await pick("auctions", where: "state = 'active' AND ends_at < now() + make_interval(secs => \(window))") {
            return ending
        }
        return try await pick("auctions", where: "state = 'active'")
    }

    /// Puts a random owned NFT up for auction for `hotAuctionLength`: the next hot auction.
    private mutating func openHotAuction() async throws -> Int64 {
        guard let (nft, owner) = try await pickOwned("nfts", where: "state = 'owned'") else {
            throw MarketError(.notFound, "no owned NFT left to open a hot auction with")
        }
        return try await market.createAuction(nft: nft, seller: owner, startPrice: 100_000_000, minStep: 10_000_000,
                                              duration: configuration.hotAuctionLength)
    }

    /// One of the 16 oldest pending proposals that have waited `proposalAnswerDelay`: owners take
    /// a while to answer, so the Proposals view always has some waiting.
    private mutating func answerableProposal() async throws -> Int64? {
        let oldest = try await pool.query("""
            SELECT id FROM trade_proposals
            WHERE state = 'pending' AND created_at < now() - make_interval(secs => \(configuration.proposalAnswerDelay.seconds))
            ORDER BY created_at, id LIMIT 16
            """).rows
        guard !oldest.isEmpty else { return nil }
        return try oldest[Int(random.next() % UInt64(oldest.count))].decode(Int64.self, at: 0)
    }

    /// A row of `table` (nfts, channels, trades) matching `condition`, picked at random, and its owner.
    private mutating func pickOwned(_ table: String, where condition: String) async throws -> (id: Int64, owner: Int64)? {
        guard let id = try await pick(table, where: condition),
              let owner: Int64 = try await value(PostgresQuery(unsafeSQL: "SELECT owner_id FROM \(table) WHERE id = \(id)"))
        else { return nil }
        return (id, owner)
    }

    private func value<T: PostgresDecodable>(_ query: PostgresQuery) async throws -> T? {
        try await pool.query(query).first.map { try $0.decode(at: 0) }
    }

    /// Runs the operation `name` on targets picked at random; false when it found none to run on.
    private mutating func perform(_ name: String) async throws -> Bool {
        switch name {
        case "auction.bid":
            let hot = random.unit() < configuration.hotSkew
            guard let auction = hot ? targets[.hotAuction] : try await pickAuctionToBidOn(),
                  let row = try await pool.query("""
                    SELECT COALESCE(current_bid + min_step, start_price), state = 'active' AND ends_at > now()
                    FROM auctions WHERE id = \(auction)
                    """).first
            else { return false }
            if hot, try !row.decode(Bool.self, at: 1) {
                // The hot auction is over: the market opens the next one, which takes the next hot bids.
                try await targets.renew(.hotAuction, after: auction) { try await openHotAuction() }
                return false
            }
            let minimum = try row.decode(Int64.self, at: 0)
            try await market.bid(auction: auction, bidder: user(), amount: minimum + Int64(random.next() % 3) * 10_000_000)
        case "nft.buy":
            guard let nft = try await pick("nfts", where: "state = 'listed'") else { return false }
            try await market.buy(nft: nft, buyer: user())
        case "nft.set_price", "nft.back", "auction.new", "offer.make":
            if name == "auction.new", let limit = configuration.liveAuctionLimit,
               try await value("SELECT count(*) >= \(limit) FROM auctions WHERE state = 'active'") == true {
                return false
            }
            guard let (nft, owner) = try await pickOwned("nfts", where: "state IN ('owned', 'listed')") else { return false }
            switch name {
            case "nft.set_price": try await market.setPrice(nft: nft, owner: owner, price: Int64(1 + random.next() % 20) * 250_000_000)
            case "nft.back": try await market.takeOffSale(nft: nft, owner: owner)
            case "auction.new":
                _ = try await market.createAuction(nft: nft, seller: owner, startPrice: Int64(1 + random.next() % 10) * 100_000_000,
                                                   minStep: 10_000_000, duration: SimulationConfiguration.auctionLength(&random))
            default: _ = try await market.makeOffer(nft: nft, buyer: user(), amount: Int64(1 + random.next() % 8) * 200_000_000)
            }
        case "offer.accept":
            guard let offer = try await pick("offers", where: "state = 'open'"),
                  let owner: Int64 = try await value("SELECT n.owner_id FROM offers o JOIN nfts n ON n.id = o.nft_id WHERE o.id = \(offer)")
            else { return false }
            try await market.acceptOffer(offer, owner: owner)
        case "auction.settle":
            guard let auction: Int64 = try await value("""
                SELECT id FROM auctions WHERE state = 'active' AND ends_at < now() ORDER BY ends_at LIMIT 1
                """) else { return false }
            try await market.settleAuction(auction)
        case "auction.del":
            guard let auction = try await pick("auctions", where: "state = 'active' AND bid_count = 0"),
                  let seller: Int64 = try await value("SELECT seller_id FROM auctions WHERE id = \(auction)") else { return false }
            try await market.deleteAuction(auction, seller: seller)
        case "presale.buy":
            let presale = targets[.presale]
            do {
                _ = try await market.buyPresale(presale, buyer: user(), quantity: 1 + Int(random.next() % 2))
            } catch let error as MarketError where error.code == .invalidState {
                // Sold out: the market opens the next drop, which takes the next buys.
                if try await value("SELECT sold = supply FROM presales WHERE id = \(presale)") == true {
                    try await targets.renew(.presale, after: presale) {
                        try await MarketSeeder.openPresale(pool, supply: configuration.presaleNFTs)
                    }
                }
                throw error
            }
        case "withdraw":
            let who = user()
            // Some clients repeat a request: the idempotency key makes it one withdrawal.
            let key = "sim-\(who)-\(random.next() % 50)"
            _ = try await market.withdraw(user: who, amount: Int64(1 + random.next() % 5) * 100_000_000, destination: "EQsim\(who)", idempotencyKey: key)
        case "account.deposit":
            try await market.deposit(user: user(), amount: Int64(1 + random.next() % 20) * TON.nano, reference: "sim-topup")
        case "channel.buy":
            guard let channel = try await pick("channels", where: "state = 'listed'") else { return false }
            _ = try await market.buyChannel(channel, buyer: user())
        case "channel.set_price":
            guard let (channel, owner) = try await pickOwned("channels", where: "state = 'owned'") else { return false }
            try await market.setChannelPrice(channel, owner: owner, price: Int64(2 + random.next() % 9) * TON.nano)
        case "trade.new", "trade.propose":
            guard let (nft, owner) = try await pickOwned("nfts", where: "state = 'owned'") else { return false }
            if name == "trade.new" {
                _ = try await market.createTrade(owner: owner, nfts: [nft])
            } else {
                guard let trade = try await pick("trades", where: "state = 'open'") else { return false }
                _ = try await market.propose(trade: trade, proposer: owner, nfts: [nft])
            }
        case "trade.accept", "trade.reject":
            guard let proposal = try await answerableProposal(),
                  let owner: Int64 = try await value("""
                    SELECT t.owner_id FROM trade_proposals p JOIN trades t ON t.id = p.trade_id WHERE p.id = \(proposal)
                    """) else { return false }
            if name == "trade.accept" {
                try await market.acceptProposal(proposal, owner: owner)
            } else {
                try await market.rejectProposal(proposal, owner: owner)
            }
        case "trade.delete":
            guard let (trade, owner) = try await pickOwned("trades", where: "state = 'open'") else { return false }
            try await market.deleteTrade(trade, owner: owner)
        default:
            return false
        }
        return true
    }
}
