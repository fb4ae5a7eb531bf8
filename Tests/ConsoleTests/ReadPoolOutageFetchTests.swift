@testable import Console
import Foundation
@testable import MarketCore
import Testing

/// A read pool that stops answering is shown as the read pool being down, not PostgreSQL: the
/// primary still answers and actions still work there.
@Suite("Dashboard refresh while the read pool is down")
struct ReadPoolOutageFetchTests {
    @Test func aReadPoolThatStopsAnsweringIsShownApartFromThePrimary() async throws {
        try await FreshMarket.with("readdown") { fresh in
            // The read pool logs in as a reader of its own, which the test can shut out alone.
            let reader = "reader_\(fresh.tag)"
            let admin = fresh.services.pool
            _ = try await admin.simpleQuery("CREATE ROLE \(reader) LOGIN; GRANT pg_read_all_data TO \(reader)")
            var configuration = fresh.services.configuration
            configuration.readDatabase = try PostgresConfiguration(url: try OperatorLogins.url(fresh.database, as: reader))
            let services = try await MarketServices.connect(configuration)
            do {
                let fetcher = DashboardFetcher(market: try OperatorMarket.make(services), readsOperatorRole: false)
                let plan = FetchPlan(view: .auctions, pages: [.auctions: PageRequest(sort: "", limit: 10)], overviewRows: 5,
                                     bidsOfAuction: nil, rateWindowSeconds: 60)
                let before = await fetcher.fetch(plan)
                #expect(before.readPool == .up)
                #expect(before.postgres == .up)
                #expect(before.auctions != nil)

                // The read pool's server refuses the reader from now on and ends its sessions.
                _ = try await admin.simpleQuery("""
                    ALTER ROLE \(reader) NOLOGIN;
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(reader)'
                    """)
                // The first refreshes find pooled connections ended; once those are gone, a new
                // one is refused. Every refresh meanwhile shows the read pool down and the primary up.
                var after = await fetcher.fetch(plan)
                var refreshes = 1
                while case .down(let reason) = after.readPool, !reason.contains("not permitted to log in"), refreshes < 20 {
                    #expect(after.postgres == .up, "the primary still answers")
                    after = await fetcher.fetch(plan)
                    refreshes += 1
                }
                guard case .down(let reason) = after.readPool else {
                    Issue.record("the read pool read as \(after.readPool) after \(refreshes) refreshes; problem: \(after.problem ?? "none")")
                    await services.shutdown()
                    return
                }
                #expect(reason.contains("\"\(reader)\" is not permitted to log in"), "\(reason)")
                #expect(after.postgres == .up, "the primary still answers")
                #expect(after.problem == nil, "\(after.problem ?? "")")

                let document = try SnapshotJSON.document(after, now: Date())
                let json = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
                let servers = try #require(json["servers"] as? [String: String], "\(json)")
                #expect(servers["postgresql"] == "up")
                #expect(servers["read_pool"]?.hasPrefix("down: ") == true, "\(servers)")

                // Back in: the next refresh shows the read pool up again, by itself.
                _ = try await admin.simpleQuery("ALTER ROLE \(reader) LOGIN")
                #expect(await fetcher.fetch(plan).readPool == .up)
            } catch {
                await services.shutdown()
                throw error
            }
            await services.shutdown()
            _ = try await admin.simpleQuery("DROP ROLE \(reader)")
        }
    }
}
