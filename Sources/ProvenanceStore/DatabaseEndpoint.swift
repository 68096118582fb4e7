import Foundation
import NIOSSL
import PostgresNIO
import ProvenanceCore

/// Where the PostgreSQL server is: a Unix socket (the embedded cluster) or a `postgres://` URL.
public struct DatabaseEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// TCP or socket location.
    public enum Location: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    /// Where to connect.
    public var location: Location
    /// The role to connect as.
    public var username: String
    /// The password, if the server asks for one.
    public var password: String?
    /// The database name.
    public var database: String
    /// Whether to insist on TLS for TCP connections (`sslmode=require`); otherwise TLS is not used.
    public var requireTLS: Bool

    /// Creates an endpoint.
    public init(location: Location, username: String, password: String? = nil, database: String, requireTLS: Bool = false) {
        self.location = location
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    /// Parses `postgres://user:password@host:port/database?sslmode=require` (also `postgresql://`, and a
    /// `host=/socket/dir` query item for Unix sockets, as libpq accepts).
    public init(url text: String) throws(ProvenanceError) {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw .invalid("database-url", "expected postgres://user:password@host:port/database")
        }
        let items = components.queryItems ?? []
        let database = String(components.path.drop(while: { $0 == "/" }))
        let username = components.user ?? "postgres"
        let port = components.port ?? 5432
        if let socketDir = items.first(where: { $0.name == "host" })?.value, socketDir.hasPrefix("/") {
            location = .unixSocket(path: "\(socketDir)/.s.PGSQL.\(port)")
        } else {
            guard let host = components.host, !host.isEmpty else { throw .invalid("database-url", "has no host") }
            location = .tcp(host: host, port: port)
        }
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password?.removingPercentEncoding
        self.database = database.isEmpty ? self.username : database
        self.requireTLS = items.first(where: { $0.name == "sslmode" })?.value.map { ["require", "verify-ca", "verify-full"].contains($0) } ?? false
    }

    /// The same server, another database.
    public func with(database: String) -> DatabaseEndpoint {
        var copy = self
        copy.database = database
        return copy
    }

    /// A description without the password, for logs.
    public var description: String {
        switch location {
        case .tcp(let host, let port): "postgres://\(username)@\(host):\(port)/\(database)"
        case .unixSocket(let path): "postgres://\(username)@/\(database) (socket \(path))"
        }
    }

    /// Settings of every pooled session. Named prepared statements (the composite write) get one generic plan:
    /// a custom plan is built from the statistics of the literal namespace id, and a namespace created after the
    /// last ANALYZE looks empty, which once made the reuse-by-external-id lookup scan the whole namespace per
    /// row. Ad-hoc queries are unnamed statements and keep their custom plans.
    ///
    /// A generic plan is made from the statistics of the moment it is first needed on a connection, and kept until
    /// the tables it reads are analyzed again. So a prepared statement must leave the planner no bad choice even
    /// when its tables look empty, which the run engine's queue nearly always does: rows looked up by key (a
    /// LATERAL subquery with OFFSET 0 keeps other conditions out of the lookup), the queue read in its index's
    /// order (see the lease's candidates).
    static let sessionSettings = [("plan_cache_mode", "force_generic_plan"), ("application_name", "provenance")]

    /// The postgres-nio client configuration for this endpoint: up to `maximumConnections`, each running its
    /// statements under `statementTimeout` (zero: none).
    func clientConfiguration(maximumConnections: Int, statementTimeout: Duration) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch location {
        case .tcp(let host, let port):
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        case .unixSocket(let path):
            configuration = PostgresClient.Configuration(
                unixSocketPath: path, username: username, password: password, database: database)
        }
        configuration.options.maximumConnections = maximumConnections
        // No connection is kept open when idle. Keeping all of them (minimum = maximum) spared the pool an idle
        // timer each time it parks one, but postgres-nio 1.33's pool then crashes the process when PostgreSQL
        // goes away under load: connections that were leased count as closing, the pool's count of live ones
        // falls below its minimum, and the next lease trips its precondition (`createNewDemandConnectionIfPossible`,
        // seen when PostgreSQL restarted under load). With no minimum that invariant cannot break. Idle connections
        // close after `connectionIdleTimeout`; only those over TCP (where a middlebox may silently drop an idle one) are kept
        // alive by pings meanwhile.
        configuration.options.minimumConnections = 0
        configuration.options.connectionIdleTimeout = .seconds(300)
        configuration.options.connectTimeout = .seconds(5)
        if case .tcp = location {
            configuration.options.keepAliveBehavior = .init(frequency: .seconds(30))
        } else {
            configuration.options.keepAliveBehavior = nil
        }
        let timeout = statementTimeout.components
        let milliseconds = timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters =
            Self.sessionSettings + [("statement_timeout", "\(milliseconds)")]
        return configuration
    }

    /// A single-connection configuration, for the migrator, the health probe and benchmark baselines.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        switch location {
        case .tcp(let host, let port):
            PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable)
        case .unixSocket(let path):
            PostgresConnection.Configuration(
                unixSocketPath: path, username: username, password: password, database: database)
        }
    }
}
