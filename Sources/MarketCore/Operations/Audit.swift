import Foundation

extension UnitOfWork {
    /// Runs one of the database's operator functions (`mc_op_…`, see ``Migration/v7OperatorActions``)
    /// and returns its text result. Its refusals become ``MarketError``s with the database's
    /// sentence; one refused for the login's role (or its two-person rule) is audited once the
    /// transaction has rolled back (outcome `forbidden`), by the database, under the same login.
    @discardableResult
    func operatorCall(_ call: PostgresQuery, action: OperatorAction, target: String, reason: String) async throws -> String? {
        do {
            return try await query(call).first?.decode(String?.self, at: 0)
        } catch let error as PostgresError {
            guard let refusal = MarketError(operatorFunctionError: error) else { throw error }
            if refusal.code == .forbidden {
                executeAfterRollback("SELECT mc_audit_refusal(\(action.rawValue), \(target), \(reason), \(refusal.message))")
            }
            throw refusal
        }
    }
}

extension MarketError {
    /// The ``MarketError`` an operator function raised (SQLSTATEs MC400…MC428), or nil for any
    /// other error. A missing privilege (42501) is a refusal for the login's role too.
    init?(operatorFunctionError error: PostgresError) {
        let code: Code
        switch error.sqlState {
        case "MC400": code = .invalidArgument
        case "MC403", "42501": code = .forbidden
        case "MC404": code = .notFound
        case "MC412": code = .changed
        case "MC422": code = .invalidState
        case "MC428": code = .needsApproval
        default: return nil
        }
        self.init(code, error.message)
    }
}
