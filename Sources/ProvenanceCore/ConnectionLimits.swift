/// How long the HTTP and gRPC listeners wait on a client, and how many clients they hold at once.
///
/// A connection that sends nothing, half a request or a body that never ends would otherwise stay open for good,
/// and enough of them use up the process's file descriptors, after which health checks, REST and gRPC all stop
/// answering. Each wait has a limit after which the connection is closed, and the listeners stop accepting at
/// their connection limit (new clients wait in the kernel's backlog) until one closes.
public struct ConnectionLimits: Sendable, Equatable {
    /// HTTP: a kept-alive connection with no request in progress is closed after this long.
    public var httpIdleTimeout: Duration = .seconds(60)
    /// HTTP: a request's line and headers must arrive within this long of its first byte.
    public var httpHeaderTimeout: Duration = .seconds(10)
    /// HTTP: a request's body must arrive within this long of its headers.
    public var httpBodyTimeout: Duration = .seconds(60)
    /// HTTP: connections held at once.
    public var maximumHTTPConnections = 1000
    /// gRPC: a connection with no RPC for this long is asked to go away (GOAWAY).
    public var grpcIdleTimeout: Duration = .seconds(300)
    /// gRPC: a new connection must send the HTTP/2 preface within this long, and a client must answer the
    /// server's keep-alive ping within it; one that sends nothing for a keep-alive interval plus this is closed.
    public var grpcHandshakeTimeout: Duration = .seconds(10)
    /// gRPC: how often the server pings each connection, to find clients that have gone silent.
    public var grpcKeepaliveInterval: Duration = .seconds(60)
    /// gRPC: connections held at once.
    public var maximumGRPCConnections = 1000

    /// The defaults.
    public init() {}
}
