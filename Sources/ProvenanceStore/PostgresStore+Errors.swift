import Logging
import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Turns a database failure into the domain error a client should see, logging what a client must not see.
    func translate(_ error: any Error) -> ProvenanceError {
        if let error = error as? ProvenanceError { return error }
        if let error = error as? PostgresTransactionError {
            // A failure inside a transaction's closure is the real cause; BEGIN/ROLLBACK failures are connectivity.
            if let cause = error.closureError { return translate(cause) }
            if let cause = error.beginError ?? error.rollbackError { return translate(cause) }
            return ProvenanceError(.unavailable, "the database is unreachable; retry shortly")
        }
        // A request that went away (a client hung up, the server is shutting down) is not a database failure.
        if error is CancellationError { return ProvenanceError(.cancelled, "the request was cancelled") }
        guard let error = error as? PSQLError else {
            logger.warning("database operation failed", metadata: ["error": "\(String(reflecting: error))"])
            return ProvenanceError(.unavailable, "the database is unreachable; retry shortly")
        }
        guard error.code == .server, let info = error.serverInfo, let state = info[.sqlState] else {
            logger.warning("database connection failed", metadata: ["error": "\(error.code)"])
            return ProvenanceError(.unavailable, "the database is unreachable; retry shortly")
        }
        let message = info[.message] ?? "database error"
        switch state {
        case "PV404": return ProvenanceError(.notFound, message)
        case "PV412": return ProvenanceError(.failedPrecondition, message)
        case "PV409": return ProvenanceError(.alreadyExists, message)
        case "PV400": return ProvenanceError(.invalidArgument, message)
        case "23505": return UniqueConflict(info).error
        case "23503":
            return ProvenanceError(.failedPrecondition, "the write refers to an object that no longer exists")
        case "40001", "40P01": return ProvenanceError(.aborted, "a concurrent write conflicted with this one; retry it")
        case "57014" where message.contains("statement timeout"):
            return ProvenanceError(
                .deadlineExceeded,
                "the request ran longer than the server's statement timeout (\(SettingDuration.describe(options.statementTimeout))); "
                    + "narrow it (a more selective filter, fewer hops, a smaller page) or retry when the server is less busy")
        case "57014":
            return ProvenanceError(.cancelled, "the request was cancelled")
        case "57P01", "57P02", "57P03", "53300", "08000", "08003", "08006":
            return ProvenanceError(.unavailable, "the database is unavailable; retry shortly")
        case "22021", "22P05":
            // Text with a NUL character; the adapters reject it with the field's name before it gets here.
            return ProvenanceError(.invalidArgument, "text must not contain a NUL character (U+0000)")
        case "54000", "54001":
            return ProvenanceError(.invalidArgument, "the request is too large or too deeply nested for the database")
        default:
            logger.error(
                "unexpected database error",
                metadata: ["sqlstate": "\(state)", "message": "\(message)", "detail": "\(info[.detail] ?? "")"])
            return ProvenanceError(.internal, "internal error")
        }
    }

    /// Whether `error` is a unique violation of `constraint`.
    static func isUniqueViolation(_ error: any Error, constraint: String) -> Bool {
        guard let error = error as? PSQLError, let info = error.serverInfo else { return false }
        return info[.sqlState] == "23505" && info[.constraintName] == constraint
    }

    /// Whether `error` is one a retry of the same statement can resolve.
    static func isRetryable(_ error: any Error, options: LineageWriteOptions) -> Bool {
        if let error = error as? PostgresTransactionError, let cause = error.closureError {
            return isRetryable(cause, options: options)
        }
        guard let error = error as? PSQLError, let info = error.serverInfo, let state = info[.sqlState] else {
            return false
        }
        if state == "40001" || state == "40P01" { return true }
        guard state == "23505" else { return false }
        // A reuse-by-key write lost a race to a concurrent insert of the same key; on retry it sees and reuses it.
        return (options.reuseContextIfAlreadyExists && info[.constraintName] == "contexts_type_name_key")
            || (options.reuseArtifactIfAlreadyExistsByExternalID && info[.constraintName] == "artifacts_external_id_key")
    }
}
