import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// How many times a transaction that deadlocked or failed to serialize is run again before the client gets
    /// `aborted`.
    static let transactionAttempts = 5

    /// Runs `body` in one transaction on a pooled connection: all of it commits, or (on any error) none of it.
    /// A deadlock or serialization failure runs it again, up to `transactionAttempts` times.
    func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result)
        async throws(ProvenanceError) -> Result
    {
        try await perform { [self] connection in
            var attempt = 1
            while true {
                do {
                    return try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
                } catch where attempt < Self.transactionAttempts && Self.isConflict(error) {
                    attempt += 1
                }
            }
        }
    }

    /// Whether `error` is a deadlock or a serialization failure (the transaction may succeed if run again).
    static func isConflict(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError, let cause = error.closureError { return isConflict(cause) }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}
