import Foundation
import MarketCore
import Views

/// The update step: an event in, the effects out; keys go to the open dialog, the input line, the help or the key map.
extension DashboardModel {
    /// Applies `event` at `now`; returns what the app must do.
    mutating func update(_ event: DashboardEvent, now: Date) -> [DashboardEffect] {
        switch event {
        case .resized(let width, let height):
            let before = plan
            size = (width, height)
            return plan == before ? [.redraw] : [.redraw, .refreshNow]
        case .fetched(let result):
            accept(result, now: now)
            return []
        case .planned(let action, let planned):
            if draft?.action == action { draft?.planned = planned }
            return []
        case .actionFinished(let action, let outcome, let ran):
            if let running {
                commandLog.insert(CommandLogEntry(at: running.since, action: action, outcome: outcome, ran: ran,
                                                  duration: now.timeIntervalSince(running.since)), at: 0)
                commandLog = Array(commandLog.prefix(100))
            }
            running = nil
            let role: StyleRole = switch outcome {
            case .done: .good
            case .refused: .warning
            case .forbidden, .unavailable: .critical
            }
            say("\(outcome.label): \(outcome.message)", role: role, now: now, seconds: 10)
            return [.refreshNow]
        case .key(let key):
            let before = plan
            var effects = handle(key, now: now)
            if plan != before && !effects.contains(.refreshNow) { effects.append(.refreshNow) }
            return effects
        }
    }

    mutating func handle(_ key: Key, now: Date) -> [DashboardEffect] {
        if message?.until == .distantFuture { message = nil }
        // Typed text (a reason, a filter, a command) takes any Unicode but no control or invisible
        // character: a reason goes into the audit log and onto other operators' screens.
        if draft != nil || input != nil, case .character(let character) = key,
           character.unicodeScalars.contains(where: TerminalText.needsEscape) {
            say("\(TerminalText.sanitized(String(character))) refused: typed text takes no control or invisible character",
                role: .warning, now: now)
            return []
        }
        if var open = draft {
            switch open.handle(key, now: now) {
            case .keepOpen:
                draft = open
                return []
            case .cancel:
                draft = nil
                say("cancelled: nothing ran", role: .dim, now: now)
                return []
            case .confirm(let action, let reason):
                draft = nil
                running = (action, now)
                return [.runAction(action, reason: reason)]
            }
        }
        if input != nil { return edit(key, now: now) }
        if showingHelp {
            if key == .escape || key == .character("?") || key == .character("q") { showingHelp = false }
            return []
        }
        guard let command = keyMap.command(for: key) else {
            if key != .resize { say("\(KeyMap.name(key)) does nothing here: ? lists the keys", role: .dim, now: now) }
            return []
        }
        return run(command, now: now)
    }

    mutating func run(_ command: DashboardCommand, now: Date) -> [DashboardEffect] {
        switch command {
        case .quit: return [.quit]
        case .help: showingHelp = true
        case .redraw: return [.redraw]
        case .commandLine: input = .command("")
        case .filter:
            guard focusedSource.isPaged, detail == nil else {
                say("this pane cannot be filtered", role: .warning, now: now)
                return []
            }
            input = .filter(panes[focusedSource]!.filter, previous: panes[focusedSource]!.filter)
        case .back: back()
        case .moveDown: moveSelection(by: 1, now: now)
        case .moveUp: moveSelection(by: -1, now: now)
        case .pageDown: turnPage(forward: true)
        case .pageUp: turnPage(forward: false)
        case .top: firstPage()
        case .bottom: select(index: (data?.rowCount(of: focusedSource) ?? 1) - 1)
        case .open: open(now: now)
        case .nextView: switchView(to: ViewKind.allCases[(ViewKind.allCases.firstIndex(of: view)! + 1) % ViewKind.allCases.count])
        case .previousView:
            let index = ViewKind.allCases.firstIndex(of: view)!
            switchView(to: ViewKind.allCases[(index + ViewKind.allCases.count - 1) % ViewKind.allCases.count])
        case .nextPane: focusedPane[view] = ((focusedPane[view] ?? view.defaultPane) + 1) % view.panes.count
        case .sortByColumn(let number): sort(byColumn: number, now: now)
        case .reverseSort:
            guard focusedSource.isPaged else { return [] }
            panes[focusedSource]!.descending.toggle()
            resetPages(focusedSource)
        case .togglePause:
            paused.toggle()
            say(paused ? "refresh paused: Space resumes" : "refresh resumed", role: paused ? .warning : .good, now: now)
            return paused ? [] : [.refreshNow]
        case .action(let key): return openDraft(key, now: now)
        case .toggleCommandLog: showingCommandLog.toggle()
        case .refreshFaster: changeInterval(by: 0.5, now: now)
        case .refreshSlower: changeInterval(by: 2, now: now)
        }
        return []
    }
}
