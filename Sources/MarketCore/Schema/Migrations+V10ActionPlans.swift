extension Migration {
    /// Every operator action locks the rows of its plan — `mc_action_rows`, their one definition —
    /// through `mc_lock_action_rows`, and the console's preflight probes exactly those rows with
    /// `mc_probe_rows`, which names the session holding each one in the way (replacing
    /// `mc_probe_row`, which probed only the action's first row). Re-applies the current operator
    /// functions (``OperatorActionsSQL/actions`` and ``OperatorActionsSQL/approvals``) and the
    /// reconciler's (``ReconcilerSQL/functions``), which settle a withdrawal the same way.
    static let v10ActionPlans = Migration(version: 10, name: "action plans", sql: """
        DROP FUNCTION IF EXISTS mc_probe_row(TEXT, BIGINT);
        """ + OperatorActionsSQL.plans + OperatorActionsSQL.actions + OperatorActionsSQL.approvals + ReconcilerSQL.functions
            + OperatorActionsSQL.planPrivileges + ReconcilerSQL.privileges)
}
