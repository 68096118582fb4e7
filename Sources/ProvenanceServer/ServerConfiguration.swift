import Logging
import ProvenanceCore
import ProvenanceOrchestrator
import ProvenanceStore

/// Everything `provenance serve` can be told. The defaults are the initial values below and nowhere else: the
/// command line, the environment, `--help` and the README's table read them through `ServerSettings.table`.
public struct ServerConfiguration: Sendable {
    /// How often the database is probed while it is unreachable.
    public static let databaseProbeInterval: Duration = .milliseconds(500)

    /// External PostgreSQL (`postgres://...`); nil starts the embedded cluster.
    public var databaseURL: String? = nil
    /// The embedded cluster's data directory.
    public var dataDirectory = ".provenance/postgres"
    /// HTTP interface: loopback only by default.
    public var httpHost = "127.0.0.1"
    /// HTTP port (0: any free port).
    public var httpPort = 8080
    /// gRPC interface (an IPv4 or IPv6 address): loopback only by default.
    public var grpcHost = "127.0.0.1"
    /// gRPC port of the MLMD service (0: any free port).
    public var grpcPort = 8081
    /// Request body (and gRPC message) limit in bytes: 32 MiB, enough for a lineage:record of tens of thousands of
    /// nodes.
    public var maximumBodyBytes = 32 * 1024 * 1024
    /// The most pooled database connections (opened as needed, closed after 5 minutes idle).
    public var databaseConnections = 16
    /// The longest a single SQL statement may run before PostgreSQL cancels it.
    public var statementTimeout: Duration = .seconds(30)
    /// On SIGTERM, how long requests in flight may take to finish before they are cancelled.
    public var shutdownGrace: Duration = .seconds(10)
    /// On shutdown, how long cancelled work has to stop after `shutdownGrace`; past it the server logs what is
    /// still running and, when it owns its process (`exitsWhenShutdownOverruns`), exits with status 3.
    public var cancellationGrace: Duration = .seconds(5)
    /// Whether a shutdown that overruns its limits ends the process (`provenance serve`); servers inside another
    /// process (tests) only log it and wait on, so nothing they do can end their host.
    public var exitsWhenShutdownOverruns = false
    /// How long an executor's lease on a task lasts without a heartbeat.
    public var leaseDuration: Duration = .seconds(30)
    /// How long finished runs (their tasks, attempts and logs) are kept; zero keeps them for ever.
    public var retainRuns: Duration = .zero
    /// How long the log lines of finished tasks are kept; zero keeps them for ever.
    public var retainTaskLogs: Duration = .zero
    /// How long the earlier attempts of finished tasks are kept; zero keeps them for ever.
    public var retainAttempts: Duration = .zero
    /// How long OpenLineage events are kept as received; zero keeps them for ever.
    public var retainOpenLineageEvents: Duration = .seconds(30 * 86_400)
    /// Where OpenLineage job namespaces land (`ol=namespace,...`), beyond the default mapping.
    public var openLineageNamespaces: String?
    /// How often the retention policy is applied.
    public var retentionInterval: Duration = .seconds(600)
    /// The timeouts and connection limits of the HTTP and gRPC listeners.
    public var connections = ConnectionLimits()
    /// With the embedded cluster, whether to run one executor as a child process (`executorCommand`).
    public var localExecutor = true
    /// The command that starts an executor (`provenance serve` sets it to its own binary's `executor` command);
    /// nil runs no local executor.
    public var executorCommand: [String]? = nil
    /// Extra settings for the embedded cluster (tests relax durability with these).
    public var embeddedSettings: [String: String] = [:]
    /// Whether to serve without authentication on an address other than loopback (refused otherwise while no
    /// token exists).
    public var insecureNoAuth = false
    /// Whether `/metrics` answers without a credential.
    public var publicMetrics = false
    /// A file holding the first admin token: read and registered if it exists, made (mode 0600) if not.
    public var adminTokenFile: String? = nil
    /// The certificate chain (PEM) REST and gRPC serve TLS with; plaintext when nil.
    public var tlsCertificate: String? = nil
    /// The private key (PEM) of `tlsCertificate`.
    public var tlsKey: String? = nil
    /// The CA (PEM) that signs client certificates: optional on REST, required on gRPC once set.
    public var tlsClientCA: String? = nil
    /// A file granting client certificates roles (see `CertificateGrants`).
    public var clientCertificates: String? = nil
    /// The OIDC issuer whose JWTs are accepted as bearer tokens (see `OIDCVerifier`); none when nil.
    public var oidcIssuer: String? = nil
    /// The audience those JWTs must name.
    public var oidcAudience: String? = nil
    /// The issuer's key set: a file or a URL; nil finds it through the issuer's discovery document.
    public var oidcJWKS: String? = nil
    /// A file of rules granting roles by claim (see `ClaimGrants`).
    public var oidcGrants: String? = nil
    /// The claim that names a JWT's holder.
    public var oidcNameClaim = "sub"
    /// How often the issuer's keys are fetched again.
    public var oidcRefreshInterval: Duration = .seconds(900)
    /// The engine's and the store's tunables (see `EngineSettings` and `StoreOptions`).
    public var longPollLimit: Duration = EngineSettings().longPollLimit
    /// How often every replica looks for expired leases.
    public var reaperInterval: Duration = EngineSettings().reaperInterval
    /// The most expired leases one reaper transaction ends.
    public var reapBatch = EngineSettings().reapBatch
    /// How often every replica looks for due schedules.
    public var scheduleInterval: Duration = EngineSettings().scheduleInterval
    /// How late a fire may be made and still count as on time.
    public var scheduleGrace: Duration = EngineSettings().scheduleGrace
    /// How recently an executor must have been seen to count as attached.
    public var executorLiveness: Duration = StoreOptions().executorLiveness
    /// Lease transactions at once (0: one per four cores).
    public var leaseConcurrency = 0
    /// Lease requests per transaction.
    public var leaseBatch = StoreOptions().leaseBatch
    /// Completion transactions at once (0: one per two cores).
    public var completionConcurrency = 0
    /// Completions per transaction.
    public var completionBatch = StoreOptions().completionBatch
    /// Waves of cache hits per transaction.
    public var releaseWaves = StoreOptions().releaseWaves
    /// How long a request waits for a pooled connection before it is answered 503.
    public var connectionWait: Duration = PostgresStore.connectionWaitLimit
    /// The most log lines one attempt stores.
    public var maximumLogLines = 100_000
    /// The OpenTelemetry collector (OTLP/HTTP) the server sends its traces to (see `TraceExport`); none when nil.
    public var otelEndpoint: String? = nil
    /// The service name the traces carry.
    public var otelServiceName = "provenance"
    /// Log level.
    public var logLevel: Logger.Level = .info
    /// Log format; with `json`, each request also gets an `info` line (at `debug` with `text`).
    public var logFormat: LogFormat = .text

    /// Creates a configuration with the defaults.
    public init() {}

    /// Creates a configuration with the defaults but for the listeners (tests pass port 0) and the log level.
    public init(httpPort: Int, grpcPort: Int, logLevel: Logger.Level) {
        self.httpPort = httpPort
        self.grpcPort = grpcPort
        self.logLevel = logLevel
    }
}

extension ServerConfiguration {
    /// The retention policy the `retain-*` settings make (zero keeps for ever).
    var retention: RetentionPolicy {
        func kept(_ duration: Duration) -> Duration? { duration == .zero ? nil : duration }
        return RetentionPolicy(
            runs: kept(retainRuns), taskLogs: kept(retainTaskLogs), attempts: kept(retainAttempts),
            openLineageEvents: kept(retainOpenLineageEvents))
    }

    /// The TLS files, checked for sense: a certificate and a key together, a client CA only with them, and
    /// certificate grants only with a client CA.
    func tlsFiles() throws(ProvenanceError) -> TLSFiles? {
        guard let certificate = tlsCertificate else {
            guard tlsKey == nil else { throw .invalid("--tls-key", "needs --tls-cert") }
            guard tlsClientCA == nil else { throw .invalid("--tls-client-ca", "needs --tls-cert and --tls-key") }
            guard clientCertificates == nil else { throw .invalid("--client-certificates", "needs --tls-client-ca") }
            return nil
        }
        guard let key = tlsKey else { throw .invalid("--tls-cert", "needs --tls-key") }
        if clientCertificates != nil, tlsClientCA == nil {
            throw .invalid("--client-certificates", "needs --tls-client-ca (the CA that signs the certificates)")
        }
        return TLSFiles(certificate: certificate, privateKey: key, clientCA: tlsClientCA)
    }
}
