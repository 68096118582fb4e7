import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import ProvenanceAPI
import ProvenanceCore

/// A client of Provenance's REST API, typed with the same domain values and wire format as the server (both go
/// through ProvenanceAPI, so they cannot disagree). Errors are `ProvenanceError`s with the server's code and
/// message; a server that cannot be reached is `unavailable`.
public final class ProvenanceClient: Sendable {
    /// The server's base URL (`http://127.0.0.1:8080`).
    public let baseURL: String
    /// The namespace of namespaced requests.
    public let namespace: String
    /// The API token sent as `Authorization: Bearer`, if any.
    private let token: String?
    private let http: HTTPClient
    private let ownsHTTPClient: Bool

    /// The longest an ordinary request may take.
    public static let requestTimeout: Duration = .seconds(60)

    /// A client of the server at `baseURL`, for `namespace`, with connections of its own (shut it down with
    /// `shutdown()`), authenticating with `token` when given; an `https` server's certificate is verified against
    /// `caFile` (PEM) when given, else against the system's roots.
    public init(
        baseURL: String, namespace: String = Namespace.defaultName, token: String? = nil, caFile: String? = nil,
        connections: Int = 8
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.namespace = namespace
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        var configuration = HTTPClient.Configuration()
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caFile)
            configuration.tlsConfiguration = tls
        }
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(connections, 1))
        configuration.timeout = .init(connect: .seconds(5))
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.ownsHTTPClient = true
    }

    /// The same server and connections, another namespace.
    private init(_ other: ProvenanceClient, namespace: String) {
        baseURL = other.baseURL
        self.namespace = namespace
        token = other.token
        http = other.http
        ownsHTTPClient = false
    }

    /// A client of the same server for `namespace`, sharing this one's connections.
    public func inNamespace(_ namespace: String) -> ProvenanceClient {
        ProvenanceClient(self, namespace: namespace)
    }

    /// Closes the client's connections.
    public func shutdown() async throws {
        if ownsHTTPClient { try await http.shutdown() }
    }

    // MARK: Components and pipelines

    /// Registers a component version (see `POST /components`); `created` is false when it was registered already.
    public func registerComponent(_ spec: ComponentSpec) async throws(ProvenanceError) -> Applied<StoredComponent> {
        let (status, json) = try await send(.POST, namespaced("/components"), json: spec.json)
        return Applied(try WirePipeline.component(json), created: status == 201)
    }

    /// Registers a component from a document (JSON or YAML) as written.
    public func registerComponent(document: [UInt8], contentType: String) async throws(ProvenanceError)
        -> Applied<StoredComponent>
    {
        let (status, json) = try await send(.POST, namespaced("/components"), body: document, contentType: contentType)
        return Applied(try WirePipeline.component(json), created: status == 201)
    }

    /// Applies a pipeline spec (see `POST /pipelines`); `created` is false when the same spec was applied before.
    public func applyPipeline(_ spec: PipelineSpec) async throws(ProvenanceError) -> Applied<StoredPipelineVersion> {
        let (status, json) = try await send(.POST, namespaced("/pipelines"), json: spec.json)
        return Applied(try WirePipeline.version(json), created: status == 201)
    }

    /// Applies a pipeline from a document (JSON or YAML) as written.
    public func applyPipeline(document: [UInt8], contentType: String) async throws(ProvenanceError)
        -> Applied<StoredPipelineVersion>
    {
        let (status, json) = try await send(.POST, namespaced("/pipelines"), body: document, contentType: contentType)
        return Applied(try WirePipeline.version(json), created: status == 201)
    }

    /// Every pipeline, each with its newest version.
    public func pipelines() async throws(ProvenanceError) -> [StoredPipeline] {
        try Self.items(try await send(.GET, namespaced("/pipelines")).json, "pipelines") { item throws(ProvenanceError) in
            try WirePipeline.pipeline(item)
        }
    }

    /// A pipeline's version `digest`, or its newest version.
    public func pipelineVersion(_ name: String, digest: String? = nil) async throws(ProvenanceError) -> StoredPipelineVersion {
        guard let digest else {
            return try WirePipeline.pipeline(try await send(.GET, namespaced("/pipelines/\(Self.encoded(name))")).json).latest
        }
        return try WirePipeline.version(
            try await send(.GET, namespaced("/pipelines/\(Self.encoded(name))/versions/\(Self.encoded(digest))")).json)
    }

    /// A pipeline's versions, newest first.
    public func pipelineVersions(_ name: String) async throws(ProvenanceError) -> [StoredPipelineVersion] {
        try Self.items(try await send(.GET, namespaced("/pipelines/\(Self.encoded(name))/versions")).json, "versions") {
            item throws(ProvenanceError) in try WirePipeline.version(item)
        }
    }

    // MARK: Runs

    /// Starts a run.
    public func submitRun(_ request: RunRequest) async throws(ProvenanceError) -> Run {
        try WireRun.run(try await send(.POST, namespaced("/runs"), json: WireRun.json(request)).json)
    }

    /// A run with its tasks.
    public func run(_ id: RunID) async throws(ProvenanceError) -> Run {
        try WireRun.run(try await send(.GET, namespaced("/runs/\(id.rawValue)")).json)
    }

    /// A page of runs, newest first, with the token of the next page.
    public func runs(_ query: RunListQuery = RunListQuery()) async throws(ProvenanceError) -> ListPage<Run> {
        try RunPage(json: try await send(.GET, namespaced("/runs?" + query.query.encoded)).json).page
    }

    /// Cancels a run.
    public func cancelRun(_ id: RunID) async throws(ProvenanceError) -> Run {
        try WireRun.run(try await send(.POST, namespaced("/runs/\(id.rawValue):cancel")).json)
    }

    /// Retries a run's failed, skipped and cancelled tasks.
    public func retryRun(_ id: RunID) async throws(ProvenanceError) -> Run {
        try WireRun.run(try await send(.POST, namespaced("/runs/\(id.rawValue):retry")).json)
    }

    /// One task.
    public func task(_ id: TaskID) async throws(ProvenanceError) -> RunTask {
        try WireRun.task(try await send(.GET, namespaced("/tasks/\(id.rawValue)")).json)
    }

    /// Log lines of a task (of one attempt, or all), after line `after`.
    public func logs(task id: TaskID, attempt: Int? = nil, after: Int64 = 0, limit: Int = 1000) async throws(ProvenanceError)
        -> [LogLine]
    {
        var path = "/tasks/\(id.rawValue)/logs?after=\(after)&limit=\(limit)"
        if let attempt { path += "&attempt=\(attempt)" }
        return try WireExecutor.lines(try await send(.GET, namespaced(path)).json)
    }

    // MARK: The executor protocol

    /// Attaches an executor; returns it with how long its leases last and how often it should heartbeat.
    public func registerExecutor(name: String, labels: [String: String], capacity: ExecutorCapacity)
        async throws(ProvenanceError) -> RegisteredExecutor
    {
        let registration = ExecutorRegistration(name: name, labels: labels, capacity: capacity)
        return try RegisteredExecutor(json: try await send(.POST, "/api/v1/executors", json: registration.json).json)
    }

    /// Leases tasks, waiting up to `wait` for one.
    public func lease(executor: ExecutorID, available: ExecutorCapacity, maximum: Int, wait: Duration)
        async throws(ProvenanceError) -> [Lease]
    {
        let json = try await send(
            .POST, "/api/v1/executors/\(executor.rawValue):lease",
            json: LeasePoll(available: available, maximum: maximum, wait: wait).json, timeout: wait + Self.requestTimeout
        ).json
        return try LeaseGrant(json: json).leases
    }

    /// Extends the executor's leases; says of each whether it is held and whether to cancel.
    public func heartbeat(executor: ExecutorID, tokens: [LeaseToken]) async throws(ProvenanceError) -> [LeaseStatus] {
        try HeartbeatAnswer(json: try await send(
            .POST, "/api/v1/executors/\(executor.rawValue):heartbeat", json: Heartbeat(tokens: tokens).json).json).statuses
    }

    /// Reports a successful attempt.
    public func complete(_ token: LeaseToken, report: AttemptReport) async throws(ProvenanceError) -> AttemptOutcome {
        try WireExecutor.outcome(
            try await send(.POST, "/api/v1/leases:complete", json: CompletionReport(token: token, report: report).json).json)
    }

    /// Reports a failed attempt.
    public func fail(_ token: LeaseToken, failure: AttemptFailure) async throws(ProvenanceError) -> AttemptOutcome {
        try WireExecutor.outcome(
            try await send(.POST, "/api/v1/leases:fail", json: FailureReport(token: token, failure: failure).json).json)
    }

    /// Appends log lines of an attempt.
    public func appendLogs(_ token: LeaseToken, lines: [LogLine]) async throws(ProvenanceError) {
        _ = try await send(.POST, "/api/v1/leases:logs", json: LogBatch(token: token, lines: lines).json)
    }

    /// Forwards metric points a running step wrote to its task's series.
    public func appendMetrics(_ token: LeaseToken, points: [MetricPoint]) async throws(ProvenanceError) {
        _ = try await send(.POST, "/api/v1/leases:metrics", json: MetricLeaseBatch(token: token, points: points).json)
    }

    // MARK: Anything else

    /// The JSON answer of a GET of `path` (relative to the server, `/api/v1/...`).
    public func get(_ path: String) async throws(ProvenanceError) -> JSON {
        try await send(.GET, path).json
    }

    /// The JSON answer of a POST of `json` to `path`.
    public func post(_ path: String, json: JSON) async throws(ProvenanceError) -> JSON {
        try await send(.POST, path, json: json).json
    }

    /// `path` under the client's namespace.
    public func namespaced(_ path: String) -> String {
        "/api/v1/namespaces/\(namespace)\(path)"
    }

    // MARK: Transport

    func send(
        _ method: HTTPMethod, _ path: String, json: JSON? = nil, timeout: Duration = requestTimeout
    ) async throws(ProvenanceError) -> (status: Int, json: JSON) {
        try await send(method, path, body: json.map(JSONWriter.bytes), contentType: "application/json", timeout: timeout)
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String, timeout: Duration = requestTimeout
    ) async throws(ProvenanceError) -> (status: Int, json: JSON) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000))
            status = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: 256 * 1024 * 1024).readableBytesView)
        } catch let error as NIOSSLError {
            throw ProvenanceError(
                .unavailable,
                "\(method) \(baseURL + path) failed: the TLS handshake failed (\(error)); is the server's certificate signed by the CA given with --ca-file (PROVENANCE_CA_FILE)?")
        } catch {
            throw ProvenanceError(.unavailable, "\(method) \(baseURL + path) failed: \(error); is the server running?")
        }
        let json: JSON = bytes.isEmpty ? .null : ((try? JSONParser.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
        guard (200..<300).contains(status) else { throw Self.error(status: status, json: json) }
        return (status, json)
    }

    /// The server's error, with its code and message.
    private static func error(status: Int, json: JSON) -> ProvenanceError {
        guard case .string(let codeName)? = json["error"]?["code"], case .string(let message)? = json["error"]?["message"] else {
            return ProvenanceError(.unavailable, "the server answered \(status): \(JSONWriter.string(json))")
        }
        return ProvenanceError(ProvenanceError.Code(rawValue: codeName) ?? .internal, message, details: json["error"]?["details"])
    }

    /// The elements of the array `key` of an answer, each read by `read`.
    static func items<Item>(_ json: JSON, _ key: String, _ read: (JSON) throws(ProvenanceError) -> Item)
        throws(ProvenanceError) -> [Item]
    {
        guard case .array(let elements)? = json[key] else { return [] }
        var items: [Item] = []
        items.reserveCapacity(elements.count)
        for element in elements { items.append(try read(element)) }
        return items
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
