import Logging
import PostgresNIO
import ProvenanceCore
import ProvenanceStore

/// A session of the test's own on a server's database: to hold a lock that makes the server's statements wait, and
/// to see which of the server's statements are running.
public final class DatabaseSession: Sendable {
    private let connection: PostgresConnection
    private let logger = Logger(label: "test-session")

    private init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Opens a session on the store's database.
    public static func open(_ store: PostgresStore) async throws -> DatabaseSession {
        let connection = try await PostgresConnection.connect(
            configuration: try store.endpoint.connectionConfiguration(), id: 900, logger: Logger(label: "test-session"))
        return DatabaseSession(connection: connection)
    }

    /// Takes an exclusive lock on `table` in an open transaction: every statement reading it waits until `release`.
    public func lock(_ table: String) async throws {
        try await connection.query("BEGIN", logger: logger)
        try await connection.query("LOCK TABLE \(unescaped: table) IN ACCESS EXCLUSIVE MODE", logger: logger)
    }

    /// Ends the transaction, releasing its locks.
    public func release() async throws {
        try await connection.query("COMMIT", logger: logger)
    }

    /// How many of the server's statements wait for a lock now.
    public func waitingStatements() async throws -> Int {
        // Inside the session's open transaction PostgreSQL keeps serving its first snapshot of the statistics
        // (stats_fetch_consistency = cache): drop it, or the count never changes.
        try await connection.query("SELECT pg_stat_clear_snapshot()", logger: logger)
        let rows = try await connection.query(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE application_name = 'provenance' AND wait_event_type = 'Lock' AND datname = current_database()
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Waits until `condition` holds of the waiting statements' count (checked every 50 ms, up to 30 s).
    @discardableResult
    public func waitUntilWaitingStatements(_ condition: (Int) -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if condition(try await waitingStatements()) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Runs `sql` (a test's own statement, to make rows as an earlier release left them).
    public func execute(_ sql: String) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// Whether run `id` is still active while none of its tasks is unfinished, as one snapshot sees them.
    public func runLagsItsTasks(_ id: Int64) async throws -> Bool {
        let rows = try await connection.query(
            """
            SELECT r.state IN (\(unescaped: Self.literals(StateMachine.runs.unfinishedStates)))
                AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.run_id = r.id
                                AND t.state IN (\(unescaped: Self.literals(StateMachine.tasks.unfinishedStates))))
            FROM runs r WHERE r.id = \(id)
            """, logger: logger)
        for try await lagging in rows.decode(Bool.self) { return lagging }
        return false
    }

    private static func literals<State: EngineState>(_ states: [State]) -> String {
        states.map { String($0.rawValue) }.joined(separator: ", ")
    }

    /// Closes the session (its open transaction, if any, rolls back).
    public func close() async {
        try? await connection.close()
    }
}
