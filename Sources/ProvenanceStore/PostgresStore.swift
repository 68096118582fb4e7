import Foundation
import Logging
import PostgresNIO
import ProvenanceCore
import ServiceLifecycle
import Synchronization

/// How a store uses its database.
public struct StoreOptions: Sendable {
    /// The most pooled connections (opened as needed): enough to keep PostgreSQL busy on a small machine without
    /// queueing inside it.
    public var maximumConnections = 16
    /// The longest one statement may run before PostgreSQL cancels it (zero: no limit). Bounds what any request,
    /// however expensive, can hold a connection for.
    public var statementTimeout: Duration = .seconds(30)
    /// The most log lines one attempt stores (a step that prints more keeps running; its later lines are dropped).
    public var maximumLogLinesPerAttempt = 100_000
    /// How long an operation waits for a pooled connection (one being opened included) before it fails with
    /// `unavailable`: a client's request should not queue behind a busy pool for longer (the pool itself would
    /// queue it until its circuit breaker trips). Work a server does at start, which no client waits for, waits
    /// longer (see `withTemporaryStore`).
    public var connectionWaitLimit: Duration = PostgresStore.connectionWaitLimit
    /// How recently an executor must have been seen to count as attached (listings, why tasks wait, `/metrics`).
    public var executorLiveness: Duration = .seconds(90)
    /// Lease transactions running at once (lease requests that arrive meanwhile share the next one): one per four
    /// cores, as leases contend for the same queue rows.
    public var leaseConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / 4)
    /// The most lease requests one transaction serves.
    public var leaseBatch = 16
    /// Completion transactions running at once (completions that arrive meanwhile share the next one): one per two
    /// cores.
    public var completionConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    /// The most completions one transaction records.
    public var completionBatch = 64
    /// OpenLineage transactions running at once (requests arriving meanwhile share the next one): one per two
    /// cores, as events of one pipeline name the same jobs and tables.
    public var openLineageConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    /// The most OpenLineage requests one transaction writes.
    public var openLineageBatch = 64
    /// The most waves of ready tasks one transaction moves on (a chain served from the cache goes one step a wave);
    /// the rest go on in further transactions (`PostgresStore.releaseDeferred`), so no completion or submission
    /// holds its locks for the length of a chain.
    public var releaseWaves = 32

    /// The defaults.
    public init() {}

    /// Options with `maximumConnections` connections and the default statement timeout.
    public init(maximumConnections: Int) {
        self.maximumConnections = maximumConnections
    }
}

/// The lineage store on PostgreSQL: every read and write of the metadata graph goes through here, for REST and
/// gRPC alike.
///
/// It owns a connection pool (run the store in the service group: it is a `Service`), caches namespaces and types
/// (both only ever grow, so a cache entry can be stale only by missing a newer property, which a failed check
/// refreshes), and tracks whether the database is reachable so requests fail fast with `unavailable` while it is
/// not.
public final class PostgresStore: Service, Sendable {
    /// Where the database is.
    public let endpoint: DatabaseEndpoint
    /// How the database is used.
    public let options: StoreOptions
    let pools: ConnectionPools
    /// The current connection pool (for statements outside `perform`, as tests run).
    var client: PostgresClient { pools.client }
    let logger: Logger
    let typeCache = TypeCache()
    let namespaceCache = Mutex<[String: NamespaceID]>([:])
    let tombstoneWatch = TombstoneWatch()
    let componentSpecs = SpecCache<ComponentSpec>()
    let pipelineSpecs = SpecCache<PipelineSpec>()
    /// Lease requests that arrive together share a transaction (`StoreOptions.leaseConcurrency`, `leaseBatch`).
    let leaseBatcher: TransactionBatcher<LeaseRequest, [Lease]>
    /// Completions that arrive together share a transaction (`StoreOptions.completionConcurrency`,
    /// `completionBatch`).
    let completionBatcher: TransactionBatcher<(token: LeaseToken, report: AttemptReport), AttemptOutcome>
    /// OpenLineage requests that arrive together share a transaction (`StoreOptions.openLineageConcurrency`,
    /// `openLineageBatch`).
    let openLineageBatcher: TransactionBatcher<OpenLineageBatchItem, OpenLineageIngest>
    let leaseWatchdog = LeaseWatchdog()
    let canceller: StatementCanceller
    let writeCoalescer: WriteCoalescer
    /// Database reachability as last observed.
    public let health = DatabaseHealth()
    /// How many operations hold or wait for a pooled connection.
    public let usage = PoolUsage()

    /// Creates a store. The pool connects lazily; `run()` it (directly or in a ServiceGroup) before querying.
    public convenience init(endpoint: DatabaseEndpoint, options: StoreOptions = StoreOptions(), logger: Logger) throws {
        try self.init(endpoint: endpoint, options: options, logger: logger, writeCoalescer: WriteCoalescer())
    }

    /// Creates a store whose writes share statements as `writeCoalescer` says.
    init(endpoint: DatabaseEndpoint, options: StoreOptions, logger: Logger, writeCoalescer: WriteCoalescer) throws {
        self.endpoint = endpoint
        self.options = options
        self.logger = logger
        self.writeCoalescer = writeCoalescer
        self.leaseBatcher = TransactionBatcher(concurrency: options.leaseConcurrency, maximumBatch: options.leaseBatch)
        self.openLineageBatcher = TransactionBatcher(
            concurrency: options.openLineageConcurrency, maximumBatch: options.openLineageBatch)
        self.completionBatcher = TransactionBatcher(
            concurrency: options.completionConcurrency, maximumBatch: options.completionBatch)
        self.canceller = StatementCanceller(endpoint: endpoint, logger: logger)
        let configuration = try endpoint.clientConfiguration(
            maximumConnections: options.maximumConnections, statementTimeout: options.statementTimeout)
        self.pools = ConnectionPools { PostgresClient(configuration: configuration, backgroundLogger: logger) }
    }

    /// How long a cancelled store waits for the operations in flight (cancelled too, as a rule) to end before it
    /// closes the pool they use.
    static let drainLimit: Duration = .seconds(5)

    /// Runs the connection pool and the watches on operations waiting for a connection or a shared write until
    /// cancelled or shut down gracefully; then every pooled connection is closed (statements still running on them
    /// fail).
    ///
    /// When cancelled (a server whose shutdown outlasted its grace cancels every service at once), the pool stays
    /// up until the operations in flight have ended, for at most `drainLimit`: an operation still waiting for a
    /// connection of a pool that has already stopped would wait for ever, and with it the server's exit.
    public func run() async {
        let pool = Task { await self.runPool() }
        await withTaskCancellationHandler {
            await pool.value
        } onCancel: {
            Task { [self] in
                let deadline = ContinuousClock.now + Self.drainLimit
                while usage.inUse + usage.waiting > 0, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                pool.cancel()
            }
        }
    }

    private func runPool() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.leaseWatchdog.run() }
            group.addTask { await self.writeCoalescer.run() }
            await cancelWhenGracefulShutdown { await self.pools.run() }
            group.cancelAll()
        }
    }

    /// How long a cancelled operation has to stop before its caller stops waiting for it.
    static let cancelledOperationPatience: Duration = .seconds(10)

    /// How long a request waits for a pooled connection before it is told that every connection is busy (the
    /// default of `StoreOptions.connectionWaitLimit`).
    public static let connectionWaitLimit: Duration = .seconds(5)

    /// Runs a database operation on a pooled connection, turning any failure into a `ProvenanceError`.
    ///
    /// It fails fast while the database is known to be down, and gives up waiting for a connection after
    /// `connectionWaitLimit` (a busy pool, which says nothing about the database). Once it has its connection, the
    /// operation runs until it finishes, PostgreSQL's statement timeout stops it, or the request is cancelled (the
    /// calling task is cancelled, or the request's `RequestCancellation` fires), which cancels its statement in
    /// PostgreSQL too.
    ///
    /// With tracing on, it is a client span `db <name>` (the store method that called it), with how long it waited
    /// for its connection.
    func perform<Result: Sendable>(
        name: String = #function, _ operation: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(ProvenanceError) -> Result {
        guard Traced.isEnabled else { return try await performUntraced(operation, span: SpanHandle(span: nil)) }
        return try await Traced.span(DatabaseSpan.name(of: name), kind: .client) { [self] span throws(ProvenanceError) in
            DatabaseSpan.describe(span, operation: name, endpoint: endpoint)
            return try await performUntraced(operation, span: span)
        }
    }

    private func performUntraced<Result: Sendable>(
        _ operation: @escaping @Sendable (PostgresConnection) async throws -> Result, span: SpanHandle
    ) async throws(ProvenanceError) -> Result {
        guard health.isReachable else {
            throw ProvenanceError(.unavailable, "the database is unreachable; retry shortly")
        }
        // The operation runs in its own task so that the watchdog can cancel it while it waits for a connection,
        // and a request's cancellation can reach it.
        let lease = LeaseState()
        usage.beginWaiting()
        let outcome = OperationOutcome<Result>()
        let waitStart = ContinuousClock.now
        let task = Task { [canceller, usage] in
            do {
                outcome.deliver(.success(try await pools.withConnection { connection in
                    guard lease.markLeased() else { throw CancellationError() }
                    if span.isRecording { DatabaseSpan.connectionAcquired(span, after: waitStart.duration(to: .now)) }
                    usage.leased()
                    defer { usage.released() }
                    return try await canceller.run(on: connection, operation)
                }))
            } catch {
                outcome.deliver(.failure(error))
            }
        }
        // A cancelled operation is given `cancelledOperationPatience` to stop; past it the caller stops waiting (the
        // operation's task is left to end when it can), so no operation can hold a server's shutdown for ever.
        let cancel: @Sendable () -> Void = {
            task.cancel()
            Task {
                try? await Task.sleep(for: Self.cancelledOperationPatience)
                outcome.deliver(.failure(CancellationError()))
            }
        }
        let watch = leaseWatchdog.watch(limit: options.connectionWaitLimit) { end in
            // The caller is answered now: the operation never got a connection, so nothing of it ran, and the pool
            // may take its time to give up the cancelled wait (while it backs off from a database that went away).
            if lease.markEnded(end) {
                task.cancel()
                outcome.deliver(.failure(CancellationError()))
            }
        }
        let request = RequestCancellation.current?.onCancel(cancel)
        defer {
            leaseWatchdog.unwatch(watch)
            RequestCancellation.current?.remove(request)
            if !lease.wasLeased { usage.stopWaiting() }
        }
        do {
            return try await withTaskCancellationHandler { try await outcome.value() } onCancel: { cancel() }
        } catch where lease.wasReplaced {
            throw ProvenanceError(
                .unavailable, "the database came back while this request waited for a connection; retry shortly")
        } catch where lease.hasExpired {
            let waiting = usage.waiting
            throw ProvenanceError(
                .unavailable,
                "all \(options.maximumConnections) database connections stayed busy for "
                    + "\(options.connectionWaitLimit.components.seconds) s (\(waiting) requests waiting); retry shortly")
        } catch {
            let translated = translate(error)
            // A request that was cancelled, or a statement that ran too long, says nothing about the database.
            if translated.code == .unavailable, !Task.isCancelled, !(RequestCancellation.current?.isCancelled ?? false) {
                health.markUnreachable()
            }
            throw translated
        }
    }
}

/// Whether the database answered recently. Flipped to unreachable by a failed connection, back by the probe.
public final class DatabaseHealth: Sendable {
    private let reachable = Atomic<Bool>(true)

    /// Creates a state that assumes the database is up.
    public init() {}

    /// Whether requests should be attempted.
    public var isReachable: Bool { reachable.load(ordering: .relaxed) }

    /// Records that a connection failed.
    public func markUnreachable() { reachable.store(false, ordering: .relaxed) }

    /// Records that the database answered.
    public func markReachable() { reachable.store(true, ordering: .relaxed) }
}

/// How many operations hold a pooled connection and how many wait for one: a busy pool, told apart from an
/// unreachable database in `/readyz`, `/metrics` and the error a waiting request gets.
public final class PoolUsage: Sendable {
    private let waitingCount = Atomic<Int>(0)
    private let inUseCount = Atomic<Int>(0)

    /// Operations waiting for a connection.
    public var waiting: Int { waitingCount.load(ordering: .relaxed) }
    /// Operations holding a connection.
    public var inUse: Int { inUseCount.load(ordering: .relaxed) }

    func beginWaiting() { waitingCount.add(1, ordering: .relaxed) }
    func stopWaiting() { waitingCount.subtract(1, ordering: .relaxed) }

    func leased() {
        waitingCount.subtract(1, ordering: .relaxed)
        inUseCount.add(1, ordering: .relaxed)
    }

    func released() { inUseCount.subtract(1, ordering: .relaxed) }
}

extension PostgresStore {
    /// Whether a fresh connection (not the pool, which may be busy or waiting out its own backoff) reaches the
    /// database.
    /// Declares the database reachable again after an outage, with a fresh connection pool (see
    /// `ConnectionPools`): the old one may be backing off for seconds before it tries to connect again.
    public func recovered() {
        pools.replace()
        health.markReachable()
        // Operations still waiting on the old pool would wait out their limit (the old pool backs off from the
        // database that went away, and may not try again for seconds): they are answered at once, and their
        // clients' next tries go to the new pool.
        leaseWatchdog.endAll(.poolReplaced)
    }

    public func probe() async -> Bool {
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
            let answered = (try? await connection.query("SELECT 1", logger: logger)) != nil
            try? await connection.close()
            return answered
        } catch {
            return false
        }
    }
}

/// The result of an operation run in a task of its own, handed to whoever waits for it once: by the task when it
/// ends, or by a caller that gave up first.
final class OperationOutcome<Value: Sendable>: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Value, any Error>?
        var result: Result<Value, any Error>?
        var delivered = false
    }

    private let state = Mutex(State())

    /// Hands `result` over, unless a result was handed over already.
    func deliver(_ result: Result<Value, any Error>) {
        let waiter: CheckedContinuation<Value, any Error>? = state.withLock { state in
            guard !state.delivered else { return nil }
            guard let waiter = state.waiter else {
                if state.result == nil { state.result = result }
                return nil
            }
            state.delivered = true
            state.waiter = nil
            return waiter
        }
        waiter?.resume(with: result)
    }

    /// The result, once handed over.
    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Value, any Error>? = state.withLock { state in
                if let result = state.result {
                    state.delivered = true
                    return result
                }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
