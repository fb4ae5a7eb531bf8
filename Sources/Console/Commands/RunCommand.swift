import ArgumentParser
import Dispatch
import Foundation
import MarketCore
import Views

/// `market-console` (the default command): connects, migrates, and opens the console.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Open the operator console (the default).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Seconds between refreshes.")
    var refresh: Double = 1

    func validate() throws {
        guard refresh >= 0.2 else { throw ValidationError("--refresh must be at least 0.2 seconds") }
    }

    func run() async throws {
        try await withConnectedServices(connection) { services, embedded in
            let fetcher = StatusFetcher(services: services, embedded: embedded)
            guard isatty(STDOUT_FILENO) == 1 else {
                // Not a terminal (a pipe, CI): print the status once instead of drawing a screen.
                print(StatusScreen.render(await fetcher.fetch(), width: 100, height: 30).text)
                return
            }
            let app = StatusApp()
            let signals = Self.watchSignals { app.requestQuit() }
            let interval = Duration.milliseconds(Int(refresh * 1000))
            let refresher = Task {
                repeat {
                    app.publish(await fetcher.fetch())
                } while (try? await Task.sleep(for: interval)) != nil
            }
            await app.run()
            refresher.cancel()
            signals.forEach { $0.cancel() }
        }
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
