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
    /// Database reachability as last observed.
    public let health = DatabaseHealth()

    /// Default pool size: enough to keep PostgreSQL busy on a small machine without queueing inside it.
    public static let defaultMaximumConnections = 16

    /// Creates a store. The pool connects lazily; `run()` it (directly or in a ServiceGroup) before querying.
    public init(endpoint: DatabaseEndpoint, maximumConnections: Int = defaultMaximumConnections, logger: Logger) throws {
        self.endpoint = endpoint
        self.logger = logger
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
            let leased = LeaseFlag()
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        leased.value.store(true, ordering: .relaxed)
                        return try await operation(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: Self.connectionWaitLimit)
                    guard leased.value.load(ordering: .relaxed) else {
                        throw ProvenanceError(.unavailable, "no database connection became available; retry shortly")
                    }
                    return nil
                }
                while let next = try await group.next() {
                    if let result = next {
                        group.cancelAll()
                        return result
                    }
                }
                throw ProvenanceError(.internal, "database operation produced no result")
            }
        } catch {
            let translated = translate(error)
            if translated.code == .unavailable { health.markUnreachable() }
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

/// Set once a pooled connection has been handed to an operation.
final class LeaseFlag: Sendable {
    let value = Atomic<Bool>(false)
}
