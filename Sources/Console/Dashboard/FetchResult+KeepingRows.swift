extension FetchResult {
    /// This refresh with every source it could not read (nil) taken from `previous`: a pane whose
    /// read failed keeps its last rows while the status bar says which server is down. The one
    /// merge every pane's data goes through; a new source belongs in ``keptSources``.
    func keepingRows(of previous: FetchResult) -> FetchResult {
        var merged = self
        for source in Self.keptSources { source.keep(&merged, previous) }
        return merged
    }

    /// Each source of rows a refresh reads, as a way to fill it from an earlier refresh when unread.
    static let keptSources: [KeptSource] = [
        KeptSource(\.auctions), KeptSource(\.proposals), KeptSource(\.transfers), KeptSource(\.heldLocks),
        KeptSource(\.lockWaits), KeptSource(\.contention), KeptSource(\.rates), KeptSource(\.audit), KeptSource(\.alerts),
        KeptSource(\.approvals), KeptSource(\.bids), KeptSource(\.counts),
    ]

    /// One optional source of a ``FetchResult``, kept from an earlier refresh when unread.
    struct KeptSource: Sendable {
        let keep: @Sendable (inout FetchResult, FetchResult) -> Void

        init<Rows>(_ path: WritableKeyPath<FetchResult, Rows?> & Sendable) {
            keep = { merged, previous in
                if merged[keyPath: path] == nil { merged[keyPath: path] = previous[keyPath: path] }
            }
        }
    }
}
