import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOSSL
import NIOTLS
import ProvenanceCore
import X509

/// Watches one HTTP connection: closes it when a client takes too long (to send a request, its headers or its
/// body), answers a request the HTTP parser rejects with the API's JSON error, and tells the request in progress
/// when its client has gone.
///
/// It sits after the HTTP codec, where it sees request parts, and puts a `RequestBytesWatcher` before the codec,
/// which reports the first bytes of each request (the codec reports a request only once its headers are complete).
/// Hummingbird neither times out headers or bodies separately nor cancels a handler whose client disconnected; its
/// own idle timeout is left off, this covers it.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Where the connection is between requests.
    private enum Phase {
        /// No request begun since the last response (or the connection opened).
        case idle
        /// A request's first bytes came, its headers are not complete.
        case readingHead
        /// Headers came, the body is not complete.
        case readingBody
        /// The request is complete and being handled; `nextBegun` is whether bytes of a next one came meanwhile.
        case handling(nextBegun: Bool)
    }

    private let limits: ConnectionLimits
    private let connections: ClientConnections
    private let cancellation = RequestCancellation()
    private var phase = Phase.idle
    private var timer: Scheduled<Void>?
    /// Set once this handler has answered a parser error itself: Hummingbird's own empty answer is dropped.
    private var answeredParserError = false

    init(limits: ConnectionLimits, connections: ClientConnections) {
        self.limits = limits
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections.register(cancellation, for: context.channel)
        try? context.pipeline.syncOperations.addHandler(RequestBytesWatcher(), position: .first)
        if context.channel.isActive { enter(.idle, context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        connections.unregister(context.channel)
    }

    func channelActive(context: ChannelHandlerContext) {
        enter(.idle, context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        cancellation.cancel()
        connections.unregister(context.channel)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is RequestBytesArrived:
            switch phase {
            case .idle: enter(.readingHead, context: context)
            case .handling(nextBegun: false): phase = .handling(nextBegun: true)
            case .readingHead, .readingBody, .handling: break
            }
        case let tlsEvent as TLSUserEvent:
            // A client certificate (optional on REST) was verified against --tls-client-ca: note whose it is.
            if case .handshakeCompleted = tlsEvent,
                let certificate = try? context.pipeline.syncOperations.nioSSL_peerCertificate(),
                let parsed = try? Certificate(derEncoded: certificate.toDERBytes())
            {
                connections.setCertificateSubject(String(describing: parsed.subject), for: context.channel)
            }
            context.fireUserInboundEventTriggered(event)
        case let event as ChannelEvent where event == .inputClosed:
            // The client closed its side: nobody will read an answer, so the work for it stops.
            cancellation.cancel()
            context.fireUserInboundEventTriggered(event)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: enter(.readingBody, context: context)
        case .body: break
        case .end: enter(.handling(nextBegun: false), context: context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if answeredParserError {
            promise?.succeed()
            return
        }
        if case .end = unwrapOutboundIn(data), case .handling(let nextBegun) = phase {
            enter(nextBegun ? .readingHead : .idle, context: context)
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError, !answeredParserError {
            answer(error, context: context)
        }
        context.fireErrorCaught(error)
    }

    /// Moves to `phase` with its time limit.
    private func enter(_ phase: Phase, context: ChannelHandlerContext) {
        self.phase = phase
        timer?.cancel()
        timer = nil
        let limit: Duration
        switch phase {
        case .idle: limit = limits.httpIdleTimeout
        case .readingHead: limit = limits.httpHeaderTimeout
        case .readingBody: limit = limits.httpBodyTimeout
        case .handling: return
        }
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: TimeAmount(limit)) {
            context.close(promise: nil)
        }
    }

    /// The JSON error for a request the parser rejected (Hummingbird would send an empty 400).
    private func answer(_ error: HTTPParserError, context: ChannelHandlerContext) {
        let tooLarge = error == .headerOverflow
        let problem =
            tooLarge
            ? "the request line and headers are larger than the server accepts (\(Self.headLimit / 1024) KiB)"
            : "the request is not valid HTTP/1.1 (\(error.debugDescription))"
        let error = ProvenanceError.invalid("request", problem)
        let body = ByteBuffer(bytes: JSONWriter.bytes(ErrorMiddleware.json(error)))
        let status: HTTPResponse.Status =
            tooLarge ? .init(code: 431, reasonPhrase: "Request Header Fields Too Large") : ErrorMiddleware.status(for: error.code)
        let head = HTTPResponse(status: status, headerFields: [
            .contentType: "application/json", .contentLength: "\(body.readableBytes)", .connection: "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        answeredParserError = true
    }

    /// NIO's default limit on a request's line and headers together.
    static let headLimit = 80 * 1024
}

/// Reported by `RequestBytesWatcher` for every read, before the HTTP codec sees the bytes.
struct RequestBytesArrived {}

/// Reports each read of raw bytes to the `ConnectionGuard` behind the codec, as a user event.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireUserInboundEventTriggered(RequestBytesArrived())
        context.fireChannelRead(data)
    }
}
