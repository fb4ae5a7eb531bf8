import Testing
@testable import MarketCore

@Suite("Schema migrations")
struct MigrationTests {
    @Test func migratingTwiceAppliesNothingTheSecondTime() async throws {
        var configuration = try TestServers.configuration().database
        let schema = try #require(configuration.schema)
        configuration.maxConnections = 2
        let pool = PostgresPool(configuration: configuration)
        let migrator = Migrator(pool: pool)
        #expect(try await migrator.migrate() == Migrator.all.map(\.version))
        #expect(try await migrator.migrate() == [])
        #expect(try await migrator.currentVersion() == Migrator.latestVersion)
        let tables = try await pool.query("""
            SELECT count(*) FROM information_schema.tables WHERE table_schema = \(schema)
            AND table_name IN ('users', 'nfts', 'channels', 'channel_transfers', 'auctions', 'bids', 'trades',
                               'trade_proposals', 'offers', 'presales', 'withdrawals', 'operator_policy', 'operator_actions',
                               'ledger', 'lock_fences')
            """)
        #expect(try tables.rows[0].decode(Int.self, at: 0) == 15)
        _ = try await pool.simpleQuery("DROP SCHEMA \(schema) CASCADE")
        await pool.close()
    }
}
