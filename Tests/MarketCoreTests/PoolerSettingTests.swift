import Testing
@testable import MarketCore

/// `pooler=transaction` is ours: taken out of the URL before libpq parses it, and it moves the
/// session settings from the startup packet into every transaction.
@Suite("Transaction pooler setting")
struct PoolerSettingTests {
    @Test func theParameterIsTakenOutOfBothURLForms() throws {
        let uri = try PostgresConfiguration(url: "postgresql://market@127.0.0.1:6432/market?pooler=transaction&sslmode=disable")
        #expect(uri.transactionPooler)
        #expect(uri.url == "postgresql://market@127.0.0.1:6432/market?sslmode=disable")
        let alone = try PostgresConfiguration(url: "postgresql://market@127.0.0.1:6432/market?pooler=transaction")
        #expect(alone.url == "postgresql://market@127.0.0.1:6432/market")
        let keywords = try PostgresConfiguration(url: "host=127.0.0.1 port=6432 pooler=transaction dbname=market")
        #expect(keywords.transactionPooler)
        #expect(keywords.url == "host=127.0.0.1 port=6432 dbname=market")
        #expect(try !PostgresConfiguration(url: "postgresql://market@127.0.0.1/market").transactionPooler)
        #expect(try !PostgresConfiguration(url: "postgresql://market@127.0.0.1/market?pooler=none").transactionPooler)
    }

    @Test func anUnknownPoolerIsAConfigurationError() {
        #expect(throws: PostgresError.self) { try PostgresConfiguration(url: "postgresql://h/market?pooler=session") }
    }

    @Test func theSettingsGoFirstOrRightAfterALeadingBegin() throws {
        var configuration = try PostgresConfiguration(url: "postgresql://h/market?pooler=transaction")
        configuration.schema = "bench_it's"
        configuration.idleInTransactionTimeout = .seconds(5)
        let settings = SessionSettings(configuration)
        let text = settings.transactionStatementText
        #expect(text == "SELECT set_config('TimeZone', 'UTC', true), set_config('DateStyle', 'ISO', true), "
                + "set_config('search_path', 'bench_it''s,public', true), set_config('idle_in_transaction_session_timeout', '5000', true)")
        #expect(settings.prefixing("SELECT 1") == text + "; SELECT 1")
        #expect(settings.prefixing("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                == "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; " + text)
        #expect(settings.prefixing("begin; SELECT 2") == "begin; " + text + "; SELECT 2")
        #expect(settings.transactionStatement.binds.count == 8)
        #expect(settings.startupOptions == "-c TimeZone=UTC -c DateStyle=ISO -c search_path=bench_it's,public -c idle_in_transaction_session_timeout=5000")
    }
}
