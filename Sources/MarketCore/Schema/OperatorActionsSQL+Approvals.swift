extension OperatorActionsSQL {
    /// Asking for a second operator, and turning a request down. Approving is the action itself,
    /// run with the approval's id (``support``'s `mc_consume_approval`). Current definitions, as
    /// for ``actions``.
    static let approvals = """
        CREATE OR REPLACE FUNCTION mc_op_request_approval(p_action TEXT, p_target BIGINT, p_expected_version BIGINT, p_argument TEXT,
                                               p_reason TEXT) RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize(p_action, p_reason);
            open_request BIGINT;
            request BIGINT;
            target TEXT := CASE p_action WHEN 'cancel-auction' THEN 'auction:' WHEN 'reject-proposal' THEN 'proposal:'
                                         WHEN 'resolve-withdrawal' THEN 'withdrawal:' ELSE 'transfer:' END || p_target;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM operator_policy WHERE action = p_action) THEN
                RAISE EXCEPTION '% does not need a second operator: run it directly', p_action USING ERRCODE = 'MC400';
            END IF;
            SELECT id INTO open_request FROM operator_approvals
            WHERE action = p_action AND target_id = p_target AND state IN ('pending', 'approved');
            IF FOUND THEN
                RAISE EXCEPTION '% of % already waits for approval %', p_action, p_target, open_request USING ERRCODE = 'MC422';
            END IF;
            INSERT INTO operator_approvals (action, target_id, expected_version, argument, reason, requested_by)
            VALUES (p_action, p_target, p_expected_version, p_argument, p_reason, session_user)
            RETURNING id INTO request;
            PERFORM mc_audit(operator_role, p_action, target, p_reason,
                             'waiting for a second operator: approval ' || request, 'pending approval');
            RETURN request;
        END $fn$;

        CREATE OR REPLACE FUNCTION mc_op_reject_approval(p_approval BIGINT, p_reason TEXT) RETURNS TEXT
        LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            request operator_approvals%ROWTYPE;
            operator_role TEXT;
            detail TEXT;
        BEGIN
            PERFORM mc_lock_action_rows('reject-approval', p_approval);
            SELECT * INTO request FROM operator_approvals WHERE id = p_approval;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'approval % does not exist', p_approval USING ERRCODE = 'MC404';
            END IF;
            operator_role := mc_authorize(request.action, p_reason);
            IF request.state <> 'pending' THEN
                RAISE EXCEPTION 'approval % is already %', p_approval, request.state || COALESCE(' by ' || request.decided_by, '')
                    USING ERRCODE = 'MC422';
            END IF;
            UPDATE operator_approvals SET state = 'rejected', decided_by = session_user, decided_at = now(), outcome = p_reason
            WHERE id = p_approval;
            detail := format('%s of %s requested by %s', request.action, request.target_id, request.requested_by);
            PERFORM mc_audit(operator_role, 'reject-approval', 'approval:' || p_approval, p_reason, detail);
            RETURN detail;
        END $fn$;
        """
}
