/// The dashboard's views, in tab order; `:name` switches to one.
enum ViewKind: String, CaseIterable, Sendable {
    case overview, auctions, proposals, transfers, approvals, locks, alerts, rates, audit

    var title: String {
        switch self {
        case .overview: "Overview"
        case .auctions: "Auctions"
        case .proposals: "Proposals"
        case .transfers: "Transfers"
        case .approvals: "Approvals"
        case .locks: "Locks"
        case .alerts: "Alerts"
        case .rates: "UoW rates"
        case .audit: "Audit"
        }
    }

    /// The panes the view stacks, top to bottom.
    var panes: [PaneSource] {
        switch self {
        case .overview: [.auctions, .proposals, .transfers, .heldLocks, .rates]
        case .auctions: [.auctions]
        case .proposals: [.proposals]
        case .transfers: [.transfers]
        case .locks: [.alerts, .heldLocks, .lockWaits, .contention]
        case .alerts: [.alerts]
        case .approvals: [.approvals]
        case .rates: [.rates]
        case .audit: [.audit]
        }
    }

    /// The pane that has the focus when the view opens (the locks view opens on its held locks,
    /// under the alerts).
    var defaultPane: Int { self == .locks ? 1 : 0 }

    /// Views whose name starts with `prefix` (the command line's completion).
    static func completions(for prefix: String) -> [String] {
        allCases.map(\.rawValue).filter { $0.hasPrefix(prefix.lowercased()) }
    }
}

/// Where a pane's rows come from.
enum PaneSource: String, Sendable, Hashable, CaseIterable {
    case auctions, proposals, transfers, heldLocks, lockWaits, contention, rates, audit, alerts, approvals

    /// Sources read page by page with keyset pagination (the rest are small and read whole).
    var isPaged: Bool {
        switch self {
        case .auctions, .proposals, .transfers, .heldLocks, .audit: true
        case .lockWaits, .contention, .rates, .alerts, .approvals: false
        }
    }

    /// Panes whose rows the cursor moves over and actions apply to.
    var isSelectable: Bool { isPaged || self == .approvals }

    /// The sort a pane starts with.
    var defaultSort: (key: String, descending: Bool) {
        switch self {
        case .auctions: ("ends_at", false)
        case .proposals, .transfers: ("created_at", false)
        case .heldLocks: ("acquired_at", false)
        case .audit: ("at", true)
        case .lockWaits, .contention, .rates, .alerts, .approvals: ("", false)
        }
    }
}
