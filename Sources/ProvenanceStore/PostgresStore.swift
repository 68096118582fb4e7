import Logging
import PostgresNIO
import ProvenanceCore
import Synchronization

/// The lineage store on PostgreSQL: every read and write of the metadata graph goes through here, for REST and
/// gRPC alike.
///
/// It owns a connection pool (run it in the service group: it is a `Service`), caches namespaces and types (both
/// only ever grow, so a cache entry can be stale only by missing a newer property, which a failed check refreshes),
/// and tracks whether the database is reachable so requests fail fast with `unavailable` while it is not.
public final class PostgresStore: Sendable {
    /// The connection pool.
    public let client: PostgresClient
    /// Where the database is.
    public let endpoint: DatabaseEndpoint
    let logger: Logger
    let typeCache = TypeCache()
    let namespaceCache = Mutex<[String: NamespaceID]>([:])
    let leaseWatchdog = LeaseWatchdog()
    let writeCoalescer: WriteCoalescer
    /// Database reachability as last observed.
    public let health = DatabaseHealth()

    /// Default pool size: enough to keep PostgreSQL busy on a small machine without queueing inside it.
    public static let defaultMaximumConnections = 16

    /// Creates a store. The pool connects lazily; `run()` it (directly or in a ServiceGroup) before querying.
    public convenience init(
        endpoint: DatabaseEndpoint, maximumConnections: Int = defaultMaximumConnections, logger: Logger
    ) throws {
        try self.init(endpoint: endpoint, maximumConnections: maximumConnections, logger: logger, writeCoalescer: WriteCoalescer())
    }

    /// Creates a store whose writes share statements as `writeCoalescer` says.
    init(endpoint: DatabaseEndpoint, maximumConnections: Int, logger: Logger, writeCoalescer: WriteCoalescer) throws {
        self.endpoint = endpoint
        self.logger = logger
        self.writeCoalescer = writeCoalescer
        self.client = PostgresClient(
            configuration: try endpoint.clientConfiguration(maximumConnections: maximumConnections),
            backgroundLogger: logger)
    }

    /// How long a request waits for a pooled connection before it is told the database is unavailable. The pool
    /// itself would queue the request until its circuit breaker trips, far longer than a client should wait.
    public static let connectionWaitLimit: Duration = .seconds(5)

    /// Runs a database operation on a pooled connection, turning any failure into a `ProvenanceError`. It fails
    /// fast while the database is known to be down, and gives up waiting for a connection after
    /// `connectionWaitLimit`; the operation itself, once it has its connection, is not cut short.
    func perform<Result: Sendable>(_ operation: @escaping @Sendable (PostgresConnection) async throws -> Result)
        async throws(ProvenanceError) -> Result
    {
        guard health.isReachable else {
            throw ProvenanceError(.unavailable, "the database is unreachable; retry shortly")
        }
        do {
            // The operation runs in its own task so that the watchdog can cancel it while it waits for a
            // connection; once it has one, it runs to completion.
            let lease = LeaseState()
            let task = Task {
                try await client.withConnection { connection in
                    guard lease.markLeased() else { throw CancellationError() }
                    return try await operation(connection)
                }
            }
            let token = leaseWatchdog.watch(limit: Self.connectionWaitLimit) {
                if lease.markExpired() { task.cancel() }
            }
            defer { leaseWatchdog.unwatch(token) }
            do {
                return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
            } catch where lease.hasExpired {
                throw ProvenanceError(.unavailable, "no database connection became available; retry shortly")
            }
        } catch {
            let translated = translate(error)
            // A caller that gave up (its task was cancelled: a gRPC deadline, say) says nothing about the database.
            if translated.code == .unavailable && !Task.isCancelled { health.markUnreachable() }
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

extension PostgresStore {
    /// Whether a fresh connection (not the pool, which may be waiting out its own backoff) reaches the database.
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
