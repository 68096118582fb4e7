import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import ProvenanceCore
import ProvenanceOrchestrator
import ProvenanceStore
import ServiceLifecycle

/// Where and how the REST API listens.
public struct HTTPSettings: Sendable {
    /// Interface to bind.
    public var host: String
    /// Port to bind; 0 picks a free one (tests).
    public var port: Int
    /// API limits.
    public var limits: APIOptions
    /// Timeouts and the connection limit.
    public var connections: ConnectionLimits
    /// Whether `/metrics` answers without a credential.
    public var publicMetrics: Bool
    /// The level of the one log line each request gets.
    public var requestLogLevel: Logger.Level
    /// TLS, if the API serves it (client certificates optional, verified against `clientCA` when given).
    public var tls: TLSFiles?

    /// Creates settings.
    public init(
        host: String, port: Int, limits: APIOptions, connections: ConnectionLimits = ConnectionLimits(),
        publicMetrics: Bool = false, requestLogLevel: Logger.Level = .debug, tls: TLSFiles? = nil
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.connections = connections
        self.publicMetrics = publicMetrics
        self.requestLogLevel = requestLogLevel
        self.tls = tls
    }
}

/// Builds the REST API server as a service for the server's ServiceGroup. `onListening` receives the bound port.
public func makeHTTPService(
    engine: Engine, authorizer: Authorizer, metrics: @escaping MetricsExposition, settings: HTTPSettings, logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void
) throws -> some Service {
    let connections = settings.connections
    let http1 = HTTPServerBuilder.http1(configuration: .init(
        additionalChannelHandlers: [ConnectionGuard(limits: connections, connections: .shared)]))
    return Application(
        router: makeAPIRouter(
            engine: engine, authorizer: authorizer, metrics: metrics, limits: settings.limits,
            publicMetrics: settings.publicMetrics, requestLogLevel: settings.requestLogLevel),
        server: try settings.tls.map { try .tls(http1, tlsConfiguration: try serverTLS($0)) } ?? http1,
        configuration: .init(
            address: .hostname(settings.host, port: settings.port), serverName: "provenance",
            availableConnectionsDelegate: MaximumAvailableConnections(connections.maximumHTTPConnections)),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
        logger: logger)
}

/// The router of the REST API: every route api/openapi.yaml documents, behind the error middleware and the access
/// checks of `AccessPolicy`.
public func makeAPIRouter(
    engine: Engine, authorizer: Authorizer, metrics: @escaping MetricsExposition, limits: APIOptions,
    publicMetrics: Bool = false, requestLogLevel: Logger.Level = .debug
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: RequestTracingMiddleware())
    router.add(middleware: RequestLogMiddleware(level: requestLogLevel))
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: CancellationMiddleware())
    router.add(middleware: AuthMiddleware(authorizer: authorizer, publicMetrics: publicMetrics))
    APIRoutes(engine: engine, authorizer: authorizer, metrics: metrics, limits: limits).register(on: router)
    return router
}

/// NIOSSL's server configuration for `files`: client certificates optional, verified when presented.
func serverTLS(_ files: TLSFiles) throws -> TLSConfiguration {
    var configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: files.privateKey, format: .pem)))
    if let clientCA = files.clientCA {
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .file(clientCA)
    }
    return configuration
}
