import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// How many times a transaction that deadlocked or failed to serialize is run again before the client gets
    /// `aborted`.
    static let transactionAttempts = 5

    /// Runs `body` in one transaction on a pooled connection: all of it commits, or (on any error) none of it.
    /// A deadlock or serialization failure runs it again, up to `transactionAttempts` times.
    func transaction<Result: Sendable>(
        name: String = #function, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(ProvenanceError) -> Result {
        try await perform(name: name) { [self] connection in
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

    /// Runs `body` in one transaction (as `transaction` does) and, in the same transaction, ends the runs it names
    /// whose tasks have all ended (see `TaskAdvance.finishRunsIfDone`): a run's state never lags its tasks.
    func transactionFinishingRuns<Result: Sendable>(
        name: String = #function,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> (result: Result, runs: Set<RunID>)
    ) async throws(ProvenanceError) -> Result {
        try await transaction(name: name) { [self] connection in
            let (result, runs) = try await body(connection)
            try await TaskAdvance(store: self, connection: connection).finishRunsIfDone(runs)
            return result
        }
    }

    /// Ends active runs with no unfinished task left (at most `limit`): none, unless a database was migrated with
    /// such runs (the reaper's safety net); returns how many it looked at.
    public func finishStrandedRuns(limit: Int = 100) async throws(ProvenanceError) -> Int {
        try await perform { [self] connection in
            let advance = TaskAdvance(store: self, connection: connection)
            let runs = try await advance.strandedRuns(limit: limit)
            try await advance.finishRunsIfDone(runs)
            return runs.count
        }
    }

    /// Goes on with up to `limit` ready tasks that earlier transactions left for later (see `TaskAdvance.release`),
    /// in one transaction; tasks another replica is taking are skipped. Returns how many it took (none: nothing is
    /// left) and how many tasks it queued.
    public func releaseDeferred(limit: Int) async throws(ProvenanceError) -> (taken: Int, queued: Int) {
        try await transactionFinishingRuns { [self] connection in
            let advance = TaskAdvance(store: self, connection: connection)
            let ids = try await advance.takeDeferred(limit: limit)
            let released = try await advance.release(ids)
            return ((ids.count, released.queued), released.runs)
        }
    }

    /// Whether `error` is a deadlock or a serialization failure (the transaction may succeed if run again).
    static func isConflict(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError, let cause = error.closureError { return isConflict(cause) }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }
}

extension PostgresStore {
    /// Runs `body` with a store of one connection to `endpoint`, its pool running only for `body` (for work a
    /// server does before its own store runs, such as preparing tokens at start).
    public static func withTemporaryStore<Result: Sendable>(
        endpoint: DatabaseEndpoint, logger: Logger, _ body: @Sendable (PostgresStore) async throws -> Result
    ) async throws -> Result {
        var options = StoreOptions(maximumConnections: 1)
        // No client waits for it: a database slow to take a new connection (a loaded machine) is waited for.
        options.connectionWaitLimit = .seconds(60)
        let store = try PostgresStore(endpoint: endpoint, options: options, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
