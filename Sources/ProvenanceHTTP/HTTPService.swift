import Hummingbird
import HummingbirdCore
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
    public var limits: APILimits
    /// Timeouts and the connection limit.
    public var connections: ConnectionLimits
    /// Whether `/metrics` answers without a credential.
    public var publicMetrics: Bool
    /// The level of the one log line each request gets.
    public var requestLogLevel: Logger.Level

    /// Creates settings.
    public init(
        host: String, port: Int, limits: APILimits, connections: ConnectionLimits = ConnectionLimits(),
        publicMetrics: Bool = false, requestLogLevel: Logger.Level = .debug
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.connections = connections
        self.publicMetrics = publicMetrics
        self.requestLogLevel = requestLogLevel
    }
}

/// Builds the REST API server as a service for the server's ServiceGroup. `onListening` receives the bound port.
public func makeHTTPService(
    engine: Engine, authorizer: Authorizer, metrics: @escaping MetricsExposition, settings: HTTPSettings, logger: Logger,
    onListening: @escaping @Sendable (Int) async -> Void
) -> some Service {
    let connections = settings.connections
    return Application(
        router: makeAPIRouter(
            engine: engine, authorizer: authorizer, metrics: metrics, limits: settings.limits,
            publicMetrics: settings.publicMetrics, requestLogLevel: settings.requestLogLevel),
        server: .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuard(limits: connections, connections: .shared)])),
        configuration: .init(
            address: .hostname(settings.host, port: settings.port), serverName: "provenance",
            availableConnectionsDelegate: MaximumAvailableConnections(connections.maximumHTTPConnections)),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
        logger: logger)
}

/// The router of the REST API: every route api/openapi.yaml documents, behind the error middleware and the access
/// checks of `AccessPolicy`.
public func makeAPIRouter(
    engine: Engine, authorizer: Authorizer, metrics: @escaping MetricsExposition, limits: APILimits,
    publicMetrics: Bool = false, requestLogLevel: Logger.Level = .debug
) -> Router<APIRequestContext> {
    let router = Router(context: APIRequestContext.self)
    router.add(middleware: RequestLogMiddleware(level: requestLogLevel))
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: CancellationMiddleware())
    router.add(middleware: AuthMiddleware(authorizer: authorizer, publicMetrics: publicMetrics))
    APIRoutes(engine: engine, authorizer: authorizer, metrics: metrics, limits: limits).register(on: router)
    return router
}
