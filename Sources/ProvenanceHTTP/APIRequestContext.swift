import Hummingbird
import Synchronization
import ProvenanceCore

/// The request context of the REST API: Hummingbird's basic one, plus the signal that its client has gone.
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Fires when the connection's client goes away (nil outside a guarded listener, as in router tests).
    public let cancellation: RequestCancellation?
    /// The client's address (`ip:port`), for the audit log.
    public let clientAddress: String?
    /// The subject of the client certificate the connection's TLS handshake verified, if any.
    public let certificateSubject: String?
    /// Who is calling, once `AuthMiddleware` has checked their credential.
    public var principal: Principal = .open
    /// The request's id (its `X-Request-ID`, or one made for it), set by `RequestLogMiddleware`.
    public var requestID: String = ""
    /// What inner middleware learn that the request log reports (the caller's name).
    public let facts = RequestFacts()

    /// The context of a request that arrived on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        let connection = ClientConnections.shared.connection(of: source.channel)
        cancellation = connection?.cancellation
        certificateSubject = connection?.certificateSubject
        clientAddress = source.channel.remoteAddress.map { address in
            "\(address.ipAddress ?? "local"):\(address.port.map(String.init) ?? "")"
        }
    }

    /// Who to name in the audit log for this request.
    public var actor: AuditActor { AuditActor(principal, address: clientAddress) }
}

/// Binds each request's client-gone signal for the store (see `RequestCancellation`): a client that disconnects
/// stops the statements running for it.
struct CancellationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let cancellation = context.cancellation else { return try await next(request, context) }
        return try await RequestCancellation.$current.withValue(cancellation) { try await next(request, context) }
    }
}

/// What the access check learns about a request, for the request log written outside it (the context is passed
/// inwards by value, so it cannot carry an answer back out).
public final class RequestFacts: Sendable {
    private let principalName = Mutex<String?>(nil)

    /// The caller's name, once authenticated.
    public var principal: String? {
        get { principalName.withLock { $0 } }
        set { principalName.withLock { $0 = newValue } }
    }
}
