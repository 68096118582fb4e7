import Hummingbird
import Logging
import NIOCore
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

    /// Creates settings.
    public init(host: String, port: Int, limits: APILimits) {
        self.host = host
        self.port = port
        self.limits = limits
    }
}

/// Builds the REST API server as a service for the server's ServiceGroup. `onListening` receives the bound port.
public func makeHTTPService(
    store: PostgresStore, settings: HTTPSettings, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
) -> some Service {
    Application(
        router: makeAPIRouter(store: store, limits: settings.limits),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "provenance"),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? settings.port) },
        logger: logger)
}

/// The router of the REST API: every route api/openapi.yaml documents, behind the error middleware.
public func makeAPIRouter(store: PostgresStore, limits: APILimits) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    APIRoutes(store: store, limits: limits).register(on: router)
    return router
}
