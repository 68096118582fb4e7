import Logging

/// Everything `provenance serve` can be told, with the defaults in one place (the README's configuration table
/// lists the same names).
public struct ServerConfiguration: Sendable {
    /// Default data directory of the embedded PostgreSQL cluster.
    public static let defaultDataDirectory = ".provenance/postgres"
    /// Default HTTP interface: loopback only.
    public static let defaultHTTPHost = "127.0.0.1"
    /// Default HTTP port.
    public static let defaultHTTPPort = 8080
    /// Default gRPC interface: loopback only.
    public static let defaultGRPCHost = "127.0.0.1"
    /// Default port of the MLMD-compatible gRPC service.
    public static let defaultGRPCPort = 8081
    /// Default request body limit: 32 MiB, enough for a lineage:record of tens of thousands of nodes.
    public static let defaultMaximumBodyBytes = 32 * 1024 * 1024
    /// Default connection pool size.
    public static let defaultDatabaseConnections = 16
    /// How often the database is probed while it is unreachable.
    public static let databaseProbeInterval: Duration = .milliseconds(500)

    /// External PostgreSQL (`postgres://...`); nil starts the embedded cluster.
    public var databaseURL: String?
    /// The embedded cluster's data directory.
    public var dataDirectory: String
    /// HTTP interface.
    public var httpHost: String
    /// HTTP port (0: any free port).
    public var httpPort: Int
    /// gRPC interface (an IPv4 or IPv6 address).
    public var grpcHost: String
    /// gRPC port (0: any free port).
    public var grpcPort: Int
    /// Request body (and gRPC message) limit in bytes.
    public var maximumBodyBytes: Int
    /// Connection pool size.
    public var databaseConnections: Int
    /// Extra settings for the embedded cluster (tests relax durability with these).
    public var embeddedSettings: [String: String]
    /// Log level.
    public var logLevel: Logger.Level

    /// Creates a configuration with the defaults.
    public init(
        databaseURL: String? = nil, dataDirectory: String = defaultDataDirectory, httpHost: String = defaultHTTPHost,
        httpPort: Int = defaultHTTPPort, grpcHost: String = defaultGRPCHost, grpcPort: Int = defaultGRPCPort,
        maximumBodyBytes: Int = defaultMaximumBodyBytes,
        databaseConnections: Int = defaultDatabaseConnections, embeddedSettings: [String: String] = [:],
        logLevel: Logger.Level = .info
    ) {
        self.databaseURL = databaseURL
        self.dataDirectory = dataDirectory
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.grpcHost = grpcHost
        self.grpcPort = grpcPort
        self.maximumBodyBytes = maximumBodyBytes
        self.databaseConnections = databaseConnections
        self.embeddedSettings = embeddedSettings
        self.logLevel = logLevel
    }
}
