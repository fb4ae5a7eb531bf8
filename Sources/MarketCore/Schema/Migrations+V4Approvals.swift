extension Migration {
    /// The two-person rule: an operator action recorded as waiting for a second operator, who
    /// approves (the core then runs it, once) or rejects it.
    static let v4Approvals = Migration(version: 4, name: "operator approvals", sql: """
        CREATE TABLE operator_approvals (
            id               BIGSERIAL PRIMARY KEY,
            action           TEXT NOT NULL,
            target_id        BIGINT NOT NULL,
            expected_version BIGINT,
            reason           TEXT NOT NULL,
            requested_by     TEXT NOT NULL,
            state            TEXT NOT NULL DEFAULT 'pending'
                             CHECK (state IN ('pending', 'approved', 'rejected', 'done', 'failed')),
            decided_by       TEXT,
            outcome          TEXT,
            created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
            decided_at       TIMESTAMPTZ
        );
        CREATE INDEX operator_approvals_pending ON operator_approvals (created_at, id) WHERE state = 'pending';
        """)
}
