import Foundation
import Testing
@testable import Console
@testable import MarketCore

/// A section's title must agree with the rows under it: the table counts are cached for a few
/// seconds, so a page that holds every row of its section counts them instead.
@Suite("Section counts beside complete pages")
struct SectionCountTests {
    @Test func aPageHoldingEverySectionRowCountsItsRows() async throws {
        try await IsolatedMarket.withFetcher("counts") { services, fetcher in
            let overview = FetchPlan(view: .overview, pages: [:], overviewRows: 3, bidsOfAuction: nil, rateWindowSeconds: 60)
            let auctionsView = FetchPlan(view: .auctions, pages: [.auctions: PageRequest(sort: "ends_at", limit: 10)], overviewRows: 3,
                                         bidsOfAuction: nil, rateWindowSeconds: 60)
            func startAuctions(_ count: Int) async throws {
                for _ in 0..<count {
                    _ = try await services.pool.query("""
                        WITH nft AS (INSERT INTO nfts (gift, serial, owner_id, state) VALUES ('Plush Pepe', 1, 1, 'in_auction') RETURNING id)
                        INSERT INTO auctions (nft_id, seller_id, start_price, min_step, ends_at)
                        SELECT id, 1, 100000000, 10000000, now() + interval '1 hour' FROM nft
                        """)
                }
            }
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'seller')")

            #expect(await fetcher.fetch(overview).counts?.liveAuctions == 0)
            // Within the counts' cache age: the cached count says 0, the complete pages say 2.
            try await startAuctions(2)
            let overviewResult = await fetcher.fetch(overview)
            #expect(overviewResult.auctions?.rows.count == 2)
            #expect(overviewResult.counts?.liveAuctions == 2)
            #expect(await fetcher.fetch(auctionsView).counts?.liveAuctions == 2)
            // Five auctions overflow the overview's three rows: its count is the table count again
            // (cached, or recounted when the cache aged meanwhile), not the rows shown.
            try await startAuctions(3)
            let overflowing = await fetcher.fetch(overview)
            #expect(overflowing.auctions?.rows.count == 3)
            #expect(overflowing.counts?.liveAuctions != 3)
            #expect(await fetcher.fetch(auctionsView).counts?.liveAuctions == 5)

        }
    }
}
