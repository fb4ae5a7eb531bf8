import Foundation

extension PostgresRow {
    /// Decodes a column the statement built as JSON text (`json_agg(…)::text`, `to_json(…)::text`).
    func decodeJSON<Value: Decodable>(_ type: Value.Type, at index: Int) throws -> Value {
        let text = try decode(String.self, at: index)
        do {
            return try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(code: .decodingFailed, message: "column \(columns[index]) is not JSON of \(Value.self)")
        }
    }
}
