extension OperatorActionsSQL {
    /// Who may call what, and the pinned `search_path` the PostgreSQL manual asks of SECURITY
    /// DEFINER functions ("Writing SECURITY DEFINER Functions Safely"): the schema itself, then
    /// `pg_temp` last, so no object a caller creates can stand in for one of ours.
    static let privileges = """
        DO $$
        DECLARE
            schema_name TEXT := current_schema();
            definer RECORD;
        BEGIN
            EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC', schema_name);
            FOR definer IN
                SELECT p.oid::regprocedure AS signature, p.proname
                FROM pg_proc p WHERE p.pronamespace = schema_name::regnamespace AND p.prosecdef
            LOOP
                EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', definer.signature, schema_name);
                IF definer.proname = 'mc_check_fence' THEN
                    -- Whoever commits a locked Unit of Work: the market's traffic and the operators who act.
                    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO market_app, market_oncall, market_moderator, market_admin',
                                   definer.signature);
                ELSE
                    -- Every login may call them: each checks session_user's group itself (a login in none is a viewer).
                    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', definer.signature);
                END IF;
            END LOOP;
            GRANT EXECUTE ON FUNCTION mc_operator_role(NAME), mc_is_superuser(NAME), mc_operator_group(TEXT), mc_ton(BIGINT)
                TO PUBLIC;
        END $$;
        """
}
