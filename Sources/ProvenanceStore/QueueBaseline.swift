import Logging
import PostgresNIO

/// The plain-SQL baseline of `provenance bench orchestrate`: a job queue as River and its kin keep one, through the
/// same driver as the server. A job is claimed with `FOR UPDATE SKIP LOCKED` (one statement), then completed with
/// the next job enqueued (one statement), so each job costs the two round trips any queue needs, and nothing else:
/// no lineage, no fencing beyond the row lock, no run to advance.
///
/// Its table lives in a schema of its own (`bench_queue`), made by `connect` and dropped by `close`.
public final class QueueBaseline: Sendable {
    private let connections: [PostgresConnection]
    private let logger: Logger

    private init(connections: [PostgresConnection], logger: Logger) {
        self.connections = connections
        self.logger = logger
    }

    /// Opens `count` connections to `endpoint` and makes an empty queue.
    public static func connect(_ endpoint: DatabaseEndpoint, connections count: Int, logger: Logger) async throws -> QueueBaseline {
        var connections: [PostgresConnection] = []
        do {
            for id in 0..<count {
                connections.append(try await PostgresConnection.connect(
                    configuration: try endpoint.connectionConfiguration(), id: id, logger: logger))
            }
            for statement in [
                "DROP SCHEMA IF EXISTS bench_queue CASCADE", "CREATE SCHEMA bench_queue",
                """
                CREATE TABLE bench_queue.jobs (
                    id bigserial PRIMARY KEY, state text NOT NULL DEFAULT 'available', attempt int NOT NULL DEFAULT 0,
                    args jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(),
                    attempted_at timestamptz, finalized_at timestamptz)
                """,
                "CREATE INDEX jobs_available ON bench_queue.jobs (id) WHERE state = 'available'",
            ] {
                try await connections[0].query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            return QueueBaseline(connections: connections, logger: logger)
        } catch {
            for connection in connections { try? await connection.close() }
            throw error
        }
    }

    /// How many connections it works through.
    public var connectionCount: Int { connections.count }

    /// Enqueues `count` jobs.
    public func enqueue(_ count: Int) async throws {
        try await connections[0].query(
            "INSERT INTO bench_queue.jobs (args) SELECT '{\"kind\":\"noop\"}'::jsonb FROM generate_series(1, \(Int64(count)))",
            logger: logger)
    }

    /// On connection `lane`: claims one available job, or returns nil when none is.
    public func claim(lane: Int) async throws -> Int64? {
        let rows = try await connections[lane].query(
            """
            UPDATE bench_queue.jobs SET state = 'running', attempt = attempt + 1, attempted_at = now()
            WHERE id = (SELECT id FROM bench_queue.jobs WHERE state = 'available' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// On connection `lane`: completes job `id` (only while it runs) and, if `enqueueNext`, enqueues the next job
    /// in the same statement; false if the job was not running.
    @discardableResult
    public func complete(_ id: Int64, lane: Int, enqueueNext: Bool) async throws -> Bool {
        let rows = try await connections[lane].query(
            """
            WITH done AS (
                UPDATE bench_queue.jobs SET state = 'completed', finalized_at = now() WHERE id = \(id) AND state = 'running'
                RETURNING id
            ), next AS (
                INSERT INTO bench_queue.jobs (args) SELECT '{"kind":"noop"}'::jsonb FROM done WHERE \(enqueueNext)
            )
            SELECT count(*) FROM done
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return count == 1 }
        return false
    }

    /// How many jobs completed, and how many completed more than once (a job's attempt above 1).
    public func completedJobs() async throws -> (completed: Int, repeated: Int) {
        let rows = try await connections[0].query(
            "SELECT count(*) FILTER (WHERE state = 'completed'), count(*) FILTER (WHERE attempt > 1) FROM bench_queue.jobs",
            logger: logger)
        for try await (completed, repeated) in rows.decode((Int64, Int64).self) { return (Int(completed), Int(repeated)) }
        return (0, 0)
    }

    /// Drops the queue and closes the connections.
    public func close() async {
        try? await connections.first?.query("DROP SCHEMA IF EXISTS bench_queue CASCADE", logger: logger)
        for connection in connections { try? await connection.close() }
    }
}
