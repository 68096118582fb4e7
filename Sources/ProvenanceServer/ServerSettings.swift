import Logging
import ProvenanceCore

/// The settings of `provenance serve`, each once: the CLI, the environment, `--help` and the README's table are
/// made from this list (a test keeps the README's copy in step).
public enum ServerSettings {
    /// Every setting of `serve`.
    public static let table = SettingsTable<ServerConfiguration>(defaults: { ServerConfiguration() }, [
        .optionalText(
            "database-url", \.databaseURL, valueName: "URL",
            help: "PostgreSQL to use (postgres://user:password@host:port/db); none starts the embedded cluster."),
        .text("data-dir", \.dataDirectory, valueName: "PATH", help: "Data directory of the embedded PostgreSQL cluster."),
        .text("http-host", \.httpHost, valueName: "ADDRESS", help: "Interface the REST API listens on."),
        .integer("http-port", \.httpPort, in: 0...65535, valueName: "PORT", help: "Port of the REST API (0: any free port)."),
        .text("grpc-host", \.grpcHost, valueName: "ADDRESS", help: "Interface of MLMD's gRPC service (an IP address)."),
        .integer(
            "grpc-port", \.grpcPort, in: 0...65535, valueName: "PORT",
            help: "Port of MLMD's gRPC service (0: any free port)."),
        .integer(
            "max-body-bytes", \.maximumBodyBytes, in: 1024...(1 << 30), valueName: "BYTES",
            help: "Largest request body or gRPC message; larger is 413 / RESOURCE_EXHAUSTED."),
        .integer(
            "database-connections", \.databaseConnections, in: 1...1000,
            help: "Most database connections at once (opened as needed, closed after 5 minutes idle)."),
        .duration(
            "statement-timeout", \.statementTimeout, allowsZero: true,
            help: "Longest a SQL statement may run; PostgreSQL cancels it then and the request gets 503 (gRPC DEADLINE_EXCEEDED)."),
        .duration(
            "connection-wait", \.connectionWait,
            help: "How long a request waits for a pooled database connection (one being opened included) before it is answered 503."),
        .duration(
            "shutdown-grace", \.shutdownGrace,
            help: "On SIGTERM, how long requests in flight may finish before they are cancelled (the server exits within this plus 5 s)."),
        .duration("long-poll-limit", \.longPollLimit, help: "The longest a lease request waits for a task before it is answered with none."),
        .duration("reaper-interval", \.reaperInterval, help: "How often every replica ends expired leases and wakes executors for retries whose backoff ended."),
        .integer("reap-batch", \.reapBatch, in: 1...100_000, help: "The most expired leases one reaper transaction ends (it goes on while any are left)."),
        .duration("schedule-interval", \.scheduleInterval, help: "How often every replica looks for due schedules (fires due, queued fires with room)."),
        .duration(
            "schedule-grace", \.scheduleGrace,
            help: "How late a schedule's fire may be made and still count as on time; later ones are missed fires, which catch_up decides about."),
        .duration(
            "executor-liveness", \.executorLiveness,
            help: "How recently an executor must have been seen to count as attached (listings, why tasks wait, /metrics)."),
        .integer(
            "lease-concurrency", \.leaseConcurrency, in: 0...64,
            help: "Lease transactions at once; requests arriving meanwhile share the next (0: one per 4 cores)."),
        .integer("lease-batch", \.leaseBatch, in: 1...1000, help: "The most lease requests one transaction serves."),
        .integer(
            "completion-concurrency", \.completionConcurrency, in: 0...64,
            help: "Completion transactions at once; completions arriving meanwhile share the next (0: one per 2 cores)."),
        .integer("completion-batch", \.completionBatch, in: 1...1000, help: "The most completions one transaction records."),
        .integer(
            "release-waves", \.releaseWaves, in: 1...100_000,
            help: "The most waves of cache hits one transaction resolves (a cached chain goes a step a wave); the rest go on in further transactions."),
        .integer(
            "max-log-lines", \.maximumLogLines, in: 100...100_000_000, valueName: "LINES",
            help: "Most log lines one attempt stores; the line after says the log was cut, later ones are dropped (lines over 16 KiB are cut too)."),
        .duration(
            "lease-duration", \.leaseDuration,
            help: "How long an executor holds a task without a heartbeat; then the task is tried again elsewhere."),
        .duration(
            "retain-runs", \.retainRuns, allowsZero: true,
            help: "Finished runs older than this go, with their tasks, attempts and logs (their lineage stays)."),
        .duration(
            "retain-task-logs", \.retainTaskLogs, allowsZero: true,
            help: "Log lines of finished tasks older than this go."),
        .duration(
            "retain-attempts", \.retainAttempts, allowsZero: true,
            help: "Earlier attempts of finished tasks (the tries before the last) that ended longer ago than this go."),
        .duration(
            "retain-openlineage-events", \.retainOpenLineageEvents, allowsZero: true,
            help: "OpenLineage events as received are kept this long (replays of them are recognised meanwhile); the lineage they wrote stays."),
        .optionalText(
            "openlineage-namespaces", \.openLineageNamespaces, valueName: "MAP",
            help: "Where OpenLineage job namespaces land: 'airflow://prod=retail,spark=retail'; others map to themselves, made valid ('airflow://x' -> 'airflow-x')."),
        .duration("retention-interval", \.retentionInterval, help: "How often the retain-* limits are applied (one replica at a time)."),
        .flag(
            "local-executor", \.localExecutor,
            help: "With the embedded cluster, also run one executor (provenance executor) as a child process; never with --database-url."),
        .duration(
            "http-idle-timeout", \.connections.httpIdleTimeout,
            help: "A kept-alive HTTP connection with no request is closed after this long."),
        .duration(
            "http-header-timeout", \.connections.httpHeaderTimeout,
            help: "An HTTP request's line and headers must arrive within this long."),
        .duration(
            "http-body-timeout", \.connections.httpBodyTimeout,
            help: "An HTTP request's body must arrive within this long of its headers."),
        .integer(
            "max-http-connections", \.connections.maximumHTTPConnections, in: 1...1_000_000,
            help: "HTTP connections held at once; more wait in the kernel's backlog."),
        .duration(
            "grpc-idle-timeout", \.connections.grpcIdleTimeout,
            help: "A gRPC connection with no RPC this long is asked to go away."),
        .duration(
            "grpc-handshake-timeout", \.connections.grpcHandshakeTimeout,
            help: "A gRPC connection must send its preface, and answer pings, within this long."),
        .duration(
            "grpc-keepalive-interval", \.connections.grpcKeepaliveInterval,
            help: "How often the server pings each gRPC connection to find clients that went silent."),
        .integer(
            "max-grpc-connections", \.connections.maximumGRPCConnections, in: 1...1_000_000,
            help: "gRPC connections held at once; more wait in the kernel's backlog."),
        .flag(
            "insecure-no-auth", \.insecureNoAuth,
            help: "Serve without authentication on an address other than loopback (refused otherwise until a token exists); logged loudly."),
        .flag("public-metrics", \.publicMetrics, help: "Let /metrics answer without a token."),
        .optionalText(
            "tls-cert", \.tlsCertificate, valueName: "PATH",
            help: "Certificate chain (PEM) to serve REST and gRPC over TLS with; plaintext if not given."),
        .optionalText("tls-key", \.tlsKey, valueName: "PATH", help: "Private key (PEM) of --tls-cert."),
        .optionalText(
            "tls-client-ca", \.tlsClientCA, valueName: "PATH",
            help: "CA (PEM) that signs client certificates: optional on REST, required on gRPC once set."),
        .optionalText(
            "client-certificates", \.clientCertificates, valueName: "PATH",
            help: "YAML or JSON list of {subject, role, namespaces} granting client certificates a role (how MLMD's own client authenticates)."),
        .optionalText(
            "admin-token-file", \.adminTokenFile, valueName: "PATH",
            help: "File holding the first admin token: registered at start if the file exists, else made and written there (mode 0600); never logged."),
        .optionalText(
            "oidc-issuer", \.oidcIssuer, valueName: "URL",
            help: "Accept JWTs of this OIDC issuer as bearer tokens (its iss); needs --oidc-audience and --oidc-grants."),
        .optionalText(
            "oidc-audience", \.oidcAudience, valueName: "AUDIENCE", help: "The audience (aud) the issuer's JWTs must name."),
        .optionalText(
            "oidc-jwks", \.oidcJWKS, valueName: "PATH|URL",
            help: "The issuer's keys (a JWKS file or https URL); if not given, the jwks_uri of the issuer's discovery document."),
        .optionalText(
            "oidc-grants", \.oidcGrants, valueName: "PATH",
            help: "YAML or JSON list of {claim, equals, role, namespaces} rules, first match wins, granting JWTs a role."),
        .text("oidc-name-claim", \.oidcNameClaim, valueName: "CLAIM", help: "The JWT claim that names its holder in logs and the audit log."),
        .duration("oidc-jwks-refresh", \.oidcRefreshInterval, help: "How often the issuer's keys are fetched again."),
        .optionalText(
            "otel-endpoint", \.otelEndpoint, valueName: "URL",
            help: "Send traces (requests, RPCs, engine steps, database operations) over OTLP/HTTP to this collector, as URL/v1/traces; OTEL_* variables (protocol, sampler, headers) apply."),
        .text("otel-service-name", \.otelServiceName, valueName: "NAME", help: "The service name (service.name) of the traces."),
        Setting(
            "log-level", \.logLevel, valueName: "LEVEL",
            help: "Least severe log level written: trace, debug, info, notice, warning, error or critical.",
            parse: { Logger.Level(rawValue: $0.lowercased()) },
            expected: "one of trace, debug, info, notice, warning, error, critical", describe: { $0.rawValue }),
        Setting(
            "log-format", \.logFormat, valueName: "FORMAT",
            help: "text, or json: one JSON object a line, and a line for each request (request id, route, status, duration, namespace, caller).",
            parse: { LogFormat(rawValue: $0.lowercased()) }, expected: "text or json", describe: { $0.rawValue }),
    ])

    /// The settings of the commands that only reach the database (`migrate`, `bench`).
    public static let database = table.restricted(to: ["database-url", "data-dir", "log-level", "log-format"])
}
