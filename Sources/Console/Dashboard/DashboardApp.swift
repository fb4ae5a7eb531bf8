import Foundation
import MarketCore
import Synchronization
import Views

/// The interactive console: a UI thread that owns the terminal and runs the update loop, and a
/// refresh task that reads the servers off that thread and posts the rows back as events.
///
/// The UI thread polls keys every 100 ms, applies events to the ``DashboardModel``, publishes the
/// model's fetch plan for the refresh task, and redraws when the frame changed (the terminal
/// writes only changed cells). It ends on `q`, `:q`, Ctrl-C, SIGTERM or SIGHUP with the terminal
/// restored.
final class DashboardApp: Sendable {
    /// What the refresh task needs from the UI thread.
    private struct RefreshSettings: Sendable {
        var plan: FetchPlan
        var interval: Duration
        var paused: Bool
    }

    private let fetcher: DashboardFetcher
    private let runner: ActionRunner
    private let asciiOnly: Bool
    private let theme: Theme
    private let log: ConsoleLog
    /// Where the view and sorts are kept for the next run (``RememberedSession``).
    private let sessionPath: String
    private let initialModel: Mutex<DashboardModel?>
    private let mailbox = Mutex<[DashboardEvent]>([])
    private let settings: Mutex<RefreshSettings>
    private let refreshRequested = Atomic<Bool>(false)
    private let quitRequested = Atomic<Bool>(false)

    init(fetcher: DashboardFetcher, runner: ActionRunner, model: DashboardModel, asciiOnly: Bool, theme: Theme, log: ConsoleLog,
         sessionPath: String) {
        self.fetcher = fetcher
        self.sessionPath = sessionPath
        self.runner = runner
        self.theme = theme
        self.log = log
        self.asciiOnly = asciiOnly
        settings = Mutex(RefreshSettings(plan: model.plan, interval: model.refreshInterval, paused: false))
        initialModel = Mutex(model)
    }

    /// Asks the UI loop to end (signal handlers call this).
    func requestQuit() {
        quitRequested.store(true, ordering: .relaxed)
    }

    /// Runs the console until the operator quits.
    func run() async {
        let refresher = Task { await refreshLoop() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                uiLoop()
                continuation.resume()
            }
            thread.name = "ui"
            thread.start()
        }
        quitRequested.store(true, ordering: .relaxed)
        refresher.cancel()
        await refresher.value
    }

    /// Runs a confirmed action on the cooperative pool (its blocking calls run on the connections'
    /// own threads) and posts the outcome, with what ran, back to the UI loop.
    private func start(_ action: OperatorActionRequest, reason: String) {
        Task { [self] in
            let record = ExecutionRecord()
            let outcome = await runner.run(action, reason: reason, recordingInto: record)
            mailbox.withLock { $0.append(.actionFinished(action, outcome, ran: record.steps)) }
        }
    }

    /// Asks the core for a dialog's plan and probes it, off the UI thread.
    private func plan(_ action: OperatorActionRequest) {
        Task { [self] in
            let planned = await runner.plan(action)
            mailbox.withLock { $0.append(.planned(action, planned)) }
        }
    }

    /// Saves the view and sorts as they change (a few hundred bytes), so a crash loses nothing.
    private func remember(_ session: RememberedSession, into model: inout DashboardModel) {
        do {
            try session.save(to: sessionPath)
        } catch {
            model.notify("could not remember the view and sorts in \(sessionPath): \(error.localizedDescription)",
                         role: .warning, now: Date())
        }
    }

    private func refreshLoop() async {
        while !quitRequested.load(ordering: .relaxed) && !Task.isCancelled {
            let current = settings.withLock { $0 }
            if !current.paused {
                let result = await fetcher.fetch(current.plan)
                mailbox.withLock { $0.append(.fetched(result)) }
            }
            let deadline = ContinuousClock.now + current.interval
            while ContinuousClock.now < deadline, !refreshRequested.exchange(false, ordering: .relaxed),
                  !quitRequested.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    private func uiLoop() {
        guard var model = initialModel.withLock({ $0.take() }) else { return }
        let terminal = Terminal(theme: theme)
        defer { terminal.shutdown() }
        let boxes = asciiOnly || !Terminal.localeIsUTF8 ? BoxCharacters.ascii : .unicode
        var lastFrame: ScreenBuffer?
        var size = terminal.size
        var lastLogCheck = Date()
        var saved = model.remembered
        _ = model.update(.resized(width: size.width, height: size.height), now: Date())
        while !quitRequested.load(ordering: .relaxed) {
            var effects: [DashboardEffect] = []
            for event in mailbox.withLock({ events in defer { events.removeAll() }; return events }) {
                effects += model.update(event, now: Date())
            }
            if let key = terminal.readKey() {
                if key == .resize {
                    size = terminal.size
                    effects += model.update(.resized(width: size.width, height: size.height), now: Date())
                } else {
                    effects += model.update(.key(key), now: Date())
                }
            }
            if model.remembered != saved {
                saved = model.remembered
                remember(saved, into: &model)
            }
            if effects.contains(.quit) { return }
            if let warning = log.latestWarning(since: lastLogCheck) {
                model.notify(warning.text, role: warning.level >= .error ? .critical : .warning, now: Date())
            }
            lastLogCheck = Date()
            if effects.contains(.redraw) { lastFrame = nil; terminal.invalidate() }
            settings.withLock {
                $0 = RefreshSettings(plan: model.plan, interval: model.refreshInterval, paused: model.refreshHeld(now: Date()))
            }
            if effects.contains(.refreshNow) { refreshRequested.store(true, ordering: .relaxed) }
            for case .runAction(let action, let reason) in effects { start(action, reason: reason) }
            for case .plan(let action) in effects { plan(action) }
            let now = Date()
            let state = DashboardPresenter.state(model, now: now, boxes: boxes)
            let frame = DashboardScreen.render(state, width: size.width, height: size.height)
            if frame != lastFrame {
                terminal.draw(frame)
                lastFrame = frame
            }
        }
    }
}
