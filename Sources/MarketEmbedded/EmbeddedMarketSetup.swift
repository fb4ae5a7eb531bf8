import MarketCore

extension EmbeddedServers {
    /// Makes the embedded market ready for its owner, as the superuser: the schema migrated, the
    /// traffic's login (`market_service`, in `market_app`), the reconciler's (`market_reconciler_service`,
    /// in `market_reconciler`), the owner's login an admin from the
    /// first start (unless an admin already gave it another role). The two-person rule's list is
    /// `migrate`'s to set, not every command's start.
    public func prepareMarket(progress: @escaping @Sendable (String) -> Void) async throws {
        var configuration = try PostgresConfiguration(url: setupDatabaseURL)
        configuration.maxConnections = 2
        let pool = PostgresPool(configuration: configuration, label: "setup")
        do {
            try await Migrator(pool: pool).migrate(progress: progress)
            for (login, group) in [(EmbeddedPostgresLauncher.trafficLogin, "market_app"),
                                   (EmbeddedPostgresLauncher.reconcilerLogin, "market_reconciler")]
            where try await pool.query("SELECT 1 FROM pg_roles WHERE rolname = \(login)").rows.isEmpty {
                _ = try await pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(Migrator.quoteIdentifier(login)) LOGIN IN ROLE \(group)"))
            }
            let group = try await pool.query("SELECT mc_operator_group(\(ownerLogin))").rows[0].decode(String?.self, at: 0)
            if group == nil {
                progress("making \(ownerLogin) the embedded market's admin")
                _ = try await pool.query("SELECT mc_op_add_operator(\(ownerLogin), 'admin', 'embedded market set-up for its owner')")
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
