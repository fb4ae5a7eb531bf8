extension OperatorActionsSQL {
    /// The rows each operator action locks — their one definition — the function that locks them,
    /// and the probe of them that the console's preflight runs (``Market/plan(_:)``,
    /// ``Market/preflight(_:)``).
    static let plans = """
        -- The rows an operator action on p_target locks, in the order it locks them, with the lock
        -- mode and what each row is to the action. The first row decides the others (an auction
        -- its NFT and top bidder, a transfer its channel and users). mc_lock_action_rows locks
        -- exactly these; the console shows them before the operator confirms and probes them.
        CREATE OR REPLACE FUNCTION mc_action_rows(p_action TEXT, p_target BIGINT)
        RETURNS TABLE (lock_order INTEGER, table_name TEXT, row_id BIGINT, lock_mode TEXT, row_role TEXT)
        LANGUAGE plpgsql STABLE SECURITY DEFINER AS $fn$
        #variable_conflict use_column
        BEGIN
            CASE p_action
            WHEN 'cancel-auction' THEN
                RETURN QUERY
                SELECT 1, 'auctions', a.id, 'UPDATE', 'the auction' FROM auctions a WHERE a.id = p_target
                UNION ALL SELECT 2, 'nfts', a.nft_id, 'UPDATE', 'its NFT' FROM auctions a WHERE a.id = p_target
                UNION ALL SELECT 3, 'users', a.current_bidder_id, 'NO KEY UPDATE', 'the top bidder'
                          FROM auctions a WHERE a.id = p_target AND a.current_bidder_id IS NOT NULL;
            WHEN 'reject-proposal' THEN
                RETURN QUERY
                SELECT 1, 'trades', p.trade_id, 'UPDATE', 'its trade' FROM trade_proposals p WHERE p.id = p_target
                UNION ALL SELECT 2, 'trade_proposals', p.id, 'UPDATE', 'the proposal' FROM trade_proposals p WHERE p.id = p_target
                UNION ALL SELECT (2 + row_number() OVER (ORDER BY i.nft_id))::integer, 'nfts', i.nft_id, 'UPDATE', 'an offered NFT'
                          FROM trade_proposal_items i WHERE i.proposal_id = p_target;
            WHEN 'force-complete-transfer', 'cancel-transfer', 'retry-transfer' THEN
                -- A completion pays the seller and the market's commission account (user 0); a
                -- refund only the buyer. A retry locks what its completion would.
                RETURN QUERY
                SELECT 1, 'channels', t.channel_id, 'UPDATE', 'the channel' FROM channel_transfers t WHERE t.id = p_target
                UNION ALL SELECT 2, 'channel_transfers', t.id, 'UPDATE', 'the transfer' FROM channel_transfers t WHERE t.id = p_target
                UNION ALL SELECT (2 + row_number() OVER (ORDER BY u.id))::integer, 'users', u.id, 'NO KEY UPDATE', u.what
                          FROM channel_transfers t
                          CROSS JOIN LATERAL (VALUES (t.buyer_id, 'the buyer', true),
                                                     (t.seller_id, 'the seller', p_action <> 'cancel-transfer'),
                                                     (0::bigint, 'the market''s commission account',
                                                      p_action <> 'cancel-transfer' AND t.commission <> 0)) AS u(id, what, locked)
                          WHERE t.id = p_target AND u.locked;
            WHEN 'resolve-withdrawal' THEN
                RETURN QUERY
                SELECT 1, 'withdrawals', w.id, 'UPDATE', 'the withdrawal' FROM withdrawals w WHERE w.id = p_target
                UNION ALL SELECT 2, 'users', w.user_id, 'NO KEY UPDATE', 'the user' FROM withdrawals w WHERE w.id = p_target;
            WHEN 'reject-approval' THEN
                RETURN QUERY SELECT 1, 'operator_approvals', r.id, 'UPDATE', 'the request' FROM operator_approvals r
                             WHERE r.id = p_target;
            WHEN 'approve' THEN
                -- What the approved action locks, then the request it consumes (mc_consume_approval).
                RETURN QUERY
                SELECT rows.lock_order, rows.table_name, rows.row_id, rows.lock_mode, rows.row_role
                FROM operator_approvals r CROSS JOIN LATERAL mc_action_rows(r.action, r.target_id) AS rows
                WHERE r.id = p_target AND r.action <> 'approve'
                UNION ALL SELECT (SELECT count(*) FROM mc_action_rows(r.action, r.target_id))::integer + 1, 'operator_approvals', r.id,
                                 'UPDATE', 'the request'
                          FROM operator_approvals r WHERE r.id = p_target;
            ELSE
                -- release-lock commits a fence and locks no row of the market; other names lock nothing.
                RETURN;
            END CASE;
        END $fn$;

        -- Locks one row of an action's plan in its mode; NOWAIT for a probe.
        CREATE OR REPLACE FUNCTION mc_lock_row(p_table TEXT, p_id BIGINT, p_mode TEXT, p_nowait BOOLEAN)
        RETURNS VOID LANGUAGE plpgsql AS $fn$
        BEGIN
            IF p_mode NOT IN ('UPDATE', 'NO KEY UPDATE') OR p_table NOT IN ('auctions', 'nfts', 'users', 'trades', 'trade_proposals',
                    'channels', 'channel_transfers', 'withdrawals', 'operator_approvals') THEN
                RAISE EXCEPTION 'no lock % of table %', left(p_mode, 20), left(p_table, 40) USING ERRCODE = 'MC400';
            END IF;
            EXECUTE format('SELECT 1 FROM %I WHERE id = $1 FOR %s OF %I%s', p_table, p_mode, p_table,
                           CASE WHEN p_nowait THEN ' NOWAIT' ELSE '' END) USING p_id;
        END $fn$;

        -- Locks the rows of mc_action_rows: the first, then the others read again under its lock
        -- (a bid cannot slip in a new top bidder between the read and the lock).
        CREATE OR REPLACE FUNCTION mc_lock_action_rows(p_action TEXT, p_target BIGINT) RETURNS VOID LANGUAGE plpgsql AS $fn$
        DECLARE
            r RECORD;
        BEGIN
            FOR r IN SELECT * FROM mc_action_rows(p_action, p_target) ORDER BY lock_order LIMIT 1 LOOP
                PERFORM mc_lock_row(r.table_name, r.row_id, r.lock_mode, false);
            END LOOP;
            FOR r IN SELECT * FROM mc_action_rows(p_action, p_target) ORDER BY lock_order OFFSET 1 LOOP
                PERFORM mc_lock_row(r.table_name, r.row_id, r.lock_mode, false);
            END LOOP;
        END $fn$;

        -- The console's preflight of a plan: whether each row can be locked in its mode right now
        -- (NOWAIT, in a subtransaction rolled back either way) and, when not, the session holding
        -- it — found from the row's locker (xmax) — named by pid, login and application. Operator
        -- logins that may act (oncall, moderator, admin) may call it though they may neither lock rows
        -- nor read other logins' sessions; a viewer, who takes no action, may not.
        CREATE OR REPLACE FUNCTION mc_probe_rows(p_tables TEXT[], p_ids BIGINT[], p_modes TEXT[])
        RETURNS TABLE (free BOOLEAN, holder_pid INTEGER, holder_login TEXT, holder_application TEXT, holder_state TEXT,
                       holder_since TIMESTAMPTZ, holder_query TEXT)
        LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            i INTEGER;
            locker XID;
            holders INTEGER[];
        BEGIN
            IF mc_operator_role(session_user) = 'viewer' THEN
                RAISE EXCEPTION 'operator % (viewer) takes no action, so it probes no row: oncall, moderator or admin only',
                    session_user USING ERRCODE = 'MC403';
            END IF;
            FOR i IN 1 .. COALESCE(array_length(p_tables, 1), 0) LOOP
                holder_pid := NULL; holder_login := NULL; holder_application := NULL; holder_state := NULL;
                holder_since := NULL; holder_query := NULL;
                BEGIN
                    PERFORM mc_lock_row(p_tables[i], p_ids[i], p_modes[i], true);
                    RAISE EXCEPTION 'probed' USING ERRCODE = 'MC200';
                EXCEPTION
                    WHEN lock_not_available THEN free := false;
                    WHEN SQLSTATE 'MC200' THEN free := true;
                END;
                IF NOT free THEN
                    EXECUTE format('SELECT xmax FROM %I WHERE id = $1', p_tables[i]) INTO locker USING p_ids[i];
                    SELECT array_agg(l.pid) INTO holders FROM pg_locks l
                    WHERE l.locktype = 'transactionid' AND l.transactionid = locker AND l.mode = 'ExclusiveLock' AND l.granted;
                    IF holders IS NULL THEN
                        -- Several lockers share the row: its xmax is a MultiXact of their transactions.
                        BEGIN
                            SELECT array_agg(l.pid) INTO holders FROM pg_get_multixact_members(locker) m
                            JOIN pg_locks l ON l.locktype = 'transactionid' AND l.transactionid = m.xid
                                           AND l.mode = 'ExclusiveLock' AND l.granted;
                        EXCEPTION WHEN OTHERS THEN
                            holders := NULL;
                        END;
                    END IF;
                    SELECT a.pid, a.usename::text, COALESCE(a.application_name, ''), COALESCE(a.state, ''), a.xact_start,
                           left(COALESCE(a.query, ''), 200)
                    INTO holder_pid, holder_login, holder_application, holder_state, holder_since, holder_query
                    FROM pg_stat_activity a WHERE a.pid = ANY (holders) ORDER BY a.xact_start LIMIT 1;
                END IF;
                RETURN NEXT;
            END LOOP;
        END $fn$;
        """

    /// ``Migration/v10ActionPlans``' privileges: the search path pinned on the SECURITY DEFINER
    /// functions it (re)creates, which every login may call (each checks the login itself, or
    /// only reads ids and probes); the others only run inside them.
    static let planPrivileges = """
        DO $$
        DECLARE
            schema_name TEXT := current_schema();
            f RECORD;
        BEGIN
            FOR f IN
                SELECT p.oid::regprocedure AS signature, p.prosecdef FROM pg_proc p
                WHERE p.pronamespace = schema_name::regnamespace
                  AND p.proname IN ('mc_action_rows', 'mc_lock_row', 'mc_lock_action_rows', 'mc_probe_rows',
                                    'mc_op_cancel_auction', 'mc_op_reject_proposal', 'mc_lock_pending_transfer', 'mc_settle_transfer',
                                    'mc_settle_withdrawal',
                                    'mc_op_resolve_transfer', 'mc_op_retry_transfer', 'mc_op_resolve_withdrawal',
                                    'mc_op_release_lock', 'mc_op_request_approval', 'mc_op_reject_approval')
            LOOP
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.signature);
                IF f.prosecdef THEN
                    EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f.signature, schema_name);
                    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', f.signature);
                END IF;
            END LOOP;
        END $$;
        """
}
