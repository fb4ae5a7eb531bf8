import Testing
@testable import MarketCore

/// `redis-sentinel://` URLs in Lettuce's form: several hosts, which URLComponents cannot parse.
@Suite("Sentinel URL")
struct SentinelURLTests {
    @Test func severalSentinelsDatabaseAndMasterNameAreParsed() throws {
        let configuration = try RedisConfiguration(url: "redis-sentinel://:s3cret@10.0.0.1:26380,10.0.0.2,[::1]:26381/3#market")
        let sentinel = try #require(configuration.sentinel)
        #expect(sentinel.sentinels == [RedisAddress(host: "10.0.0.1", port: 26380), RedisAddress(host: "10.0.0.2", port: 26379),
                                       RedisAddress(host: "::1", port: 26381)])
        #expect(sentinel.masterName == "market")
        #expect(configuration.database == 3)
        #expect(configuration.password == "s3cret")
        #expect(configuration.username == nil)
        #expect(configuration.redactedURL == "redis-sentinel://10.0.0.1:26380,10.0.0.2:26379,[::1]:26381/3#market")
    }

    @Test func aLoneWordBeforeTheAtSignIsThePasswordAsInLettuce() throws {
        let configuration = try RedisConfiguration(url: "redis-sentinel://p%40ss@h1:1,h2:2#m")
        #expect(configuration.password == "p@ss")
        #expect(configuration.username == nil)
        #expect(configuration.database == 0)
        let withUser = try RedisConfiguration(url: "redis-sentinel://market:pw@h1:1#m")
        #expect(withUser.username == "market")
        #expect(withUser.password == "pw")
    }

    @Test(arguments: ["redis-sentinel://h1:1,h2:2/0", "redis-sentinel://h1:1#", "redis-sentinel://h1:1,,h2:2#m",
                      "redis-sentinel://h1:99999#m", "redis-sentinel://h1:1/x#m", "redis-sentinel://#m"])
    func badSentinelURLsAreOneClearLine(_ url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func thePasswordNeverShowsInErrors() {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis-sentinel://:hunter2@h1:1,h2:x#m") }
        #expect(error?.description.contains("hunter2") == false)
    }
}
