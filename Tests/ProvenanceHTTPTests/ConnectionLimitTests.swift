import Foundation
import Synchronization
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// Clients that connect and then send nothing, half a request or half a body are disconnected, and the listeners
/// hold a bounded number of connections, so such clients cannot use up the server's file descriptors.
@Suite struct ConnectionLimitTests {
    /// Short, but long enough that a loaded machine reads a whole request, and sends its own first bytes, before
    /// they pass.
    static func shortTimeouts(_ config: inout ServerConfiguration) {
        config.connections.httpIdleTimeout = .milliseconds(1500)
        config.connections.httpHeaderTimeout = .milliseconds(1500)
        config.connections.httpBodyTimeout = .milliseconds(1500)
        config.connections.grpcHandshakeTimeout = .milliseconds(1500)
    }

    @Test func silentHalfSentAndStalledConnectionsAreClosed() async throws {
        try await withTestServer(configure: Self.shortTimeouts) { server in
            let silent = try await withRawConnection(port: server.port) { try await $0.readUntilClosed() }
            #expect(silent.isEmpty)
            let halfHeaders = try await withRawConnection(port: server.port) { connection in
                try await connection.sendUnlessClosed("GET /healthz HTTP/1.1\r\nHost: test\r\n")
                return try await connection.readUntilClosed()
            }
            #expect(halfHeaders.isEmpty)
            _ = try await withRawConnection(port: server.port) { connection in
                try await connection.sendUnlessClosed(
                    "POST /api/v1/namespaces/default/types HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n{\"kind\"")
                return try await connection.readUntilClosed()
            }
            // A kept-alive connection is closed once idle, after its answer.
            let idle = try await withRawConnection(port: server.port) { connection in
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
                return String(decoding: try await connection.readUntilClosed(), as: UTF8.self)
            }
            #expect(idle.hasPrefix("HTTP/1.1 200"))
            #expect(try await server.request(.GET, "/healthz").status == 200)
        }
    }

    @Test func aSilentGRPCConnectionIsClosed() async throws {
        try await withTestServer(configure: Self.shortTimeouts) { server in
            // The server sends its SETTINGS at once, then closes the connection that never sends the preface.
            let received = try await withRawConnection(port: server.grpcPort) { try await $0.readUntilClosed() }
            #expect(!received.isEmpty)
        }
    }

    @Test func aRequestLineOverTheLimitGetsAJSONError() async throws {
        try await withTestServer { server in
            let answer = try await withRawConnection(port: server.port) { connection in
                try await connection.send("GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: test\r\n\r\n")
                return String(decoding: try await connection.readUntilClosed(), as: UTF8.self)
            }
            #expect(answer.hasPrefix("HTTP/1.1 431"), "\(answer.prefix(80))")
            #expect(answer.contains("application/json"))
            #expect(answer.contains(#""code":"invalid_argument""#))
            #expect(answer.contains("the request line and headers are larger than the server accepts"))
        }
    }

    @Test(.timeLimit(.minutes(1))) func theHTTPListenerHoldsAtMostItsConnectionLimit() async throws {
        try await withTestServer(configure: { $0.connections.maximumHTTPConnections = 2 }) { server in
            try await expectLimitOfTwo(port: server.port, greeting: "GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        }
    }

    @Test(.timeLimit(.minutes(1))) func theGRPCListenerHoldsAtMostItsConnectionLimit() async throws {
        try await withTestServer(configure: { $0.connections.maximumGRPCConnections = 2 }) { server in
            // An accepted gRPC connection is answered with the server's SETTINGS before the client says anything.
            try await expectLimitOfTwo(port: server.grpcPort, greeting: nil)
        }
    }

    /// With two connections open, a third is answered only once one of the two has closed.
    private func expectLimitOfTwo(port: Int, greeting: String?) async throws {
        let (closeFirst, closeFirstSignal) = AsyncStream<Void>.makeStream()
        let (accepted, acceptedSignal) = AsyncStream<Void>.makeStream()
        func holdOpen(until signal: AsyncStream<Void>?) async throws {
            try await withRawConnection(port: port) { connection in
                if let greeting { try await connection.send(greeting) }
                _ = try await connection.readSome()
                acceptedSignal.yield()
                if let signal { for await _ in signal { break } } else { try await Task.sleep(for: .seconds(3600)) }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await holdOpen(until: closeFirst) }
            var acceptance = accepted.makeAsyncIterator()
            _ = await acceptance.next()
            group.addTask { try await holdOpen(until: nil) }
            _ = await acceptance.next()
            try await withRawConnection(port: port) { third in
                if let greeting { try await third.send(greeting) }
                let answered = Mutex(false)
                let reading = Task {
                    defer { answered.withLock { $0 = true } }
                    return try await third.readSome()
                }
                try await Task.sleep(for: .seconds(1))
                #expect(!answered.withLock { $0 }, "the third connection was served while two were open")
                closeFirstSignal.yield()
                #expect(try await reading.value?.isEmpty == false, "the third connection is served once the first closed")
            }
            group.cancelAll()
        }
    }
}
