// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "MarketConsole",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "market-console", targets: ["Console"]),
        .library(name: "MarketCore", targets: ["MarketCore"]),
        // Starts PostgreSQL and Redis of the console's own (`market-console --embedded`); a service embedding MarketCore need not link it.
        .library(name: "MarketEmbedded", targets: ["MarketEmbedded"]),
        // The simulated market's seeder, traffic and benchmark seeds (`simulate`, `demo`, `bench`), on top of MarketCore.
        .library(name: "MarketSimulation", targets: ["MarketSimulation"]),
        .library(name: "Views", targets: ["Views"]),
        // The Prometheus side of MarketCore: the market exporter and the one-line swift-metrics bootstrap.
        .library(name: "MarketPrometheus", targets: ["MarketPrometheus"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .target(
            name: "MarketCore",
            dependencies: [
                "CLibPQ", "CHiredis",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "MarketEmbedded", dependencies: ["MarketCore"]),
        .target(name: "MarketSimulation", dependencies: ["MarketCore"]),
        .target(
            name: "MarketPrometheus",
            dependencies: [
                "MarketCore",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "Views"),
        .executableTarget(
            name: "Console",
            dependencies: [
                "MarketCore", "MarketEmbedded", "MarketSimulation", "MarketPrometheus", "Views", "CNCurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            plugins: ["BuildInfo"]
        ),
        // Writes the git commit into the console before each build, for `--version`.
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // What several test targets share: the gate that makes process-heavy tests take turns, test databases.
        .target(name: "TestSupport", dependencies: ["MarketCore"], path: "Tests/TestSupport"),
        .testTarget(name: "MarketCoreTests", dependencies: ["MarketCore", "MarketEmbedded", "MarketSimulation", "TestSupport"]),
        .testTarget(name: "MarketPrometheusTests",
                    dependencies: ["MarketPrometheus", "MarketCore", "MarketEmbedded", "MarketSimulation", "TestSupport"]),
        .testTarget(name: "ViewsTests", dependencies: ["Views"]),
        // Tests the console's own logic (themes, palette) through `@testable import` of the executable.
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "MarketEmbedded", "MarketSimulation", "TestSupport"],
                    exclude: ["Snapshots"]),
    ]
)
