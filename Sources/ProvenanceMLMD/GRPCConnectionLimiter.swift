import NIOCore

/// On the gRPC listener: stops accepting connections while `maximum` are open, so clients that hold connections
/// cannot use up the process's file descriptors; new clients wait in the kernel's backlog until one closes.
/// (grpc-swift's transport has no such limit.)
final class GRPCConnectionLimiter: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = Never
    typealias OutboundOut = Never

    private let maximum: Int
    private var open = 0
    /// A read the limit held back, to pass on once a connection closes.
    private var heldRead = false

    init(maximum: Int) {
        self.maximum = maximum
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        open += 1
        let loop = context.eventLoop
        connection.closeFuture.hop(to: loop).assumeIsolatedUnsafeUnchecked().whenComplete { _ in
            self.open -= 1
            if self.heldRead, self.open < self.maximum {
                self.heldRead = false
                context.read()
            }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if open < maximum {
            context.read()
        } else {
            heldRead = true
        }
    }
}
