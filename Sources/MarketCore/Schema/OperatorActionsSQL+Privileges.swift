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
                -- Every login may call them: each checks session_user's group itself (a login in none is a viewer).
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', definer.signature);
            END LOOP;
            GRANT EXECUTE ON FUNCTION mc_check_fence(TEXT, BIGINT), mc_operator_role(NAME), mc_is_superuser(NAME),
                mc_operator_group(TEXT), mc_ton(BIGINT) TO PUBLIC;
        END $$;
        """
}
