import Foundation
import MarketCore
import Views

/// The input line: typing a `:command` or a `/filter`, and running the command.
extension DashboardModel {
    mutating func edit(_ key: Key, now: Date) -> [DashboardEffect] {
        guard let input else { return [] }
        var text: String
        switch input {
        case .command(let typed): text = typed
        case .filter(let typed, _): text = typed
        }
        switch key {
        case .escape:
            if case .filter(_, let previous) = input { applyFilter(previous) }
            self.input = nil
            return []
        case .enter:
            self.input = nil
            if case .command = input { return execute(text, now: now) }
            return []
        case .tab:
            if case .command = input, let completion = ViewKind.completions(for: text).first { text = completion }
        case .backspace, .delete:
            if text.isEmpty { self.input = nil; if case .filter(_, let previous) = input { applyFilter(previous) }; return [] }
            text.removeLast()
        case .character(let character):
            text.append(character)
        default:
            return []
        }
        switch input {
        case .command: self.input = .command(text)
        case .filter(_, let previous):
            self.input = .filter(text, previous: previous)
            applyFilter(text)
        }
        return []
    }

    mutating func execute(_ line: String, now: Date) -> [DashboardEffect] {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        if name == "q" || name == "quit" { return [.quit] }
        if name == "help" { showingHelp = true; return [] }
        if let target = ViewKind(rawValue: name) ?? ViewKind.completions(for: name).first.flatMap(ViewKind.init(rawValue:)) {
            switchView(to: target)
            return []
        }
        if name == "write" {
            setWriteMode(words.dropFirst().first, now: now)
            return []
        }
        if name == "refresh" {
            let limits = (minimum: Self.seconds(Self.minimumRefresh), maximum: Self.seconds(Self.maximumRefresh))
            guard let seconds = words.dropFirst().first.flatMap(Double.init) else {
                say(":refresh needs a number of seconds, e.g. :refresh 2", role: .warning, now: now)
                return []
            }
            do {
                setInterval(try FiniteSeconds.duration(seconds, option: ":refresh", minimum: limits.minimum, maximum: limits.maximum), now: now)
            } catch {
                say(error.message + ", e.g. :refresh 2", role: .warning, now: now)
            }
            return []
        }
        say("unknown command :\(line) — views: \(ViewKind.allCases.map(\.rawValue).joined(separator: ", ")); also :write 10m, :refresh SECONDS, :q",
            role: .warning, now: now)
        return []
    }

    mutating func applyFilter(_ text: String) {
        guard panes[focusedSource]!.filter != text else { return }
        panes[focusedSource]!.filter = text
        resetPages(focusedSource)
    }
}
