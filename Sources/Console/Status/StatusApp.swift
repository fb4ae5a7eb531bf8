import Foundation
import Synchronization
import Views

/// The interactive status screen: a UI thread that owns the terminal, fed by an async refresh task.
///
/// The refresh task stores each new ``StatusState`` in `latest`; the UI thread polls keys every
/// 100 ms, redraws when the state or the terminal size changed, and ends on `q`, Ctrl-C or SIGTERM
/// with the terminal restored.
final class StatusApp: Sendable {
    private let latest = Mutex<(state: StatusState, fetchedAt: ContinuousClock.Instant?)>((StatusState(), nil))
    private let quitRequested = Atomic<Bool>(false)

    /// Hands a fresh state to the UI thread.
    func publish(_ state: StatusState) {
        latest.withLock { $0 = (state, .now) }
    }

    /// Asks the UI loop to end (signal handlers call this).
    func requestQuit() {
        quitRequested.store(true, ordering: .relaxed)
    }

    /// Runs the UI loop on a thread of its own and returns when the operator quits.
    func run() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                uiLoop()
                continuation.resume()
            }
            thread.name = "ui"
            thread.start()
        }
    }

    private func uiLoop() {
        let terminal = Terminal(theme: .builtInDark)
        defer { terminal.shutdown() }
        var lastFrame: ScreenBuffer?
        while !quitRequested.load(ordering: .relaxed) {
            let (state, fetchedAt) = latest.withLock { $0 }
            var shown = state
            shown.dataAge = fetchedAt.map { $0.duration(to: .now).milliseconds / 1000 }
            let size = terminal.size
            let frame = StatusScreen.render(shown, width: size.width, height: size.height)
            if frame != lastFrame {
                terminal.draw(frame)
                lastFrame = frame
            }
            switch terminal.readKey() {
            case .character("q"), .character("Q"): return
            case .resize: lastFrame = nil
            default: break
            }
        }
    }
}
