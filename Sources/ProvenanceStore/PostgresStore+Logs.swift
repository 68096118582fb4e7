import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The longest log line kept, in bytes; longer lines are cut there.
    public static let maximumLogLine = 16 * 1024

    /// Appends log lines of the attempt of `token` (a running attempt; `leaseLost` for another).
    ///
    /// Lines are numbered from the attempt's count of stored lines, under its row lock, so batches of one attempt
    /// sent at once never collide. An attempt stores at most `options.maximumLogLinesPerAttempt` lines; the line
    /// after that says the log was cut, and later lines are dropped (the step keeps running).
    public func appendLogs(_ token: LeaseToken, lines: [LogLine]) async throws(ProvenanceError) {
        guard !lines.isEmpty else { return }
        let cap = options.maximumLogLinesPerAttempt
        try await transaction { [self] connection in
            var found: (running: Bool, stored: Int)?
            for try await (state, stored) in try await connection.prepared(RunEngineSQL.LogToken.self,
                """
                SELECT state, log_lines FROM attempts
                WHERE task_id = \(token.taskID.rawValue) AND number = \(Int32(clamping: token.attempt)) AND secret = \(token.secret)
                FOR UPDATE
                """, logger: logger
            ).decode((Int16, Int32).self) { found = (state == AttemptState.running.rawValue, Int(stored)) }
            guard let found else { throw ProvenanceError(.leaseLost, "lease \(token.taskID).\(token.attempt) is not one this server issued") }
            guard found.running else {
                throw ProvenanceError(.leaseLost, "attempt \(token.taskID).\(token.attempt) has ended; its log takes no more lines")
            }
            guard found.stored < cap else { return }
            var kept = lines.prefix(cap - found.stored).map { line in
                (stream: line.stream.rawValue,
                 text: String(String(decoding: line.text.utf8.prefix(Self.maximumLogLine), as: UTF8.self).filter { $0 != "\u{0}" }))
            }
            if kept.count < lines.count {
                kept.append((LogStream.stderr.rawValue,
                             "[provenance] the log was cut at \(cap) lines; later lines of this attempt are not stored"))
            }
            try await connection.prepared(RunEngineSQL.LogInsert.self,
                """
                WITH counted AS (
                    UPDATE attempts SET log_lines = \(Int32(found.stored + kept.count))
                    WHERE task_id = \(token.taskID.rawValue) AND number = \(Int32(clamping: token.attempt))
                )
                INSERT INTO task_logs (task_id, attempt, seq, stream, line)
                SELECT \(token.taskID.rawValue), \(Int32(clamping: token.attempt)), \(Int64(found.stored)) + l.n, l.stream, l.line
                FROM unnest(\(kept.map(\.stream))::int2[], \(kept.map(\.text))::text[]) WITH ORDINALITY AS l(stream, line, n)
                """, logger: logger)
        }
    }

    /// The log lines of task `id` (of attempt `attempt`, or every attempt), after line `after`, at most `limit`.
    public func logs(task id: TaskID, attempt: Int?, after: Int64, limit: Int, namespace: String) async throws(ProvenanceError)
        -> [LogLine]
    {
        _ = try await task(id, namespace: namespace)
        return try await perform { [self] connection in
            var lines: [LogLine] = []
            for try await (number, seq, stream, text, time) in try await connection.query(
                """
                SELECT attempt, seq, stream, line, \(unescaped: Self.microseconds("time")) FROM task_logs
                WHERE task_id = \(id.rawValue) AND (\(attempt.map { Int32(clamping: $0) })::int4 IS NULL OR attempt = \(attempt.map { Int32(clamping: $0) }))
                    AND seq > \(after)
                ORDER BY attempt, seq LIMIT \(Int64(limit))
                """, logger: logger
            ).decode((Int32, Int64, Int16, String, Int64).self) {
                lines.append(LogLine(stream: LogStream(rawValue: stream) ?? .stdout, text: text, attempt: Int(number), sequence: seq, time: time))
            }
            return lines
        }
    }
}
