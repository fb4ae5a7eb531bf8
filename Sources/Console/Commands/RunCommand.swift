import ArgumentParser
import Dispatch
import Foundation
import MarketCore
import MarketEmbedded
import MarketSimulation
import Views

/// `market-console` (the default command): connects, migrates, and opens the live dashboard.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Open the operator console (the default).",
        discussion: "Keys: ? shows them all. On the embedded servers a simulated market runs in the background (--no-traffic stops it).")

    @OptionGroup var connection: ConnectionOptions

    @Option(name: [.customShort("r"), .long], help: "Seconds between refreshes, 0.25 to 60.")
    var refresh: Double = 1

    @Option(help: "The view to open: \(ViewKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: the last one you were on).")
    var view: String?

    @Option(help: ArgumentHelp("Refuse (exit 2) unless PostgreSQL authenticated this login.",
                               discussion: "You act as the login of DATABASE_URL; its group role (market_admin…) is your role."))
    var `operator`: String?

    @Flag(help: "Turn every operator action off, whatever the role.")
    var readonly = false

    @Option(help: "Theme name (dark, light, high-contrast, monochrome) or path of a theme file; see themes/README.md.")
    var theme: String?

    @Option(help: "Key bindings and thresholds (default: $XDG_CONFIG_HOME/market-console/config.yaml; format in the README).")
    var config: String?

    @Flag(help: "Draw frames with ASCII instead of UTF-8 box-drawing characters.")
    var ascii = false

    @Flag(inversion: .prefixedNo, help: "Run simulated market traffic in the background (default: on the embedded servers only).")
    var traffic: Bool?

    @Option(help: "Append log lines here while the screen is up (default: <state dir>/console.log).")
    var logFile: String?

    func validate() throws {
        _ = try FiniteSeconds.duration(refresh, option: "--refresh", minimum: 0.25, maximum: 60)
        if let view, ViewKind(rawValue: view) == nil {
            throw ValidationError("unknown view '\(view)': \(ViewKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        guard isatty(STDOUT_FILENO) == 1 else {
            throw UsageError("standard output is not a terminal: use `market-console snapshot` for scripts and pipes")
        }
        let (theme, themeProblem) = ThemeLoader.load(theme, environment: ProcessInfo.processInfo.environment)
        if let themeProblem { FileHandle.standardError.write(Data("market-console: \(themeProblem); using the dark theme\n".utf8)) }
        let (settings, configProblem) = ConsoleConfiguration.load(path: config, environment: ProcessInfo.processInfo.environment)
        if let configProblem { FileHandle.standardError.write(Data("market-console: \(configProblem)\n".utf8)) }
        let sessionPath = RememberedSession.defaultPath(environment: ProcessInfo.processInfo.environment)
        let (session, sessionProblem) = RememberedSession.load(from: sessionPath)
        let log = ConsoleLog(path: logFile ?? (connection.stateDir ?? EmbeddedServers.defaultStateDirectory) + "/console.log")
        try await withConnectedServices(connection) { services, embedded in
            // From here on the screen is ours: log lines go to the file, not over the dashboard.
            log.bootstrap()
            let market = try OperatorMarket.make(services)
            let login = try await market.identity()
            try OperatorMarket.requireLogin(`operator`, is: login)
            let background = (traffic ?? embedded) ? startTraffic(services) : nil
            defer { background?.cancel() }
            let name = login.login
            let identity = OperatorIdentity(name: name, role: login.role, isSuperuser: login.isSuperuser, readOnly: readonly)
            let initialView = (view ?? session.view).flatMap(ViewKind.init(rawValue:)) ?? .overview
            var model = DashboardModel(keyMap: settings.keyMap, thresholds: settings.thresholds,
                                       refreshInterval: try FiniteSeconds.duration(refresh, option: "--refresh", minimum: 0.25, maximum: 60),
                                       initialView: initialView,
                                       identity: identity)
            model.restoreSorts(from: session)
            if let configProblem { model.notify(configProblem, role: .warning, now: Date()) }
            if let sessionProblem { model.notify(sessionProblem, role: .warning, now: Date()) }
            if let themeProblem { model.notify("\(themeProblem); using the dark theme", role: .warning, now: Date()) }
            if identity.role == .viewer {
                model.notify("login \(name) is a viewer: an admin grants roles (market-console operators add \(name) --role admin)",
                             role: .accent, now: Date())
            }
            let app = DashboardApp(fetcher: DashboardFetcher(market: market, readsOperatorRole: true),
                                   runner: ActionRunner(market: market), model: model,
                                   asciiOnly: ascii, theme: theme, log: log, sessionPath: sessionPath)
            let signals = Self.watchSignals { app.requestQuit() }
            await app.run()
            signals.forEach { $0.cancel() }
            background?.cancel()
            _ = await background?.result
        }
    }

    /// The demo's market: a seeded market with clients bidding, trading and withdrawing, some
    /// gateway calls failing or ending unknown, so every view moves. It runs as the market's own
    /// login (``MarketConfiguration/trafficDatabase``) where one is configured, never as the operator.
    /// Beside it, where a reconciler login is configured (the embedded servers), a reconciler
    /// settles the unknown outcomes the gateways can answer for, so the pending lists stay short.
    private func startTraffic(_ operatorServices: MarketServices) -> Task<Void, Error> {
        var configuration = SimulationConfiguration()
        configuration.clients = 6
        configuration.users = 400
        configuration.duration = .seconds(86_400 * 365)
        configuration.seed = UInt64(Date().timeIntervalSince1970)
        configuration.hotSkew = 0.3
        configuration.failureRate = 0.1
        configuration.unknownRate = 0.1
        configuration.gatewayLatency = .milliseconds(20)
        configuration.liveAuctionLimit = 1_500
        // A tenth of the unknown outcomes shows at the gateway only after two minutes: they wait in
        // the transfers view, their asks counting up, until the reconciler settles them.
        configuration.gatewayLateDelay = .seconds(120)
        return Task {
            var trafficConfiguration = operatorServices.configuration
            trafficConfiguration.database = trafficConfiguration.trafficDatabase ?? trafficConfiguration.database
            let services = try await MarketServices.connect(trafficConfiguration, migrate: false)
            let gateways = MarketSimulator.gateways(for: configuration, effects: PostgresGatewayEffects(pool: services.pool))
            let market = Market(services: services, gateways: gateways)
            let marketConfiguration = operatorServices.configuration
            let seed = configuration.seed
            var reconciler: Task<Void, Error>?
            if let database = marketConfiguration.reconcilerDatabase {
                reconciler = Task { try await Self.runReconciler(marketConfiguration, database: database, seed: seed) }
            }
            do {
                _ = try await MarketSimulator(market: market, configuration: configuration).run { _ in }
            } catch {
                reconciler?.cancel()
                _ = await reconciler?.result
                await services.shutdown()
                throw error
            }
            reconciler?.cancel()
            _ = await reconciler?.result
            await services.shutdown()
        }
    }

    /// The demo's reconciler, as its own login, until cancelled.
    private static func runReconciler(_ configuration: MarketConfiguration, database: PostgresConfiguration, seed: UInt64) async throws {
        var reconcilerConfiguration = configuration
        reconcilerConfiguration.database = database
        reconcilerConfiguration.database.maxConnections = 4
        let services = try await MarketServices.connect(reconcilerConfiguration, migrate: false)
        let market = Market(services: services, gateways: ReconcileCommand.gateways(services.pool, seed: seed, failRate: 0.05))
        do {
            try await Reconciler(market: market).run()
        } catch {
            await services.shutdown()
            throw error
        }
        await services.shutdown()
    }

    /// Turns SIGINT and SIGTERM into a clean quit instead of a killed process with a broken terminal.
    static func watchSignals(_ handler: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }
}
