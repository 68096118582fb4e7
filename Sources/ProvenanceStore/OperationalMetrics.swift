import Metrics

/// The names of the metrics the server records (through swift-metrics, where the work happens) and the server's
/// composition exports in Prometheus' format: one list, so a name is never spelled twice or given two kinds.
public enum MetricName {
    /// Counter of REST requests, by `route` (the router's path pattern), `method` and `status` class (`2xx`).
    public static let httpRequests = "provenance_http_requests_total"
    /// Timer of REST requests, by `route` and `method`.
    public static let httpDuration = "provenance_http_request_duration_seconds"
    /// Counter of MLMD RPCs, by `method` and gRPC `code`.
    public static let grpcRequests = "provenance_grpc_requests_total"
    /// Timer of MLMD RPCs, by `method`.
    public static let grpcDuration = "provenance_grpc_request_duration_seconds"
    /// Counter of leases granted, by `namespace`.
    public static let leasesGranted = "provenance_leases_granted_total"
    /// Counter of leases that expired without a heartbeat (their attempts ended as lost).
    public static let leasesExpired = "provenance_leases_expired_total"
    /// Counter of lease reports refused because the lease was no longer held, by `report` (complete, fail, logs).
    public static let leaseReportsRefused = "provenance_lease_reports_refused_total"
    /// Counter of lineage writes that shared a statement with others.
    public static let writesCoalesced = "provenance_writes_coalesced_total"
    /// Counter of shared lineage-write statements.
    public static let sharedWriteStatements = "provenance_shared_write_statements_total"

    // Gauges of state, set at each scrape.

    /// CPU time used by the process, in seconds.
    public static let processCPU = "process_cpu_seconds_total"
    /// Resident memory, in bytes.
    public static let residentMemory = "process_resident_memory_bytes"
    /// Virtual memory, in bytes.
    public static let virtualMemory = "process_virtual_memory_bytes"
    /// 1 while the database answers, 0 while requests fail with 503.
    public static let databaseReachable = "provenance_database_reachable"
    /// Pooled database connections held by requests.
    public static let connectionsInUse = "provenance_database_connections_in_use"
    /// Size of the connection pool.
    public static let connectionsSize = "provenance_database_connections_size"
    /// Requests waiting for a pooled connection.
    public static let connectionWaiters = "provenance_database_connection_waiters"
    /// Executors waiting in a long poll on this replica.
    public static let executorsWaiting = "provenance_executors_waiting"
    /// Executors seen lately, by any replica.
    public static let executorsAttached = "provenance_executors_attached"
    /// Unfinished tasks, by `namespace` and `state` (the queue's depth is `state="QUEUED"`).
    public static let tasks = "provenance_tasks"
    /// Active runs, by `state`.
    public static let runs = "provenance_runs"
}

/// What the server's state looks like at a scrape, read in one statement: unfinished tasks by namespace and
/// state, active runs by state, and the executors seen lately.
public struct OperationalSnapshot: Sendable {
    /// Unfinished tasks (pending, queued, running), by namespace name and state name.
    public var tasks: [(namespace: String, state: String, count: Int)]
    /// Active runs (pending, running, canceling), by state name.
    public var runs: [(state: String, count: Int)]
    /// Executors seen within the liveness window.
    public var executorsAttached: Int
}
