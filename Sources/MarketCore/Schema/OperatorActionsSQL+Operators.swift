extension OperatorActionsSQL {
    /// Operators are logins granted one of the four groups. Admins change them; so may the schema's
    /// owner (the login that ran `migrate`, which sets the first admins up and owns every table
    /// anyway) and a superuser (which can grant roles anyway) — audited as such.
    static let operators = """
        -- The group a login was granted directly (its highest), or NULL.
        CREATE FUNCTION mc_operator_group(p_login TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $fn$
            SELECT (ARRAY['viewer', 'oncall', 'moderator', 'admin'])[max(array_position(
                       ARRAY['market_viewer', 'market_oncall', 'market_moderator', 'market_admin'], g.rolname::text))]
            FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
            WHERE m.rolname = p_login AND g.rolname IN ('market_viewer', 'market_oncall', 'market_moderator', 'market_admin')
        $fn$;

        -- Who may change operators now, and as what the audit names them.
        CREATE FUNCTION mc_authorize_operator_change(p_reason TEXT) RETURNS TEXT LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext('market operators'));
            IF mc_is_superuser(session_user) THEN
                RETURN 'superuser';
            END IF;
            IF session_user = current_user THEN  -- current_user: these functions' owner, who ran migrate
                RETURN 'schema owner';
            END IF;
            RETURN mc_authorize('manage-operators', p_reason);
        END $fn$;

        -- Refuses to take the role from the last admin.
        CREATE FUNCTION mc_require_another_admin(p_login TEXT) RETURNS VOID LANGUAGE plpgsql AS $fn$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
                           WHERE g.rolname = 'market_admin' AND m.rolname <> p_login) THEN
                RAISE EXCEPTION 'operator % is the last admin: add another admin first', p_login USING ERRCODE = 'MC422';
            END IF;
        END $fn$;

        CREATE FUNCTION mc_op_add_operator(p_login TEXT, p_role TEXT, p_reason TEXT) RETURNS TEXT
        LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize_operator_change(p_reason);
            previous TEXT := mc_operator_group(p_login);
            created BOOLEAN := false;
            detail TEXT;
        BEGIN
            IF p_role IS NULL OR p_role NOT IN ('viewer', 'oncall', 'moderator', 'admin') THEN
                RAISE EXCEPTION 'unknown role %: viewer, oncall, moderator or admin', p_role USING ERRCODE = 'MC400';
            END IF;
            IF p_login IS NULL OR length(p_login) NOT BETWEEN 1 AND 63 OR p_login ~ '[[:space:][:cntrl:]]'
               OR p_login LIKE 'market\\_%' OR p_login LIKE 'pg\\_%' THEN
                RAISE EXCEPTION 'an operator login needs 1 to 63 characters, no spaces, and no market_ or pg_ prefix'
                    USING ERRCODE = 'MC400';
            END IF;
            IF previous IS NOT DISTINCT FROM p_role THEN
                RETURN NULL;
            END IF;
            IF previous = 'admin' THEN
                PERFORM mc_require_another_admin(p_login);
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN
                EXECUTE format('CREATE ROLE %I LOGIN', p_login);
                created := true;
            END IF;
            EXECUTE format('REVOKE market_viewer, market_oncall, market_moderator, market_admin FROM %I', p_login);
            EXECUTE format('GRANT %I TO %I', 'market_' || p_role, p_login);
            detail := COALESCE('role ' || previous || ' → ' || p_role, 'added as ' || p_role)
                || CASE WHEN created THEN '; login created' ELSE '' END;
            PERFORM mc_audit(operator_role, 'manage-operators', 'operator:' || p_login, COALESCE(p_reason, ''), detail);
            RETURN detail;
        END $fn$;

        CREATE FUNCTION mc_op_remove_operator(p_login TEXT, p_reason TEXT) RETURNS TEXT
        LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            operator_role TEXT := mc_authorize_operator_change(p_reason);
            previous TEXT := mc_operator_group(p_login);
            detail TEXT;
        BEGIN
            IF previous IS NULL THEN
                RAISE EXCEPTION 'no operator %', p_login USING ERRCODE = 'MC404';
            END IF;
            IF previous = 'admin' THEN
                PERFORM mc_require_another_admin(p_login);
            END IF;
            EXECUTE format('REVOKE market_viewer, market_oncall, market_moderator, market_admin FROM %I', p_login);
            detail := 'removed (was ' || previous || ')';
            PERFORM mc_audit(operator_role, 'manage-operators', 'operator:' || p_login, COALESCE(p_reason, ''), detail);
            RETURN detail;
        END $fn$;
        """
}
