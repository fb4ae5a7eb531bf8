extension Migration {
    /// The reconciler: a worker that settles pending transfers and withdrawals whose gateway call
    /// ended "unknown" by asking the gateway what happened (``Reconciler``).
    ///
    /// It is a login in the NOLOGIN group `market_reconciler` (cluster-wide, created once), which
    /// is no operator role: it may call only the `mc_rec_*` functions below, and each settles one
    /// row only on the gateway's evidence, which its audit row carries (the reason) next to the
    /// reconciler's login. Settlements by the reconciler are not under the two-person rule
    /// (`operator_policy`): that rule keeps one person's judgement from moving money alone, and the
    /// reconciler applies no judgement — the second witness is the gateway's own record (the TON
    /// transaction hash, Telegram's owner of the channel), named in the audit for anyone to verify.
    /// The database cannot check the evidence itself; what it enforces is who may call, that an
    /// evidence sentence is given, that the row is still pending at the version the reconciler
    /// read, and that a row is settled once.
    ///
    /// `simulated_gateway_effects` is the simulated Telegram and TON side (``PostgresGatewayEffects``):
    /// not the market's data, but it lives where the processes that call and ask the simulated
    /// gateways can all reach it.
    static let v8Reconciler = Migration(version: 8, name: "reconciler", sql: ReconcilerSQL.schema + ReconcilerSQL.functions
                                           + ReconcilerSQL.privileges)
}
