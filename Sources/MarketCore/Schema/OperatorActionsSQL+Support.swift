/// The SQL of ``Migration/v7OperatorActions``, one file per part.
enum OperatorActionsSQL {
    /// What every operator function shares: the role check, the audit row, the approval it may
    /// consume, and the messages that MarketCore shows as they are.
    static let support = """
        -- 1.5 TON, as TON.format writes it.
        CREATE FUNCTION mc_ton(p_amount BIGINT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $fn$
            SELECT CASE WHEN p_amount < 0 THEN '-' ELSE '' END || (abs(p_amount) / 1000000000)::text
                || COALESCE('.' || NULLIF(rtrim(lpad((abs(p_amount) % 1000000000)::text, 9, '0'), '0'), ''), '') || ' TON'
        $fn$;

        -- The roles that may take an action (OperatorAction.allowedRoles).
        CREATE FUNCTION mc_action_roles(p_action TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $fn$
            SELECT CASE
                WHEN p_action IN ('cancel-auction', 'reject-proposal') THEN ARRAY['admin', 'moderator']
                WHEN p_action IN ('force-complete-transfer', 'cancel-transfer', 'resolve-withdrawal', 'retry-transfer',
                                  'manage-operators') THEN ARRAY['admin']
                WHEN p_action = 'release-lock' THEN ARRAY['admin', 'oncall']
                ELSE ARRAY[]::TEXT[] END
        $fn$;

        -- session_user's role when it may take p_action; raises MC403 otherwise, MC400 without a reason.
        -- Also bounds the action's row-lock waits, so an operator's console never hangs on a row.
        CREATE FUNCTION mc_authorize(p_action TEXT, p_reason TEXT) RETURNS TEXT LANGUAGE plpgsql AS $fn$
        DECLARE
            operator_role TEXT := mc_operator_role(session_user);
            allowed TEXT[] := mc_action_roles(p_action);
        BEGIN
            IF btrim(COALESCE(p_reason, '')) = '' THEN
                RAISE EXCEPTION '% needs a reason', p_action USING ERRCODE = 'MC400';
            END IF;
            PERFORM set_config('lock_timeout', '5s', true);
            IF NOT operator_role = ANY (allowed) THEN
                RAISE EXCEPTION 'operator % (%) may not %: % only', session_user, operator_role, p_action,
                    array_to_string(allowed, ' or ') USING ERRCODE = 'MC403';
            END IF;
            RETURN operator_role;
        END $fn$;

        -- One audit row; the operator is session_user (the table's trigger sees to it).
        CREATE FUNCTION mc_audit(p_role TEXT, p_action TEXT, p_target TEXT, p_reason TEXT, p_detail TEXT,
                                 p_outcome TEXT DEFAULT 'done') RETURNS VOID LANGUAGE sql AS $fn$
            INSERT INTO operator_actions (operator, role, action, target, reason, outcome, detail)
            VALUES (session_user, p_role, p_action, p_target, p_reason, p_outcome, p_detail)
        $fn$;

        -- The audit row of an attempt refused for the caller's role, written after its transaction
        -- rolled back. Anyone may call it: it only ever records the caller as refused.
        CREATE FUNCTION mc_audit_refusal(p_action TEXT, p_target TEXT, p_reason TEXT, p_detail TEXT)
        RETURNS VOID LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        BEGIN
            IF p_action NOT IN ('cancel-auction', 'reject-proposal', 'force-complete-transfer', 'cancel-transfer',
                                'resolve-withdrawal', 'release-lock', 'retry-transfer', 'manage-operators', 'approve',
                                'reject-approval') THEN
                RAISE EXCEPTION 'no operator action %', left(p_action, 40) USING ERRCODE = 'MC400';
            END IF;
            PERFORM mc_audit(mc_operator_role(session_user), p_action, left(p_target, 200), left(COALESCE(p_reason, ''), 1000),
                             left(p_detail, 1000), 'forbidden');
        END $fn$;

        CREATE FUNCTION mc_changed(p_what TEXT, p_now TEXT) RETURNS VOID LANGUAGE plpgsql AS $fn$
        BEGIN
            RAISE EXCEPTION '% changed since you looked (now: %) — review and confirm again', p_what, p_now
                USING ERRCODE = 'MC412';
        END $fn$;

        CREATE FUNCTION mc_attempts(p_attempts INTEGER) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $fn$
            SELECT CASE p_attempts WHEN 1 THEN '1 attempt' ELSE p_attempts || ' attempts' END
        $fn$;

        -- Where p_action is under the two-person rule it runs only with a pending approval of
        -- exactly this action, target, version and argument, requested by another login and
        -- decided here, once, by session_user (never a superuser session). Returns the reason the
        -- action's audit row carries: the requester's, naming them and the approval.
        CREATE FUNCTION mc_consume_approval(p_approval BIGINT, p_action TEXT, p_target BIGINT, p_expected_version BIGINT,
                                            p_argument TEXT, p_role TEXT, p_reason TEXT) RETURNS TEXT LANGUAGE plpgsql AS $fn$
        DECLARE
            request operator_approvals%ROWTYPE;
        BEGIN
            IF p_approval IS NULL THEN
                IF EXISTS (SELECT 1 FROM operator_policy WHERE action = p_action) THEN
                    RAISE EXCEPTION '% needs a second operator: request it and have another operator approve it '
                        '(market-console action approve --id …)', p_action USING ERRCODE = 'MC428';
                END IF;
                RETURN p_reason;
            END IF;
            SELECT * INTO request FROM operator_approvals WHERE id = p_approval FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'approval % does not exist', p_approval USING ERRCODE = 'MC404';
            END IF;
            IF request.state <> 'pending' THEN
                RAISE EXCEPTION 'approval % is already %', p_approval, request.state || COALESCE(' by ' || request.decided_by, '')
                    USING ERRCODE = 'MC422';
            END IF;
            IF request.action IS DISTINCT FROM p_action OR request.target_id IS DISTINCT FROM p_target
               OR request.expected_version IS DISTINCT FROM p_expected_version OR request.argument IS DISTINCT FROM p_argument THEN
                RAISE EXCEPTION 'approval % is for % of %, not this action', p_approval, request.action, request.target_id
                    USING ERRCODE = 'MC400';
            END IF;
            -- The login the server authenticated (SET SESSION AUTHORIZATION does not change it).
            IF mc_is_superuser(session_user) OR EXISTS (
                SELECT 1 FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
                WHERE a.pid = pg_backend_pid() AND (r.rolsuper OR r.rolname <> session_user)) THEN
                RAISE EXCEPTION '% is a superuser session, which can take any identity: approvals need an ordinary login',
                    session_user USING ERRCODE = 'MC403';
            END IF;
            -- A second approver made (or promoted) after the request cannot approve it: one admin
            -- cannot add a login of its own and approve with it.
            IF EXISTS (SELECT 1 FROM operator_actions WHERE action = 'manage-operators' AND outcome = 'done'
                       AND target = 'operator:' || session_user AND created_at >= request.created_at) THEN
                RAISE EXCEPTION '% was made an operator after approval % was asked for: another operator must approve it',
                    session_user, p_approval USING ERRCODE = 'MC403';
            END IF;
            IF request.requested_by = session_user THEN
                RAISE EXCEPTION '% asked for approval %: a second operator must approve it', session_user, p_approval
                    USING ERRCODE = 'MC403';
            END IF;
            UPDATE operator_approvals SET state = 'done', decided_by = session_user, decided_at = now(), outcome = 'done'
            WHERE id = p_approval;
            PERFORM mc_audit(p_role, 'approve', 'approval:' || p_approval, p_reason,
                             format('%s of %s requested by %s', request.action, request.target_id, request.requested_by));
            RETURN format('%s (requested by %s, approval %s)', request.reason, request.requested_by, p_approval);
        END $fn$;
        """
}
