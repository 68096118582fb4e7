import NIOCore
import NIOPosix

/// A plain TCP connection to a test server, for what real clients never do: send nothing, half a request, or hang
/// up in the middle of one.
public struct RawConnection: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let inbound: InboundBox

    fileprivate init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, inbound: InboundBox) {
        self.outbound = outbound
        self.inbound = inbound
    }

    /// Sends `bytes`.
    public func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends `text`.
    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Sends `text` unless the server has closed the connection already, as a test of a server that closes it may
    /// find on a loaded machine; says whether it was sent.
    @discardableResult
    public func sendUnlessClosed(_ text: String) async throws -> Bool {
        do {
            try await send(text)
            return true
        } catch ChannelError.ioOnClosedChannel {
            return false
        } catch let error as IOError where error.errnoCode == EPIPE || error.errnoCode == ECONNRESET {
            return false
        }
    }

    /// Everything the server sends until it closes the connection.
    public func readUntilClosed() async throws -> [UInt8] {
        var received: [UInt8] = []
        do {
            while let chunk = try await inbound.next() { received += chunk.readableBytesView }
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            // A server that closes a connection with bytes of it still unread resets it: closed all the same.
        }
        return received
    }

    /// The next bytes the server sends, or nil once it has closed the connection.
    public func readSome() async throws -> [UInt8]? {
        try await inbound.next().map { Array($0.readableBytesView) }
    }
}

/// Runs `body` on a new TCP connection to `port` on the loopback interface, closing the connection after it.
public func withRawConnection<T: Sendable>(port: Int, _ body: (RawConnection) async throws -> T) async throws -> T {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await body(RawConnection(outbound: outbound, inbound: InboundBox(inbound.makeAsyncIterator())))
    }
}

/// The inbound iterator, shared by the copies of a `RawConnection`.
private final class InboundBox: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}

/// Waits until nothing listens on `port` any more (a connection is refused): a server that began its shutdown has
/// closed its listener. Fails only if that does not happen within `limit`.
public func waitUntilRefusingConnections(port: Int, limit: Duration = .seconds(30)) async throws {
    try await eventually("port \(port) to refuse connections", limit: limit) {
        do {
            try await withRawConnection(port: port) { _ in }
            return false
        } catch {
            return true
        }
    }
}
