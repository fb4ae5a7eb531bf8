import Foundation

/// What the console remembers between runs: the view it was on and how each table was sorted.
///
/// Kept in `$XDG_STATE_HOME/market-console/session.json` (else `~/.local/state/…`), rewritten
/// whenever it changes, so a crash loses nothing. Filters are not kept — a forgotten filter would
/// hide rows the next morning — nor is write mode.
struct RememberedSession: Codable, Equatable {
    /// A table's sort key and direction.
    struct Sort: Codable, Equatable {
        var key: String
        var descending: Bool
    }

    var view: String?
    /// By pane (`auctions`, `heldLocks`, …).
    var sorts: [String: Sort] = [:]

    static func defaultPath(environment: [String: String]) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return base + "/market-console/session.json"
    }

    /// The session saved at `path`; none saved yet is an empty session, an unreadable one is an
    /// empty session and a problem to show.
    static func load(from path: String) -> (RememberedSession, problem: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (RememberedSession(), nil) }
        do {
            return (try JSONDecoder().decode(RememberedSession.self, from: data), nil)
        } catch {
            return (RememberedSession(), "\(path) could not be read (\(error.localizedDescription)); starting with the default views")
        }
    }

    /// Writes the session to `path` whole (a temporary file renamed over the old one).
    func save(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}

extension DashboardModel {
    /// The part of the state worth keeping for the next run.
    var remembered: RememberedSession {
        var session = RememberedSession(view: view.rawValue)
        for source in PaneSource.allCases where source.isPaged {
            let state = panes[source]!
            session.sorts[source.rawValue] = RememberedSession.Sort(key: state.sort, descending: state.descending)
        }
        return session
    }

    /// Applies the sorts a session kept; a pane or sort key this version does not know is skipped.
    mutating func restoreSorts(from session: RememberedSession) {
        for (name, sort) in session.sorts {
            guard let source = PaneSource(rawValue: name), source.isPaged,
                  DashboardPresenter.columns(of: source).contains(where: { $0.sortKey == sort.key }) else { continue }
            panes[source]!.sort = sort.key
            panes[source]!.descending = sort.descending
        }
    }
}
