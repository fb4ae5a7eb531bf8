import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

/// `market-console action …` as a script runs it: the exit status and the JSON say how it ended.
@Suite("Headless action command")
struct ActionCommandTests {
    @Test func exitStatusesTellDoneRefusedForbiddenBadUsageAndUnavailableApart() async throws {
        try await FreshMarket.with("act") { fresh in
            let services = fresh.services, market = fresh.market, tag = fresh.tag
            let mia = "mia_\(tag)", vic = "vic_\(tag)"
            try await OperatorLogins.create(mia, role: .moderator, in: services)
            try await OperatorLogins.create(vic, role: nil, in: services)
            let seller = try await fresh.user("seller")
            let nft = try await services.pool.query("INSERT INTO nfts (gift, owner_id) VALUES ('Plush Pepe', \(seller)) RETURNING id")
                .rows[0].decode(Int64.self, at: 0)
            let auction = try await market.createAuction(nft: nft, seller: seller, startPrice: 1_000_000_000, minStep: 1, duration: .seconds(600))
            let binary = try ConsoleEndToEndTests.consoleBinary()
            let env = try fresh.environment(as: mia)
            func action(_ arguments: [String], environment: [String: String] = env) -> ChildProcessResult {
                ChildProcessRunner.run(binary, ["action"] + arguments, environment: environment)
            }
            let asVic = try fresh.environment(as: vic)
            func json(_ result: ChildProcessResult) throws -> [String: Any] {
                let line = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(result.output)")
                return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }

            // Who acts is the login, not a flag: vic's login is refused whatever --operator says, and a
            // flag naming another login than the authenticated one is bad usage.
            let forbidden = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--json"], environment: asVic)
            #expect(forbidden.status == 3)
            #expect(try json(forbidden)["outcome"] as? String == "forbidden")
            #expect(try json(forbidden)["operator"] as? String == vic)
            let claimed = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia], environment: asVic)
            #expect(claimed.status == 2, "\(claimed.output)")
            #expect(claimed.output.contains("--operator \(mia) is not who PostgreSQL authenticated (login \(vic))"), "\(claimed.output)")

            let missing = action(["cancel-auction", "--id", "999999", "--reason", "spam", "--operator", mia])
            #expect(missing.status == 1, "\(missing.output)")

            let stale = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia, "--version", "99", "--json"])
            #expect(stale.status == 1)
            #expect((try json(stale)["message"] as? String)?.contains("changed since you looked") == true)

            let noReason = action(["cancel-auction", "--id", "\(auction)", "--operator", mia])
            #expect(noReason.status == 2)

            var unfitRule = env
            unfitRule["MARKET_TWO_PERSON_ACTIONS"] = "force-complete-transfer,release-lock"
            let unfit = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam"], environment: unfitRule)
            #expect(unfit.status == 2, "a two-person list naming an action that cannot wait is refused at start")
            #expect(unfit.output.contains("release-lock cannot wait for a second operator"), "\(unfit.output)")

            let unreachable = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia, "--json"],
                                     environment: ["DATABASE_URL": "postgresql://market@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"])
            #expect(unreachable.status == 4, "\(unreachable.output)")
            #expect(try json(unreachable)["outcome"] as? String == "unavailable")

            let done = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia, "--json"])
            #expect(done.status == 0, "\(done.output)")
            let document = try json(done)
            #expect(document["outcome"] as? String == "done")
            #expect(document["target"] as? String == "auction:\(auction)")
            #expect(try await services.pool.query("SELECT state FROM auctions WHERE id = \(auction)").rows[0].decode(String.self, at: 0) == "cancelled")
            #expect(try await services.pool.query("SELECT cancelled_by FROM auctions WHERE id = \(auction)").rows[0].decode(String.self, at: 0) == mia)
            await OperatorLogins.drop([mia, vic], in: services)
        }
    }

    /// The issue's own acceptance, as a person with a shell would try it: on fresh external
    /// servers the schema's owner (not a superuser) migrates and adds two admin logins; one admin
    /// asks for a force-complete and cannot approve it under any flag; the other approves it once.
    @Test func oneLoginCannotApproveItsOwnForceCompleteAndASecondAdminLoginRunsItOnce() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let base = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let owner = "owner_\(tag)", first = "a1_\(tag)", second = "a2_\(tag)", name = "own_\(tag)"
        let superuser = PostgresPool(configuration: try PostgresConfiguration(url: base), label: "e2e-admin")
        _ = try await superuser.simpleQuery("CREATE ROLE \(owner) LOGIN CREATEROLE")
        _ = try await superuser.simpleQuery("CREATE DATABASE \(name) OWNER \(owner)")
        var components = try #require(URLComponents(string: base))
        components.path = "/" + name
        let database = try #require(components.string)
        let binary = try ConsoleEndToEndTests.consoleBinary()
        func run(_ arguments: [String], as login: String) throws -> ChildProcessResult {
            ChildProcessRunner.run(binary, arguments, environment: [
                "DATABASE_URL": try OperatorLogins.url(database, as: login), "REDIS_URL": redis, "REDIS_NAMESPACE": "own:\(tag):",
            ])
        }

        let migrated = try run(["migrate"], as: owner)
        #expect(migrated.status == 0, "\(migrated.output)")
        for admin in [first, second] {
            let added = try run(["operators", "add", admin, "--role", "admin"], as: owner)
            #expect(added.status == 0, "\(added.output)")
        }
        let listed = try run(["operators", "list"], as: owner)
        for admin in [first, second] {
            let row = listed.output.split(separator: "\n").first { $0.hasPrefix(admin + " ") }?.split(separator: " ")
            #expect(row.map { Array($0.dropFirst()) } == ["admin", "yes"], "\(listed.output)")
        }
        let notAdmin = try run(["operators", "add", "eve_\(tag)", "--role", "admin"], as: "eve_\(tag)")
        #expect(notAdmin.status != 0)

        // A transfer Telegram left pending, made by the market's side (the superuser here).
        var configuration = try MarketConfiguration(databaseURL: database, redisURL: redis)
        configuration.redis?.namespace = "own:\(tag):"
        let services = try await MarketServices.connect(configuration, migrate: false)
        let simulated = SimulatedGateways(behaviour: .init(unknownRate: 1))
        let market = Market(services: services, gateways: Gateways(telegram: simulated, ton: simulated,
                                                                  retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1))))
        let seller = try await ConsoleEndToEndTests.user("seller", in: services)
        let buyer = try await ConsoleEndToEndTests.user("buyer", in: services)
        try await market.deposit(user: buyer, amount: 9_000_000_000, reference: "e2e")
        let channel = try await market.listChannel(owner: seller, telegramChannel: 888_001, title: "Owned", price: 4_000_000_000)
        guard case .pending(let transfer) = try await market.buyChannel(channel, buyer: buyer) else {
            Issue.record("the transfer should stay pending with every gateway outcome unknown")
            return
        }
        func transferState() async throws -> String {
            try await services.pool.query("SELECT state FROM channel_transfers WHERE id = \(transfer)").rows[0].decode(String.self, at: 0)
        }

        let asked = try run(["action", "force-complete-transfer", "--id", "\(transfer)", "--reason", "req"], as: first)
        #expect(asked.status == 0, "\(asked.output)")
        let afterWord = try #require(asked.output.range(of: "second operator: approval ")?.upperBound, "\(asked.output)")
        let approval = try #require(Int64(String(asked.output[afterWord...].prefix { $0.isNumber })), "\(asked.output)")
        let own = try run(["action", "approve", "--id", "\(approval)", "--reason", "ok"], as: first)
        #expect(own.status == 3, "\(own.output)")
        let flagged = try run(["action", "approve", "--id", "\(approval)", "--reason", "ok", "--operator", second], as: first)
        #expect(flagged.status == 2, "\(flagged.output)")
        #expect(try await transferState() == "pending")

        let approved = try run(["action", "approve", "--id", "\(approval)", "--reason", "ok"], as: second)
        #expect(approved.status == 0, "\(approved.output)")
        #expect(try await transferState() == "completed")
        let again = try run(["action", "approve", "--id", "\(approval)", "--reason", "ok"], as: second)
        #expect(again.status == 1, "\(again.output)")
        let sales = try await services.pool.query("SELECT count(*) FROM ledger WHERE account_id = \(seller) AND kind = 'sale'")
        #expect(try sales.rows[0].decode(Int.self, at: 0) == 1)
        let checked = try run(["check"], as: owner)
        #expect(checked.status == 0, "\(checked.output)")
        await services.shutdown()
        _ = try? await superuser.simpleQuery("DROP DATABASE \(name)")
        for login in [first, second, owner] { _ = try? await superuser.simpleQuery("DROP ROLE \(login)") }
        await superuser.close()
    }
}
