extension Migration {
    /// When Redis is unreachable, locks fall back to PostgreSQL advisory locks, whose fences come
    /// from `lock_fence_seq` (``AdvisoryLocks``). The logins that act through locks — operators of
    /// every acting role and the reconciler — may draw from it; drawing only raises a counter that
    /// must only rise, and the commit-time fence check still decides. Without this, every operator
    /// action failed with "permission denied for sequence" during a Redis outage.
    static let v9FallbackFences = Migration(version: 9, name: "fallback fences for operators", sql: """
        GRANT USAGE ON SEQUENCE lock_fence_seq TO market_oncall, market_moderator, market_admin, market_reconciler;
        """)
}
