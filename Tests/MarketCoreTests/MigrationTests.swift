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

    /// A market at version 9 (the operator functions of version 7, `mc_probe_row`, no plans) is
    /// brought to version 10: its operator functions are replaced by the ones that lock their
    /// plan's rows, with their search path pinned again, and a moderator's cancel runs on them.
    @Test func version10ReplacesTheOperatorFunctionsOfAMarketAtVersion9() async throws {
        try await MarketFixture.run { f in
            let pool = f.services.pool
            _ = try await pool.simpleQuery("""
                DROP FUNCTION mc_action_rows(TEXT, BIGINT), mc_lock_row(TEXT, BIGINT, TEXT, BOOLEAN),
                              mc_lock_action_rows(TEXT, BIGINT), mc_probe_rows(TEXT[], BIGINT[], TEXT[]),
                              mc_settle_withdrawal(withdrawals, TEXT, TEXT);
                CREATE FUNCTION mc_probe_row(p_table TEXT, p_id BIGINT) RETURNS BOOLEAN LANGUAGE sql AS $$ SELECT true $$;
                ALTER FUNCTION mc_op_cancel_auction(BIGINT, BIGINT, TEXT, BIGINT) RESET search_path;
                DELETE FROM schema_migrations WHERE version = 10;
                """)
            #expect(try await Migrator(pool: pool).migrate() == [10])
            #expect(try await f.value("SELECT to_regprocedure('mc_probe_row(text, bigint)') IS NULL", as: Bool.self))
            #expect(try await f.value("SELECT to_regprocedure('mc_settle_withdrawal(withdrawals, text, text)') IS NOT NULL", as: Bool.self))
            #expect(try await f.value("""
                SELECT array_to_string(proconfig, ',') FROM pg_proc WHERE oid = 'mc_op_cancel_auction(bigint, bigint, text, bigint)'::regprocedure
                """, as: String.self).hasPrefix("search_path="))
            let (auction, bidder) = try await ActionPlanTests.auctionWithABid(f)
            let mia = try await f.operatorNamed("mia", role: .moderator)
            #expect(try await mia.market.plan(.cancelAuction(id: auction, version: 2)).rows.count == 3)
            try await mia.market.cancelAuction(auction, expectedVersion: 2, by: mia.request)
            #expect(try await f.balance(bidder) == (5 * ton, 0))
        }
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
