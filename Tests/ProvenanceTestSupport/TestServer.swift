import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ProvenanceCore
import ProvenanceServer
import ProvenanceStore

/// A real server (real HTTP listener on a free port, real PostgreSQL) for one test, with a small JSON client.
public struct TestServer: Sendable {
    /// The running server.
    public let server: ProvenanceServer
    /// Its HTTP port.
    public let port: Int
    /// Its gRPC (MLMD service) port.
    public let grpcPort: Int
    /// The API token every request sends (`Authorization: Bearer`), if any.
    public var token: String? = nil

    /// The same server, its requests sending `token`.
    public func with(token: String?) -> TestServer {
        var copy = self
        copy.token = token
        return copy
    }

    /// A response as tests see it.
    public struct Reply: Sendable {
        /// HTTP status code.
        public var status: Int
        /// Parsed body (null if empty or not JSON).
        public var json: JSON
        /// Response headers.
        public var headers: HTTPHeaders
        /// The raw body as text.
        public var text: String

        /// The error code of an error body.
        public var errorCode: String? {
            if case .string(let code)? = json["error"]?["code"] { return code }
            return nil
        }

        /// The message of an error body.
        public var errorMessage: String {
            if case .string(let message)? = json["error"]?["message"] { return message }
            return ""
        }
    }

    /// Sends a request; `path` is relative to the server root (`/api/v1/...`).
    public func request(
        _ method: HTTPMethod, _ path: String, json: JSON? = nil, rawBody: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token, !headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let bytes = rawBody ?? json.map(JSONWriter.bytes) {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
        let bytes = Array(body.readableBytesView)
        let isJSON = response.headers.first(name: "Content-Type")?.contains("json") ?? false
        return Reply(
            status: Int(response.status.code), json: bytes.isEmpty || !isJSON ? .null : try JSONParser.parse(bytes),
            headers: response.headers, text: String(decoding: bytes, as: UTF8.self))
    }

    /// Shorthand for requests under `/api/v1/namespaces/default`.
    public func api(_ method: HTTPMethod, _ path: String, json: JSON? = nil, headers: [(String, String)] = [])
        async throws -> Reply
    {
        try await request(method, "/api/v1/namespaces/default\(path)", json: json, headers: headers)
    }
}

/// Runs `body` against a server on a fresh database of the run's cluster (or, with `configure`, on whatever the
/// configuration says), shutting it down gracefully afterwards.
public func withTestServer(
    configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
) async throws {
    try await withTestReplicas(1, configure: configure) { servers in try await body(servers[0]) }
}

/// Runs `body` against `count` servers on one fresh database (replicas, as behind a load balancer), shutting them
/// all down gracefully afterwards.
public func withTestReplicas(
    _ count: Int, configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: ([TestServer]) async throws -> Void
) async throws {
    var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
    config.databaseURL = try await TestCluster.shared.freshDatabase().url
    // Servers keep their connections open; tests run side by side, so each takes few.
    config.databaseConnections = TestCluster.connectionsPerServer
    config.connectionWait = TestCluster.connectionWait
    configure(&config)
    var built: [ProvenanceServer] = []
    for _ in 0..<count { built.append(try await buildServer(config: config, handleSignals: false)) }
    let servers = built
    try await withThrowingTaskGroup(of: Void.self) { group in
        for server in servers { group.addTask { try await server.run() } }
        var running: [TestServer] = []
        for server in servers {
            running.append(TestServer(
                server: server, port: await server.listeningHTTPPort(), grpcPort: await server.listeningGRPCPort()))
        }
        do {
            try await body(running)
        } catch {
            for server in servers { await server.shutdown() }
            throw error
        }
        for server in servers { await server.shutdown() }
        try await group.waitForAll()
    }
}
