import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import ProvenanceCore
import ProvenanceStore
import ServiceLifecycle
import Synchronization

/// Where and how the MLMD gRPC service listens.
public struct MLMDSettings: Sendable {
    /// Interface to bind: an IPv4 or IPv6 address.
    public var host: String
    /// Port to bind; 0 picks a free one (tests).
    public var port: Int
    /// The namespace of requests without the `x-provenance-namespace` header.
    public var defaultNamespace: String
    /// The largest request message accepted; larger ones are refused with RESOURCE_EXHAUSTED.
    public var maximumMessageBytes: Int
    /// Timeouts and the connection limit (the `grpc` ones).
    public var connections: ConnectionLimits
    /// TLS, if the service serves it.
    public var tls: TLSFiles?

    /// Creates settings.
    public init(
        host: String, port: Int, defaultNamespace: String = Namespace.defaultName, maximumMessageBytes: Int,
        connections: ConnectionLimits = ConnectionLimits(), tls: TLSFiles? = nil
    ) {
        self.host = host
        self.port = port
        self.defaultNamespace = defaultNamespace
        self.maximumMessageBytes = maximumMessageBytes
        self.connections = connections
        self.tls = tls
    }
}

/// Builds the MLMD-compatible gRPC server as a service for the server's ServiceGroup. `onListening` receives the
/// bound port. On graceful shutdown it stops accepting RPCs and lets those in flight finish.
public func makeMLMDService(
    store: PostgresStore, authorizer: Authorizer, settings: MLMDSettings,
    onListening: @escaping @Sendable (Int) async -> Void
) -> some Service {
    let address: GRPCNIOTransportCore.SocketAddress =
        settings.host.contains(":")
        ? .ipv6(host: settings.host, port: settings.port) : .ipv4(host: settings.host, port: settings.port)
    // The service refuses messages over the limit with RESOURCE_EXHAUSTED; the transport, which can only reset
    // the stream, stops only messages far beyond it.
    let transportLimit = max(settings.maximumMessageBytes * 4, settings.maximumMessageBytes + 1 << 20)
    let limits = settings.connections
    let security: HTTP2ServerTransport.Posix.TransportSecurity =
        if let tls = settings.tls {
            .tls(
                certificateChain: [.file(path: tls.certificate, format: .pem)],
                privateKey: .file(path: tls.privateKey, format: .pem)
            ) { config in
                // With a client CA, every gRPC client presents a certificate it signed (how MLMD's own client
                // authenticates); grpc-swift's transport cannot make it optional.
                if let clientCA = tls.clientCA {
                    config.clientCertificateVerification = .noHostnameVerification
                    config.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
                }
            }
        } else {
            .plaintext
        }
    let transport = HTTP2ServerTransport.Posix(
        address: address, transportSecurity: security,
        config: .defaults { config in
            config.rpc.maxRequestPayloadSize = transportLimit
            // A connection without RPCs is asked to go away after the idle time. Every connection is pinged on a
            // shorter period, and one whose client sends nothing (no preface, no answer to pings) is closed by
            // GRPCSilenceTimeout. The listener holds at most the maximum.
            config.connection.maxIdleTime = limits.grpcIdleTimeout
            config.connection.keepalive.time = limits.grpcKeepaliveInterval
            config.connection.keepalive.timeout = limits.grpcHandshakeTimeout
            config.channelDebuggingCallbacks.onBindTCPListener = { listener in
                listener.eventLoop.makeCompletedFuture {
                    try listener.pipeline.syncOperations.addHandler(
                        GRPCConnectionLimiter(maximum: limits.maximumGRPCConnections))
                }
            }
            config.channelDebuggingCallbacks.onAcceptTCPConnection = { connection in
                connection.eventLoop.makeCompletedFuture {
                    try connection.pipeline.syncOperations.addHandler(
                        GRPCSilenceTimeout(
                            handshake: limits.grpcHandshakeTimeout,
                            silence: limits.grpcKeepaliveInterval + limits.grpcHandshakeTimeout),
                        position: .first)
                }
            }
        })
    let draining = DrainingFlag()
    let service = MetadataStoreService(
        store: store, defaultNamespace: settings.defaultNamespace, maximumMessageBytes: settings.maximumMessageBytes,
        draining: draining)
    let authentication = MLMDAuthInterceptor(authorizer: authorizer, defaultNamespace: settings.defaultNamespace)
    return GRPCServerService(
        server: GRPCServer(
            transport: transport, services: [service], interceptors: [MLMDTracingInterceptor(), MLMDMetricsInterceptor(), authentication]),
        draining: draining,
        onListening: onListening)
}

/// Runs a gRPC server for as long as the ServiceGroup runs.
struct GRPCServerService: Service {
    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let draining: DrainingFlag
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                let address = try await server.listeningAddress
                if let port = address?.ipv4?.port ?? address?.ipv6?.port { await onListening(port) }
            }
        } onGracefulShutdown: {
            // Set first: the transport's shutdown cancels every RPC in flight, and those must be let finish.
            draining.set()
            server.beginGracefulShutdown()
        }
    }
}

/// Set once the server begins a graceful shutdown. grpc-swift then reports every RPC in flight as cancelled; those
/// are let finish within the shutdown's grace period (after which their tasks are cancelled, statements included)
/// rather than stopped at once.
final class DrainingFlag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Whether the server is shutting down.
    var isSet: Bool { value.load(ordering: .acquiring) }

    /// Records that the server is shutting down.
    func set() { value.store(true, ordering: .releasing) }
}
