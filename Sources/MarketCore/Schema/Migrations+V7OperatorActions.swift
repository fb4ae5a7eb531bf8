extension Migration {
    /// Every operator action is one SECURITY DEFINER function: it checks `session_user`'s group,
    /// consumes a second operator's approval where the action is under the two-person rule, locks
    /// its rows in the market's order, checks the rules, writes, and audits — all in the caller's
    /// transaction. Operator logins hold no write privilege on the market, so psql can do no more
    /// than these functions allow. MarketCore's operator operations take their Redis lock, open
    /// their Unit of Work and call them; the SQL files are the one definition of what they write.
    ///
    /// Errors carry SQLSTATEs MarketCore maps to ``MarketError``: MC400 invalid argument, MC403
    /// forbidden, MC404 not found, MC412 changed since the operator looked, MC422 invalid state,
    /// MC428 needs a second operator.
    static let v7OperatorActions = Migration(version: 7, name: "operator actions in the database",
                                             sql: OperatorActionsSQL.support + OperatorActionsSQL.actions
                                                + OperatorActionsSQL.approvals + OperatorActionsSQL.operators
                                                + OperatorActionsSQL.privileges)
}
