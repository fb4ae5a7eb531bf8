extension Migration {
    /// Operators are PostgreSQL logins. Their roles are the NOLOGIN group roles `market_viewer`,
    /// `market_oncall`, `market_moderator` and `market_admin` (cluster-wide, created once); the
    /// market's own traffic runs as a login in `market_app`. Every login that may connect to the
    /// market's database reads it (a login in no group is a viewer: who connects at all is the
    /// database's CONNECT privilege and `pg_hba.conf`); only `market_app` writes it directly. Operators change it only through the SECURITY DEFINER
    /// functions of ``v7OperatorActions``, which check `session_user`'s group in the database.
    ///
    /// The audit (`operator_actions`) is owned by the NOLOGIN role `market_audit`, records
    /// `session_user` whatever the client sends, and refuses UPDATE, DELETE and TRUNCATE.
    /// The two-person rule's list lives in `operator_policy` (changed by the schema owner only) and
    /// an approval's decider can never be its requester (a CHECK constraint).
    static let v6OperatorRoles = Migration(version: 6, name: "operators are database logins", sql: """
        DO $$
        DECLARE
            group_role TEXT;
        BEGIN
            FOREACH group_role IN ARRAY ARRAY['market_viewer', 'market_oncall', 'market_moderator', 'market_admin',
                                              'market_app', 'market_audit'] LOOP
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = group_role) THEN
                    BEGIN
                        EXECUTE format('CREATE ROLE %I NOLOGIN', group_role);
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN
                        NULL;  -- another database of the cluster created it just now
                    END;
                END IF;
            END LOOP;
        END $$;

        -- The role an operator login acts with: its highest group; a login in none is a viewer.
        -- (pg_has_role is true for a superuser, which so acts as admin: see mc_is_superuser.)
        CREATE FUNCTION mc_operator_role(p_login NAME) RETURNS TEXT LANGUAGE sql STABLE AS $fn$
            SELECT CASE
                WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN 'viewer'
                WHEN pg_has_role(p_login, 'market_admin', 'MEMBER') THEN 'admin'
                WHEN pg_has_role(p_login, 'market_moderator', 'MEMBER') THEN 'moderator'
                WHEN pg_has_role(p_login, 'market_oncall', 'MEMBER') THEN 'oncall'
                ELSE 'viewer' END
        $fn$;

        CREATE FUNCTION mc_is_superuser(p_login NAME) RETURNS BOOLEAN LANGUAGE sql STABLE AS $fn$
            SELECT COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = p_login), false)
        $fn$;

        -- Operator rows are memberships now.
        DROP TABLE operators;

        -- The audit: append-only, operator recorded by the database.
        CREATE FUNCTION mc_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            NEW.operator := session_user;
            NEW.created_at := now();
            RETURN NEW;
        END $fn$;
        CREATE FUNCTION mc_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            RAISE EXCEPTION 'operator_actions is append-only: % refused', TG_OP USING ERRCODE = '42501';
        END $fn$;
        CREATE TRIGGER operator_actions_stamp BEFORE INSERT ON operator_actions
            FOR EACH ROW EXECUTE FUNCTION mc_audit_stamp();
        CREATE TRIGGER operator_actions_no_update BEFORE UPDATE OR DELETE ON operator_actions
            FOR EACH ROW EXECUTE FUNCTION mc_audit_append_only();
        CREATE TRIGGER operator_actions_no_truncate BEFORE TRUNCATE ON operator_actions
            FOR EACH STATEMENT EXECUTE FUNCTION mc_audit_append_only();

        -- Which actions wait for a second operator. Only the schema owner changes it (migrate).
        CREATE TABLE operator_policy (
            action TEXT PRIMARY KEY CHECK (action IN ('cancel-auction', 'reject-proposal', 'force-complete-transfer',
                                                      'cancel-transfer', 'resolve-withdrawal'))
        );
        INSERT INTO operator_policy (action) VALUES ('force-complete-transfer');

        -- Operator logins run locked Units of Work, whose commit-time fence check writes lock_fences:
        -- through this function only (no write privilege on the table), and never to a fence past
        -- 2^53, which no counter reaches and past which the Redis counter would overflow on resync.
        CREATE OR REPLACE FUNCTION mc_check_fence(p_key TEXT, p_fence BIGINT) RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $fn$
        DECLARE
            stored BIGINT;
        BEGIN
            IF p_fence IS NULL OR p_fence < 0 OR p_fence >= 9007199254740992 THEN
                RAISE EXCEPTION 'fence % for % is out of range', p_fence, p_key USING ERRCODE = 'MC400';
            END IF;
            INSERT INTO lock_fences AS f (lock_key, fence) VALUES (p_key, p_fence)
            ON CONFLICT (lock_key) DO UPDATE SET fence = EXCLUDED.fence, updated_at = now()
                WHERE f.fence <= EXCLUDED.fence
            RETURNING f.fence INTO stored;
            IF stored IS NULL THEN
                SELECT fence INTO stored FROM lock_fences WHERE lock_key = p_key;
                RAISE EXCEPTION 'fence % for % is older than committed fence %', p_fence, p_key, stored
                    USING ERRCODE = 'MC409';
            END IF;
        END $fn$;

        -- Approvals: who asked and who decided are logins; the decider is never the requester, and
        -- one action on one row has at most one open request.
        CREATE UNIQUE INDEX operator_approvals_one_open ON operator_approvals (action, target_id)
            WHERE state IN ('pending', 'approved');
        ALTER TABLE operator_approvals ADD COLUMN argument TEXT;
        ALTER TABLE operator_approvals ALTER COLUMN requested_by SET DEFAULT session_user;
        ALTER TABLE operator_approvals ADD CONSTRAINT operator_approvals_two_people
            CHECK (decided_by IS NULL OR state = 'rejected' OR decided_by <> requested_by);

        -- Privileges: everyone of the market reads; only market_app writes the market's tables.
        DO $$
        DECLARE
            schema_name TEXT := current_schema();
            owner_is_superuser BOOLEAN := mc_is_superuser(current_user);
        BEGIN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO PUBLIC', schema_name);
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC', schema_name);
            EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO PUBLIC', schema_name);
            EXECUTE format('GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO market_app', schema_name);
            EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO market_app', schema_name);
            EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA %I FROM PUBLIC', schema_name);
            EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO market_app', schema_name);
            GRANT EXECUTE ON FUNCTION mc_operator_role(NAME), mc_is_superuser(NAME) TO PUBLIC;
            -- The market's traffic reads the operator tables and writes none of them.
            REVOKE INSERT, UPDATE, DELETE ON operator_actions, operator_approvals, operator_policy, schema_migrations
                FROM market_app;
            -- The audit belongs to a role no one logs in as. A schema owner that is no superuser needs,
            -- for the length of the hand-over, to be in that role and that role to may create in the schema.
            IF NOT owner_is_superuser THEN
                EXECUTE format('GRANT market_audit TO %I', current_user);
                EXECUTE format('GRANT CREATE ON SCHEMA %I TO market_audit', schema_name);
            END IF;
            ALTER TABLE operator_actions OWNER TO market_audit;
            GRANT SELECT, INSERT ON operator_actions TO CURRENT_USER;
            GRANT USAGE ON SEQUENCE operator_actions_id_seq TO CURRENT_USER;
            IF NOT owner_is_superuser THEN
                EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM market_audit', schema_name);
                EXECUTE format('REVOKE market_audit FROM %I', current_user);
            END IF;
            -- The locks view names blockers by their query text: for those who act on locks only, since
            -- query texts cluster-wide can hold what a viewer should not read.
            BEGIN
                GRANT pg_read_all_stats TO market_oncall, market_admin;
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'pg_read_all_stats not granted: operators see only their own sessions'' query text';
            END;
        END $$;
        """)
}
