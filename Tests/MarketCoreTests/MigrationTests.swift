import Foundation
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

    /// A schema that does not exist yet is migrated even when `public`, behind it on `search_path`,
    /// is up to date (a benchmark's own schema beside the market's), in a database of its own.
    @Test func aNewSchemaBesideAnUpToDatePublicIsMigratedNotSkipped() async throws {
        let base = try TestServers.configuration().database
        let name = TestServers.uniqueName("mig")
        let admin = PostgresPool(configuration: try PostgresConfiguration(url: base.url), label: "mig-admin")
        _ = try await admin.simpleQuery("CREATE DATABASE \(name)")
        var components = try #require(URLComponents(string: base.url))
        components.path = "/" + name
        var publicConfiguration = try PostgresConfiguration(url: try #require(components.string))
        publicConfiguration.maxConnections = 2
        let publicPool = PostgresPool(configuration: publicConfiguration)
        #expect(try await Migrator(pool: publicPool).migrate() == Migrator.all.map(\.version))
        await publicPool.close()

        var beside = publicConfiguration
        beside.schema = "beside"
        let besidePool = PostgresPool(configuration: beside)
        #expect(try await Migrator(pool: besidePool).migrate() == Migrator.all.map(\.version))
        let created = try await besidePool.query("SELECT to_regclass('beside.auctions') IS NOT NULL")
        #expect(try created.rows[0].decode(Bool.self, at: 0))
        #expect(try await Migrator(pool: besidePool).migrate() == [])
        await besidePool.close()
        _ = try await admin.simpleQuery("DROP DATABASE \(name)")
        await admin.close()
    }
}
