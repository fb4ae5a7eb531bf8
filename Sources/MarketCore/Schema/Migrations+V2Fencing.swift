extension Migration {
    /// Fencing tokens: the newest token committed per lock key, and the check every locked Unit of
    /// Work runs just before COMMIT. SQLSTATE MC409 means "stale fence".
    static let v2Fencing = Migration(version: 2, name: "lock fencing", sql: """
        CREATE TABLE lock_fences (
            lock_key   TEXT PRIMARY KEY,
            fence      BIGINT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX lock_fences_fence ON lock_fences (fence);
        -- Fencing tokens for the advisory-lock fallback, kept above every committed fence.
        CREATE SEQUENCE lock_fence_seq;

        CREATE FUNCTION mc_check_fence(p_key TEXT, p_fence BIGINT) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            stored BIGINT;
        BEGIN
            INSERT INTO lock_fences AS f (lock_key, fence) VALUES (p_key, p_fence)
            ON CONFLICT (lock_key) DO UPDATE SET fence = EXCLUDED.fence, updated_at = now()
                WHERE f.fence <= EXCLUDED.fence
            RETURNING f.fence INTO stored;
            IF stored IS NULL THEN
                SELECT fence INTO stored FROM lock_fences WHERE lock_key = p_key;
                RAISE EXCEPTION 'fence % for % is older than committed fence %', p_fence, p_key, stored
                    USING ERRCODE = 'MC409';
            END IF;
        END $$;
        """)
}
