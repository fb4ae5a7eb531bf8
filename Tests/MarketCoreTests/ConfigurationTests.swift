import Testing
@testable import MarketCore

@Suite("Configuration")
struct ConfigurationTests {
    @Test func redisURLIsParsed() throws {
        let configuration = try RedisConfiguration(url: "redis://:s3cret@10.0.0.5:6380/2")
        #expect(configuration.host == "10.0.0.5")
        #expect(configuration.port == 6380)
        #expect(configuration.database == 2)
        #expect(configuration.password == "s3cret")
        #expect(configuration.redactedURL == "redis://10.0.0.5:6380/2")
    }

    @Test(arguments: ["http://localhost:6379", "redis://", "redis://localhost:6379/abc", "not a url"])
    func badRedisURLsAreOneClearLine(_ url: String) {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: url) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func redisPasswordNeverShowsInErrors() {
        let error = #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://:hunter2@host:1/x") }
        #expect(error?.description.contains("hunter2") == false)
    }
}
