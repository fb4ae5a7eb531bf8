/// The SQL of ``Migration/v8Reconciler``. ``functions`` are the current definitions (`CREATE OR
/// REPLACE`), re-applied with ``privileges`` by ``Migration/v10ActionPlans``, where the settling of a
/// withdrawal became the operators' `mc_settle_withdrawal` and its rows those of the operators' plan.
enum ReconcilerSQL {
    static let schema = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'market_reconciler') THEN
                BEGIN
                    CREATE ROLE market_reconciler NOLOGIN;
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;  -- another database of the cluster created it just now
                END;
            END IF;
        END $$;

        -- When the reconciler asks about a pending row again (backoff), and how often it asked.
        ALTER TABLE channel_transfers ADD COLUMN reconcile_asks INTEGER NOT NULL DEFAULT 0,
            ADD COLUMN reconcile_after TIMESTAMPTZ;
        ALTER TABLE withdrawals ADD COLUMN reconcile_asks INTEGER NOT NULL DEFAULT 0,
            ADD COLUMN reconcile_after TIMESTAMPTZ;

        -- The simulated Telegram and TON: what they did with each request key.
        CREATE TABLE simulated_gateway_effects (
            request_key TEXT PRIMARY KEY,
            outcome     TEXT NOT NULL CHECK (outcome IN ('done', 'not_yet', 'expired')),
            result      TEXT,
            visible_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
            updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        """

    static let functions = """
        -- session_user's reconciler role; MC403 for any other login, MC400 without evidence.
        CREATE OR REPLACE FUNCTION mc_reconciler_authorize(p_evidence TEXT) RETURNS TEXT LANGUAGE plpgsql AS $fn$
        BEGIN
            IF NOT pg_has_role(session_user, 'market_reconciler', 'MEMBER') THEN
                RAISE EXCEPTION 'login % is not a reconciler (market_reconciler only)', session_user USING ERRCODE = 'MC403';
            END IF;
            IF btrim(COALESCE(p_evidence, '')) = '' THEN
                RAISE EXCEPTION 'the reconciler settles only on the gateway''s evidence, and none was given'
                    USING ERRCODE = 'MC400';
            END IF;
            PERFORM set_config('lock_timeout', '5s', true);
            RETURN 'reconciler';
        END $fn$;

        -- Telegram said the transfer happened (p_moved: complete it) or can never happen (refund the
        -- buyer, list the channel again).
        CREATE OR REPLACE FUNCTION mc_rec_settle_transfer(p_transfer BIGINT, p_expected_version BIGINT, p_moved BOOLEAN, p_evidence TEXT)
        RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_reconciler_authorize(p_evidence);
            t channel_transfers%ROWTYPE;
            detail TEXT;
        BEGIN
            IF p_expected_version IS NULL OR p_moved IS NULL THEN
                RAISE EXCEPTION 'the reconciler settles a transfer at the version it read' USING ERRCODE = 'MC400';
            END IF;
            t := mc_lock_pending_transfer(p_transfer, p_expected_version);
            detail := mc_settle_transfer(t, p_moved, true, 'reconciler: ' || p_evidence, p_evidence);
            detail := CASE WHEN p_moved THEN 'completed: ' || detail
                      ELSE format('refunded: %s back to user %s; channel %s listed again', mc_ton(t.price), t.buyer_id,
                                  t.channel_id) END;
            PERFORM mc_audit(operator_role, 'reconcile-transfer', 'transfer:' || p_transfer, p_evidence, detail);
            RETURN detail;
        END $fn$;

        -- TON showed the payout's transaction (p_tx_hash: sent) or that it can never be sent (NULL: refund).
        CREATE OR REPLACE FUNCTION mc_rec_settle_withdrawal(p_withdrawal BIGINT, p_expected_version BIGINT, p_tx_hash TEXT, p_evidence TEXT)
        RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_reconciler_authorize(p_evidence);
            w withdrawals%ROWTYPE;
            detail TEXT;
        BEGIN
            IF p_expected_version IS NULL THEN
                RAISE EXCEPTION 'the reconciler settles a withdrawal at the version it read' USING ERRCODE = 'MC400';
            END IF;
            PERFORM mc_lock_action_rows('resolve-withdrawal', p_withdrawal);
            SELECT * INTO w FROM withdrawals WHERE id = p_withdrawal;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'withdrawal % does not exist', p_withdrawal USING ERRCODE = 'MC404';
            END IF;
            IF w.version <> p_expected_version THEN
                PERFORM mc_changed('withdrawal ' || p_withdrawal, w.state || COALESCE(' by ' || w.resolved_by, '')
                                   || COALESCE(', tx ' || w.tx_hash, '') || ', ' || mc_attempts(w.attempts));
            END IF;
            IF w.state <> 'pending' THEN
                RAISE EXCEPTION 'withdrawal % is already %', p_withdrawal, w.state USING ERRCODE = 'MC422';
            END IF;
            detail := mc_settle_withdrawal(w, p_tx_hash, 'reconciler: ' || p_evidence);
            PERFORM mc_audit(operator_role, 'reconcile-withdrawal', 'withdrawal:' || p_withdrawal, p_evidence, detail);
            RETURN detail;
        END $fn$;

        -- The gateway did not say: the ask is counted as an attempt (shown in the transfers view)
        -- and the next one waits (5 s doubling, at most 5 min). Returns false when the row is no
        -- longer pending at p_expected_version (someone settled it meanwhile).
        CREATE OR REPLACE FUNCTION mc_rec_note_unknown(p_kind TEXT, p_id BIGINT, p_expected_version BIGINT, p_note TEXT)
        RETURNS BOOLEAN LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_reconciler_authorize(p_note);
        BEGIN
            IF p_kind = 'channel' THEN
                UPDATE channel_transfers SET attempts = attempts + 1, reconcile_asks = reconcile_asks + 1,
                    last_error = format('reconciler asked %s: %s', mc_attempts(reconcile_asks + 1), p_note),
                    reconcile_after = now() + make_interval(secs => least(300, 5 * 2 ^ least(reconcile_asks, 10))),
                    version = version + 1, updated_at = now()
                WHERE id = p_id AND state = 'pending' AND version = p_expected_version;
            ELSIF p_kind = 'withdrawal' THEN
                UPDATE withdrawals SET attempts = attempts + 1, reconcile_asks = reconcile_asks + 1,
                    last_error = format('reconciler asked %s: %s', mc_attempts(reconcile_asks + 1), p_note),
                    reconcile_after = now() + make_interval(secs => least(300, 5 * 2 ^ least(reconcile_asks, 10))),
                    version = version + 1, updated_at = now()
                WHERE id = p_id AND state = 'pending' AND version = p_expected_version;
            ELSE
                RAISE EXCEPTION 'no pending kind %', left(p_kind, 40) USING ERRCODE = 'MC400';
            END IF;
            RETURN FOUND;
        END $fn$;
        """

    static let privileges = """
        DO $$
        DECLARE
            schema_name TEXT := current_schema();
            definer RECORD;
        BEGIN
            FOR definer IN
                SELECT p.oid::regprocedure AS signature FROM pg_proc p
                WHERE p.pronamespace = schema_name::regnamespace AND p.proname LIKE 'mc\\_rec\\_%'
            LOOP
                EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', definer.signature, schema_name);
                EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', definer.signature);
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO market_reconciler', definer.signature);
            END LOOP;
            REVOKE ALL ON FUNCTION mc_reconciler_authorize(TEXT) FROM PUBLIC;
            -- The reconciler commits locked Units of Work (their fence check).
            GRANT EXECUTE ON FUNCTION mc_check_fence(TEXT, BIGINT) TO market_reconciler;
            GRANT SELECT ON simulated_gateway_effects TO PUBLIC;
            -- Who calls the simulated gateways (the traffic) or asks them (the reconciler) writes their side.
            GRANT INSERT, UPDATE ON simulated_gateway_effects TO market_app, market_reconciler;
        END $$;
        """
}
