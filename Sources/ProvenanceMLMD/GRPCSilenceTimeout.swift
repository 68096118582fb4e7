import NIOCore

/// On each gRPC connection: closes it when the client sends nothing for too long. First, its HTTP/2 preface must
/// arrive within `handshake`; after that, some bytes within `silence`: the server pings every connection on a
/// shorter period (its keep-alive), and a live client answers, so a client that says nothing for that long is gone
/// or hostile.
///
/// grpc-swift's own timers do not cover this: its idle timer asks a client to go away and then waits for the
/// client's answer, and a client that never sent its preface waits for ever.
final class GRPCSilenceTimeout: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The length of the HTTP/2 client connection preface.
    static let prefaceLength = 24

    private let handshake: Duration
    private let silence: Duration
    private var received = 0
    private var lastRead = ContinuousClock.now
    private var timer: Scheduled<Void>?

    init(handshake: Duration, silence: Duration) {
        self.handshake = handshake
        self.silence = silence
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastRead = .now
        arm(context, after: handshake)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
        lastRead = .now
        context.fireChannelRead(data)
    }

    /// The current limit: the handshake's until the preface came, then the silence allowed.
    private var limit: Duration { received >= Self.prefaceLength ? silence : handshake }

    /// Checks after `delay` whether the client has been silent for the current limit; a read meanwhile only moves
    /// the next check (no timer is armed per read).
    private func arm(_ context: ChannelHandlerContext, after delay: Duration) {
        timer = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: TimeAmount(delay)) {
            let quiet = ContinuousClock.now - self.lastRead
            if quiet >= self.limit {
                context.close(promise: nil)
            } else {
                self.arm(context, after: self.limit - quiet)
            }
        }
    }
}
