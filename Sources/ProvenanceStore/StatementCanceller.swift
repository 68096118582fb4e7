import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Stops statements on the server when the request they run for is cancelled.
///
/// postgres-nio never sends PostgreSQL's cancel request: a cancelled task stops waiting, but its statement runs on
/// in the backend (a planner fed a hostile filter for minutes) and holds its pooled connection. Here each pooled
/// connection's backend process id is learnt once, on its first use, and a cancelled operation has
/// `pg_cancel_backend` sent for it from a connection of its own (the pool may be the very thing that is exhausted).
/// The operation keeps its pooled connection until that request has been answered, so a late cancel can never hit
/// the next user's statement; PostgreSQL ignores a cancel that reaches an idle backend.
final class StatementCanceller: Sendable {
    private let endpoint: DatabaseEndpoint
    private let logger: Logger
    /// Backend process ids by pooled connection id; an entry goes when its connection closes.
    private let backends = Mutex<[Int: Int32]>([:])

    init(endpoint: DatabaseEndpoint, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
    }

    /// How often a cancel is sent again while the cancelled operation still runs, and how many times at most (the
    /// database may be gone, and with it the statement).
    static let cancelRepeat: Duration = .milliseconds(250)
    static let cancelAttempts = 40

    /// Runs `operation` on `connection`, cancelling its statement in PostgreSQL if the task is cancelled meanwhile.
    ///
    /// A cancel that reaches the backend before the operation's statement does is ignored by PostgreSQL (the
    /// backend is idle), and the statement then runs as if nothing had happened (one stuck behind a lock waited for
    /// ever, and with it a server's shutdown). So the cancel is sent again every `cancelRepeat` until the operation
    /// ends; and since a repeated cancel may hit whatever the operation runs next (its ROLLBACK), the connection of
    /// a cancelled operation is rolled back before it goes back to the pool.
    func run<Result: Sendable>(
        on connection: PostgresConnection, _ operation: @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let backend = try await backendProcess(of: connection)
        try Task.checkCancellation()
        let cancellation = PendingCancel()
        let result: Swift.Result<Result, any Error>
        do {
            result = .success(
                try await withTaskCancellationHandler {
                    try await operation(connection)
                } onCancel: {
                    cancellation.start { [self] in
                        for _ in 0..<Self.cancelAttempts where !Task.isCancelled {
                            // A request under way is answered even when the repetition is stopped meanwhile.
                            await Task { await cancel(backend) }.value
                            try? await Task.sleep(for: Self.cancelRepeat)
                        }
                    }
                })
        } catch {
            result = .failure(error)
        }
        // A repeated cancel may have hit what the operation ran last (its ROLLBACK): end any transaction left open
        // before the connection goes back to the pool.
        if await cancellation.stop() { _ = try? await connection.query("ROLLBACK", logger: logger) }
        return try result.get()
    }

    /// The backend process id of a pooled connection, asked for once per connection.
    private func backendProcess(of connection: PostgresConnection) async throws -> Int32 {
        if let known = backends.withLock({ $0[connection.id] }) { return known }
        var process: Int32 = 0
        for try await pid in try await connection.query("SELECT pg_backend_pid()", logger: logger).decode(Int32.self) {
            process = pid
        }
        let id = connection.id
        backends.withLock { $0[id] = process }
        connection.closeFuture.whenComplete { [self] _ in _ = backends.withLock { $0.removeValue(forKey: id) } }
        return process
    }

    /// Asks PostgreSQL, over a connection of its own, to cancel what `backend` is running.
    private func cancel(_ backend: Int32) async {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
            _ = try? await connection.query("SELECT pg_cancel_backend(\(backend))", logger: logger)
            try? await connection.close()
        } catch {
            logger.warning("could not cancel a statement", metadata: ["backend": "\(backend)", "error": "\(String(reflecting: error))"])
        }
    }
}

/// The cancel requests sent for one operation, which the operation stops (and waits for) before it lets its
/// connection go.
private final class PendingCancel: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Starts `cancel` (once); it runs until stopped.
    func start(_ cancel: @escaping @Sendable () async -> Void) {
        task.withLock { task in
            if task == nil { task = Task { await cancel() } }
        }
    }

    /// Stops the cancel requests and waits for the one in flight to be answered; whether any was started.
    func stop() async -> Bool {
        guard let running = task.withLock({ $0 }) else { return false }
        running.cancel()
        await running.value
        return true
    }
}
