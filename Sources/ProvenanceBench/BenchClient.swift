import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ProvenanceCore

/// A small JSON client for benchmarks: keeps enough pooled connections for every concurrent caller, and fails
/// loudly on any non-2xx answer so a benchmark never reports the speed of errors.
final class BenchClient: Sendable {
    let baseURL: String
    let http: HTTPClient
    /// The API token every request sends, if any.
    let token: String?

    init(baseURL: String, connections: Int, token: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(connections, 1))
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(120))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async throws {
        try await http.shutdown()
    }

    /// Runs `body` with a client, shutting the client down afterwards whether or not `body` succeeds.
    static func with(
        baseURL: String, connections: Int, token: String? = nil, _ body: (BenchClient) async throws -> Void
    ) async throws {
        let client = BenchClient(baseURL: baseURL, connections: connections, token: token)
        do {
            try await body(client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Sends a request and returns the parsed JSON answer.
    @discardableResult
    /// Creates a namespace of its own for one benchmark run (`<prefix>-<time>-<random>`) and returns its name.
    func createNamespace(_ prefix: String, description: String) async throws -> String {
        let name = "\(prefix)-\(Int(Date().timeIntervalSince1970))-\(UInt16.random(in: 0...UInt16.max))"
        _ = try await send(.POST, "/api/v1/namespaces", json: ["name": .string(name), "description": .string(description)])
        return name
    }

    func send(_ method: HTTPMethod, _ path: String, json: JSON? = nil) async throws -> JSON {
        let bytes = try await successful((method, path, json.map(JSONWriter.bytes)))
        return bytes.isEmpty ? .null : try JSONParser.parse(bytes)
    }

    /// Posts pre-encoded JSON, failing on a non-2xx answer; the cheap path for timed loops.
    func post(_ path: String, body: [UInt8]) async throws {
        _ = try await successful((.POST, path, body))
    }

    /// Sends a request (method, path, pre-encoded body) and returns the answer's bytes, failing on a non-2xx one.
    func successful(_ request: (method: HTTPMethod, path: String, body: [UInt8]?)) async throws -> [UInt8] {
        let (method, path) = (request.method, request.path)
        let (status, bytes) = try await raw(method, path, body: request.body)
        guard (200..<300).contains(status) else {
            throw BenchError("\(method) \(path) answered \(status): \(String(decoding: bytes, as: UTF8.self))")
        }
        return bytes
    }

    /// Sends pre-encoded JSON and returns the status and body bytes.
    func raw(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .seconds(120))
        } catch {
            throw BenchError("\(method) \(baseURL + path) failed: \(error). Is the server running?")
        }
        let buffer = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return (Int(response.status.code), Array(buffer.readableBytesView))
    }

    /// Posts `bodies` to `path` from `clients` concurrent clients (each in turn), timing every request and the
    /// server CPU time the phase used (and the cluster's, when `cluster` knows its data directory).
    func timedPosts(
        _ path: String, _ bodies: [[UInt8]], clients: Int = 1, recordsPerOperation: Int = 1, cluster: ClusterCPU?
    ) async throws -> LatencySummary {
        var latencies: [Double] = []
        let (elapsed, cpu) = try await measureWithCPU(cluster: cluster) {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for lane in 0..<clients {
                    group.addTask {
                        var mine: [Double] = []
                        for index in stride(from: lane, to: bodies.count, by: clients) {
                            mine.append(try await measure { try await self.post(path, body: bodies[index]) })
                        }
                        return mine
                    }
                }
                for try await lane in group { latencies += lane }
            }
        }
        var summary = LatencySummary(latencies: latencies, elapsed: elapsed, recordsPerOperation: recordsPerOperation)
        summary.cpu = cpu
        return summary
    }

    /// The server's resident memory from `GET /metrics`, or nil if it does not report one.
    func serverResidentBytes() async throws -> Int? {
        try await serverMetric("process_resident_memory_bytes").map { Int($0) }
    }

    /// The CPU time the server process has used so far, in seconds, from its `/metrics`.
    func serverCPUSeconds() async throws -> Double? {
        try await serverMetric("process_cpu_seconds_total")
    }

    /// How long `body` takes, in seconds, and the CPU time it cost the server, the cluster (when `cluster` is
    /// known) and this process.
    func measureWithCPU(cluster: ClusterCPU?, _ body: () async throws -> Void) async throws -> (elapsed: Double, cpu: PhaseCPU) {
        try await PhaseCPU.measure(cluster: cluster, serverSeconds: serverCPUSeconds, body)
    }

    /// A value of the server's `/metrics`, or nil if it is missing.
    private func serverMetric(_ name: String) async throws -> Double? {
        let (status, bytes) = try await raw(.GET, "/metrics", body: nil)
        guard status == 200 else { return nil }
        let prefix = name + " "
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count))
        }
        return nil
    }
}

/// A benchmark that could not run, with the reason.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}
