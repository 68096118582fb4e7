import Logging
import ProvenanceCore
import ProvenanceHTTP
import ProvenanceMLMD
import ProvenanceOrchestrator
import ProvenanceStore
import ServiceLifecycle

/// Builds the server from a configuration: starts the embedded cluster if no database URL is given, applies
/// migrations, and composes the pool, the database probe, the HTTP API and the MLMD gRPC service into one ServiceGroup. `main` and the
/// tests both call this.
public func buildServer(config: ServerConfiguration, handleSignals: Bool = true) async throws -> ProvenanceServer {
    var cluster: EmbeddedPostgres?
    var lock: DataDirectoryLock?
    do {
        return try await composeServer(config: config, handleSignals: handleSignals, cluster: &cluster, lock: &lock)
    } catch {
        // Do not leave a cluster running behind a server that failed to start.
        try? cluster?.stop()
        lock?.release()
        throw error
    }
}

private func composeServer(
    config: ServerConfiguration, handleSignals: Bool, cluster startedCluster: inout EmbeddedPostgres?,
    lock: inout DataDirectoryLock?
) async throws -> ProvenanceServer {
    let tracing = try TraceExport.start(config)
    let logger = {
        var logger = Logger(label: "provenance") { label in
            ServerLogHandler(label: label, format: config.logFormat, metadataProvider: tracing?.logMetadata)
        }
        logger.logLevel = config.logLevel
        return logger
    }()
    var services: [any Service] = []
    let endpoint: DatabaseEndpoint
    if let url = config.databaseURL {
        endpoint = try DatabaseEndpoint(url: url)
    } else {
        let dataDirectoryLock = try DataDirectoryLock.acquire(for: config.dataDirectory)
        lock = dataDirectoryLock
        let cluster = try EmbeddedPostgres(
            dataDirectory: config.dataDirectory, settings: config.embeddedSettings, logger: logger)
        startedCluster = cluster
        endpoint = try await cluster.start()
        services.append(EmbeddedPostgresService(cluster: cluster, lock: dataDirectoryLock))
    }
    let applied = try await Migrator.migrate(endpoint, logger: logger)
    if !applied.isEmpty { logger.info("migrations applied", metadata: ["migrations": "\(applied)"]) }
    let runsLocalExecutor = LocalExecutorService.runs(config: config)
    let tls = try config.tlsFiles()
    let certificates = try AuthenticationSetup.certificateGrants(config.clientCertificates)
    let oidc = try OIDCSettings(config).map { OIDCVerifier(settings: $0, logger: logger) }
    try await oidc?.loadKeys()
    let localExecutorToken = try await AuthenticationSetup(config: config, logger: logger)
        .prepare(
            endpoint: endpoint, credentialsConfigured: !certificates.isEmpty || oidc != nil,
            makeLocalExecutorToken: runsLocalExecutor)
    var storeOptions = StoreOptions(maximumConnections: config.databaseConnections)
    storeOptions.statementTimeout = config.statementTimeout
    storeOptions.maximumLogLinesPerAttempt = config.maximumLogLines
    storeOptions.connectionWaitLimit = config.connectionWait
    storeOptions.executorLiveness = config.executorLiveness
    if config.leaseConcurrency > 0 { storeOptions.leaseConcurrency = config.leaseConcurrency }
    storeOptions.leaseBatch = config.leaseBatch
    if config.completionConcurrency > 0 { storeOptions.completionConcurrency = config.completionConcurrency }
    storeOptions.completionBatch = config.completionBatch
    storeOptions.releaseWaves = config.releaseWaves
    let store = try PostgresStore(endpoint: endpoint, options: storeOptions, logger: logger)
    let authorizer = Authorizer(store: store, certificates: certificates, jwt: oidc)
    var engineSettings = EngineSettings()
    engineSettings.leaseDuration = config.leaseDuration
    engineSettings.longPollLimit = config.longPollLimit
    engineSettings.reaperInterval = config.reaperInterval
    engineSettings.scheduleInterval = config.scheduleInterval
    engineSettings.scheduleGrace = config.scheduleGrace
    engineSettings.reapBatch = config.reapBatch
    engineSettings.retention = config.retention
    engineSettings.retentionInterval = config.retentionInterval
    let engine = Engine(store: store, settings: engineSettings, logger: logger)
    let port = PortAnnouncement()
    let exporter = MetricsExporter(store: store, engine: engine)
    let http = try makeHTTPService(
        engine: engine, authorizer: authorizer, metrics: { await exporter.exposition() },
        settings: HTTPSettings(
            host: config.httpHost, port: config.httpPort, limits: APIOptions(
                maximumBodyBytes: config.maximumBodyBytes,
                openLineageNamespaces: try OpenLineageNamespaces(
                    parsing: config.openLineageNamespaces ?? "", field: "--openlineage-namespaces")),
            connections: config.connections, publicMetrics: config.publicMetrics,
            requestLogLevel: config.logFormat == .json ? .info : .debug, tls: tls),
        logger: logger,
        onListening: { bound in
            logger.info("HTTP API listening", metadata: ["address": "\(tls == nil ? "http" : "https")://\(config.httpHost):\(bound)"])
            port.announce(bound)
        })
    let grpcPort = PortAnnouncement()
    let grpc = makeMLMDService(
        store: store, authorizer: authorizer,
        settings: MLMDSettings(
            host: config.grpcHost, port: config.grpcPort, maximumMessageBytes: config.maximumBodyBytes,
            connections: config.connections, tls: tls),
        onListening: { bound in
            logger.info("MLMD gRPC service listening", metadata: ["address": "\(config.grpcHost):\(bound)"])
            grpcPort.announce(bound)
        })
    services.append(store)
    services.append(DatabaseProbe(store: store, interval: ServerConfiguration.databaseProbeInterval))
    if let oidc { services.append(oidc) }
    services += engine.services
    services.append(http)
    services.append(grpc)
    // Last, so it shuts down first, while the API still takes its reports.
    if runsLocalExecutor {
        services.append(LocalExecutorService(config: config, httpPort: port, token: localExecutorToken, logger: logger))
    }
    let running = RunningServices()
    var groupConfiguration = ServiceGroupConfiguration(
        services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: running.tracking($0)) },
        gracefulShutdownSignals: [], logger: logger)
    // Requests still running after the grace period are cancelled (their statements too). The server bounds the
    // rest itself (`ShutdownWatch`): ServiceLifecycle's own limit on cancellation is a fatal error, which would end
    // a test process along with the server in it.
    groupConfiguration.maximumGracefulShutdownDuration = config.shutdownGrace
    groupConfiguration.maximumCancellationDuration = nil
    let group = ServiceGroup(configuration: groupConfiguration)
    let watch = ShutdownWatch(
        group: group, running: running, limit: config.shutdownGrace + config.cancellationGrace,
        handlesSignals: handleSignals, exitsWhenOverrun: config.exitsWhenShutdownOverruns, logger: logger)
    // The trace exporter runs beside the group, not in it: the group's grace period may run out and cancel what is
    // left, and the exporter must still send the spans of everything that ran, after everything else has stopped.
    let traceExport = tracing.map { tracing in
        ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: tracing.service)], gracefulShutdownSignals: [], logger: logger))
    }
    return ProvenanceServer(
        store: store, serviceGroup: group, traceExport: traceExport, shutdownWatch: watch, httpPort: port, grpcPort: grpcPort)
}

/// Keeps the embedded cluster for the life of the group and stops it cleanly after everything else has shut down,
/// then lets go of its data directory.
struct EmbeddedPostgresService: Service {
    let cluster: EmbeddedPostgres
    let lock: DataDirectoryLock

    func run() async throws {
        try? await gracefulShutdown()
        defer { lock.release() }
        try cluster.stop()
    }
}

/// Watches an unreachable database and declares it reachable again once it answers, so requests resume without
/// a restart; while it is unreachable, requests fail fast with 503 instead of queueing for a connection.
struct DatabaseProbe: Service {
    let store: PostgresStore
    let interval: Duration

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if !store.health.isReachable, await store.probe() {
                store.recovered()
            }
            try? await Task.sleep(for: interval)
        }
    }
}
