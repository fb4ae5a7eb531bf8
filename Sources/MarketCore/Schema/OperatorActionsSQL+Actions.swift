extension OperatorActionsSQL {
    /// The actions on the market's rows. Each locks exactly the rows of its plan first, in the
    /// plan's order (then, run through an approval, the approval) (``plans``' `mc_lock_action_rows`: parent before child, users in id order, `FOR NO KEY
    /// UPDATE` on users), and returns the detail its audit row carries. `CREATE OR REPLACE`: the
    /// current definitions, created by ``Migration/v7OperatorActions`` and re-applied by
    /// ``Migration/v10ActionPlans`` when they changed.
    static let actions = """
        CREATE OR REPLACE FUNCTION mc_op_cancel_auction(p_auction BIGINT, p_expected_version BIGINT, p_reason TEXT, p_approval BIGINT)
        RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize('cancel-auction', p_reason);
            audit_reason TEXT;
            a auctions%ROWTYPE;
            now_is TEXT[] := ARRAY[]::TEXT[];
            detail TEXT;
        BEGIN
            PERFORM mc_lock_action_rows('cancel-auction', p_auction);
            audit_reason := mc_consume_approval(p_approval, 'cancel-auction', p_auction, p_expected_version, NULL,
                                                operator_role, p_reason);
            SELECT * INTO a FROM auctions WHERE id = p_auction;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'auction % does not exist', p_auction USING ERRCODE = 'MC404';
            END IF;
            IF p_expected_version IS NOT NULL AND a.version <> p_expected_version THEN
                IF a.state = 'cancelled' THEN
                    now_is := now_is || ('cancelled' || COALESCE(' by ' || a.cancelled_by, ' (' || a.cancel_reason || ')', ''));
                ELSIF a.state <> 'active' THEN
                    now_is := now_is || a.state;
                END IF;
                IF a.current_bid IS NOT NULL THEN
                    now_is := now_is || format('top bid %s by %s', mc_ton(a.current_bid),
                        COALESCE((SELECT name FROM users WHERE id = a.current_bidder_id), 'user ' || a.current_bidder_id));
                END IF;
                now_is := now_is || CASE a.bid_count WHEN 0 THEN 'no bids' WHEN 1 THEN '1 bid' ELSE a.bid_count || ' bids' END;
                PERFORM mc_changed('auction ' || p_auction, array_to_string(now_is, ', '));
            END IF;
            IF a.state <> 'active' THEN
                RAISE EXCEPTION 'auction % is %', p_auction, a.state USING ERRCODE = 'MC422';
            END IF;
            IF a.current_bidder_id IS NOT NULL THEN
                UPDATE users SET balance = balance + a.current_bid, held = held - a.current_bid, updated_at = now()
                WHERE id = a.current_bidder_id;
            END IF;
            UPDATE nfts SET state = 'owned', price = NULL, version = version + 1, updated_at = now() WHERE id = a.nft_id;
            UPDATE auctions SET state = 'cancelled', cancelled_by = session_user, cancel_reason = audit_reason,
                version = version + 1, updated_at = now() WHERE id = p_auction;
            detail := format('NFT %s back to user %s', a.nft_id, a.seller_id)
                || COALESCE(format('; %s back to user %s', mc_ton(a.current_bid), a.current_bidder_id), '');
            PERFORM mc_audit(operator_role, 'cancel-auction', 'auction:' || p_auction, audit_reason, detail);
            RETURN detail;
        END $fn$;

        CREATE OR REPLACE FUNCTION mc_op_reject_proposal(p_proposal BIGINT, p_expected_version BIGINT, p_reason TEXT, p_approval BIGINT)
        RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize('reject-proposal', p_reason);
            audit_reason TEXT;
            p trade_proposals%ROWTYPE;
            items BIGINT[];
            detail TEXT;
        BEGIN
            PERFORM mc_lock_action_rows('reject-proposal', p_proposal);
            audit_reason := mc_consume_approval(p_approval, 'reject-proposal', p_proposal, p_expected_version, NULL,
                                                operator_role, p_reason);
            SELECT * INTO p FROM trade_proposals WHERE id = p_proposal;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'proposal % does not exist', p_proposal USING ERRCODE = 'MC404';
            END IF;
            IF p_expected_version IS NOT NULL AND p.version <> p_expected_version THEN
                PERFORM mc_changed('proposal ' || p_proposal,
                                   p.state || COALESCE(' by ' || p.resolved_by, '') || COALESCE(' (' || p.reason || ')', ''));
            END IF;
            IF p.state <> 'pending' THEN
                RAISE EXCEPTION 'proposal % is %', p_proposal, p.state USING ERRCODE = 'MC422';
            END IF;
            SELECT array_agg(nft_id ORDER BY nft_id) INTO items FROM trade_proposal_items WHERE proposal_id = p_proposal;
            UPDATE nfts SET state = 'owned', price = NULL, version = version + 1, updated_at = now() WHERE id = ANY (items);
            UPDATE trade_proposals SET state = 'rejected', reason = audit_reason, resolved_by = session_user,
                version = version + 1, updated_at = now() WHERE id = p_proposal;
            detail := format('NFTs %s back to user %s', array_to_string(items, ', '), p.proposer_id);
            PERFORM mc_audit(operator_role, 'reject-proposal', 'proposal:' || p_proposal, audit_reason, detail);
            RETURN detail;
        END $fn$;

        -- Locks a transfer's channel, then the transfer, which must be at p_expected_version and pending.
        -- (The reconciler's way in; an operator's action has locked its plan's rows already.)
        CREATE OR REPLACE FUNCTION mc_lock_pending_transfer(p_transfer BIGINT, p_expected_version BIGINT)
        RETURNS channel_transfers LANGUAGE plpgsql AS $fn$
        DECLARE
            t channel_transfers%ROWTYPE;
        BEGIN
            PERFORM 1 FROM channels WHERE id = (SELECT channel_id FROM channel_transfers WHERE id = p_transfer)
                FOR UPDATE OF channels;
            SELECT * INTO t FROM channel_transfers WHERE id = p_transfer FOR UPDATE OF channel_transfers;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'transfer % does not exist', p_transfer USING ERRCODE = 'MC404';
            END IF;
            IF p_expected_version IS NOT NULL AND t.version <> p_expected_version THEN
                PERFORM mc_changed('transfer ' || p_transfer, t.state || COALESCE(' by ' || t.resolved_by, '') || ', '
                                   || mc_attempts(t.attempts) || COALESCE(', last error: ' || t.last_error, ''));
            END IF;
            IF t.state <> 'pending' THEN
                RAISE EXCEPTION 'transfer % is already %', p_transfer, t.state USING ERRCODE = 'MC422';
            END IF;
            RETURN t;
        END $fn$;

        -- The channel changed hands (p_complete: escrow pays the seller less commission, the buyer
        -- owns it) or will not (the escrow goes back to the buyer; p_relist lists the channel again).
        CREATE OR REPLACE FUNCTION mc_settle_transfer(t channel_transfers, p_complete BOOLEAN, p_relist BOOLEAN, p_note TEXT,
                                           p_reason TEXT) RETURNS TEXT LANGUAGE plpgsql AS $fn$
        DECLARE
            reference TEXT := 'transfer:' || t.id;
        BEGIN
            -- The users are locked here for the reconciler; an operator's action has locked them with its plan.
            IF p_complete THEN
                PERFORM 1 FROM users WHERE id IN (t.buyer_id, t.seller_id) ORDER BY id FOR NO KEY UPDATE OF users;
                UPDATE channels SET owner_id = t.buyer_id, state = 'owned', price = NULL, version = version + 1,
                    updated_at = now() WHERE id = t.channel_id;
                UPDATE channel_transfers SET state = 'completed', attempts = attempts + 1, resolved_by = session_user,
                    resolution_reason = p_reason, version = version + 1, updated_at = now() WHERE id = t.id;
                UPDATE users SET held = held - t.price, updated_at = now() WHERE id = t.buyer_id;
                INSERT INTO ledger (account_id, delta, kind, reference) VALUES (t.buyer_id, -t.price, 'channel_escrow', reference);
                IF t.price <> t.commission THEN
                    UPDATE users SET balance = balance + (t.price - t.commission), updated_at = now() WHERE id = t.seller_id;
                    INSERT INTO ledger (account_id, delta, kind, reference) VALUES (t.seller_id, t.price - t.commission, 'sale', reference);
                END IF;
                IF t.commission <> 0 THEN
                    UPDATE users SET balance = balance + t.commission, updated_at = now() WHERE id = 0;
                    INSERT INTO ledger (account_id, delta, kind, reference) VALUES (0, t.commission, 'commission', reference);
                END IF;
                RETURN format('channel %s to user %s; %s to user %s', t.channel_id, t.buyer_id, mc_ton(t.price - t.commission),
                              t.seller_id);
            END IF;
            PERFORM 1 FROM users WHERE id = t.buyer_id FOR NO KEY UPDATE OF users;
            UPDATE users SET balance = balance + t.price, held = held - t.price, updated_at = now() WHERE id = t.buyer_id;
            UPDATE channels SET state = CASE WHEN p_relist THEN 'listed' ELSE 'owned' END,
                price = CASE WHEN p_relist THEN price END, version = version + 1, updated_at = now() WHERE id = t.channel_id;
            UPDATE channel_transfers SET state = 'cancelled', attempts = attempts + 1, last_error = p_note,
                resolved_by = session_user, resolution_reason = p_reason, version = version + 1, updated_at = now()
            WHERE id = t.id;
            RETURN format('%s back to user %s; channel %s stays with user %s', mc_ton(t.price), t.buyer_id, t.channel_id,
                          t.seller_id);
        END $fn$;

        -- Force-complete (p_complete) or cancel a stuck pending transfer.
        CREATE OR REPLACE FUNCTION mc_op_resolve_transfer(p_transfer BIGINT, p_complete BOOLEAN, p_expected_version BIGINT, p_reason TEXT,
                                               p_approval BIGINT) RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            action TEXT := CASE WHEN p_complete THEN 'force-complete-transfer' ELSE 'cancel-transfer' END;
            operator_role TEXT := mc_authorize(action, p_reason);
            audit_reason TEXT;
            t channel_transfers%ROWTYPE;
            detail TEXT;
        BEGIN
            PERFORM mc_lock_action_rows(action, p_transfer);
            audit_reason := mc_consume_approval(p_approval, action, p_transfer, p_expected_version, NULL, operator_role, p_reason);
            t := mc_lock_pending_transfer(p_transfer, p_expected_version);
            detail := mc_settle_transfer(t, p_complete, false, 'cancelled by ' || session_user || ': ' || audit_reason,
                                         audit_reason);
            PERFORM mc_audit(operator_role, action, 'transfer:' || p_transfer, audit_reason, detail);
            RETURN detail;
        END $fn$;

        -- An admin's retry: checked before Telegram is called (p_outcome NULL), then its outcome
        -- recorded: 'completed', 'refused' (refund, channel listed again) or 'unknown' (still pending).
        -- A completion or refund that is under the two-person rule is filed as a request instead.
        CREATE OR REPLACE FUNCTION mc_op_retry_transfer(p_transfer BIGINT, p_expected_version BIGINT, p_reason TEXT, p_outcome TEXT,
                                             p_note TEXT, p_attempts INTEGER) RETURNS TEXT
        LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize('retry-transfer', p_reason);
            t channel_transfers%ROWTYPE;
            settling TEXT := CASE p_outcome WHEN 'completed' THEN 'force-complete-transfer' WHEN 'refused' THEN 'cancel-transfer' END;
            detail TEXT;
        BEGIN
            PERFORM mc_lock_action_rows('retry-transfer', p_transfer);
            t := mc_lock_pending_transfer(p_transfer, p_expected_version);
            IF p_outcome IS NULL THEN
                RETURN 'checked';
            ELSIF p_outcome NOT IN ('completed', 'refused', 'unknown') THEN
                RAISE EXCEPTION 'unknown retry outcome %', p_outcome USING ERRCODE = 'MC400';
            END IF;
            IF settling IS NULL OR EXISTS (SELECT 1 FROM operator_policy WHERE action = settling) THEN
                UPDATE channel_transfers SET attempts = attempts + GREATEST(p_attempts, 1), last_error = p_note,
                    version = version + 1, updated_at = now() WHERE id = p_transfer;
                detail := CASE p_outcome WHEN 'unknown' THEN format('still pending: Telegram did not say whether channel %s moved',
                                                                    t.channel_id)
                          ELSE 'still pending: ' || p_note END;
                IF settling IS NOT NULL THEN
                    INSERT INTO operator_approvals (action, target_id, expected_version, reason, requested_by)
                    SELECT settling, p_transfer, t.version + 1, 'retry: ' || p_note, session_user
                    WHERE NOT EXISTS (SELECT 1 FROM operator_approvals
                                      WHERE action = settling AND target_id = p_transfer AND state = 'pending');
                    detail := detail || '; ' || settling || ' waits for a second operator';
                END IF;
            ELSE
                detail := mc_settle_transfer(t, p_outcome = 'completed', true, p_note, p_reason);
                IF p_outcome = 'refused' THEN
                    detail := format('refunded: %s back to user %s (%s)', mc_ton(t.price), t.buyer_id, p_note);
                ELSE
                    detail := 'completed: ' || detail;
                END IF;
            END IF;
            PERFORM mc_audit(operator_role, 'retry-transfer', 'transfer:' || p_transfer, p_reason, detail);
            RETURN detail;
        END $fn$;

        -- Resolve a pending withdrawal as sent (with the tx hash the admin found) or failed (refund).
        CREATE OR REPLACE FUNCTION mc_op_resolve_withdrawal(p_withdrawal BIGINT, p_tx_hash TEXT, p_expected_version BIGINT, p_reason TEXT,
                                                 p_approval BIGINT) RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize('resolve-withdrawal', p_reason);
            audit_reason TEXT;
            w withdrawals%ROWTYPE;
            detail TEXT;
        BEGIN
            PERFORM mc_lock_action_rows('resolve-withdrawal', p_withdrawal);
            audit_reason := mc_consume_approval(p_approval, 'resolve-withdrawal', p_withdrawal, p_expected_version, p_tx_hash,
                                                operator_role, p_reason);
            SELECT * INTO w FROM withdrawals WHERE id = p_withdrawal;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'withdrawal % does not exist', p_withdrawal USING ERRCODE = 'MC404';
            END IF;
            IF p_expected_version IS NOT NULL AND w.version <> p_expected_version THEN
                PERFORM mc_changed('withdrawal ' || p_withdrawal, w.state || COALESCE(', tx ' || w.tx_hash, '') || ', '
                                   || mc_attempts(w.attempts) || COALESCE(', last error: ' || w.last_error, ''));
            END IF;
            IF w.state <> 'pending' THEN
                RAISE EXCEPTION 'withdrawal % is already %', p_withdrawal, w.state USING ERRCODE = 'MC422';
            END IF;
            detail := mc_settle_withdrawal(w, p_tx_hash, 'resolved as failed by ' || session_user);
            PERFORM mc_audit(operator_role, 'resolve-withdrawal', 'withdrawal:' || p_withdrawal, audit_reason, detail);
            RETURN detail;
        END $fn$;

        -- A pending withdrawal, its row and its user's locked, was sent (p_tx_hash) or failed: the
        -- user is refunded, with p_failure as its last error. An operator's resolution and the
        -- reconciler's both end here.
        CREATE OR REPLACE FUNCTION mc_settle_withdrawal(w withdrawals, p_tx_hash TEXT, p_failure TEXT) RETURNS TEXT
        LANGUAGE plpgsql AS $fn$
        BEGIN
            IF p_tx_hash IS NOT NULL THEN
                UPDATE withdrawals SET state = 'sent', tx_hash = p_tx_hash, attempts = attempts + 1, resolved_by = session_user,
                    version = version + 1, updated_at = now() WHERE id = w.id;
                RETURN 'sent, tx ' || p_tx_hash;
            END IF;
            UPDATE withdrawals SET state = 'failed', last_error = p_failure, resolved_by = session_user, version = version + 1,
                updated_at = now() WHERE id = w.id;
            UPDATE users SET balance = balance + w.amount, updated_at = now() WHERE id = w.user_id;
            INSERT INTO ledger (account_id, delta, kind, reference) VALUES (w.user_id, w.amount, 'withdrawal_refund', 'withdrawal:' || w.id);
            RETURN format('failed, %s refunded to user %s', mc_ton(w.amount), w.user_id);
        END $fn$;

        -- An operator takes over a lock whose holder is gone: the new fence is committed for the key.
        CREATE OR REPLACE FUNCTION mc_op_release_lock(p_key TEXT, p_new_fence BIGINT, p_reason TEXT, p_detail TEXT)
        RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize('release-lock', p_reason);
        BEGIN
            PERFORM mc_check_fence(p_key, p_new_fence);
            PERFORM mc_audit(operator_role, 'release-lock', p_key, p_reason, p_detail);
            RETURN p_detail;
        END $fn$;
        """
}
