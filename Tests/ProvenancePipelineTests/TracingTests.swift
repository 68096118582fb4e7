import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ProvenanceClient
import ProvenanceCore
import ProvenanceServer
import ProvenanceTestSupport
import Testing

@testable import ProvenanceMLMD

/// Traces as an operator gets them: a real `provenance serve` exporting with swift-otel over OTLP/HTTP to a
/// collector the test runs, a real executor running a pipeline, REST and gRPC callers that send a W3C
/// `traceparent`. The batch delay is longer than the test, so every span arrives in the export the server
/// makes as it shuts down: none is lost to a SIGTERM.
@Suite struct TracingTests {
    static let restTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let restParent = "00f067aa0ba902b7"
    static let missingTrace = "0af7651916cd43dd8448eb211c80319c"
    static let rpcTrace = "5c1d8d4a7e6f40a1b2c3d4e5f6a7b8c9"
    static let rpcParent = "b7ad6b7169203331"

    @Test func requestsRPCsEngineStepsAndDatabaseOperationsAreExportedAsOneTreeWithoutCredentials() async throws {
        try await OTLPReceiver.serving { receiver in
            let directory = TestCluster.scratchDirectory("tracing/\(UUID().uuidString)")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let tokenFile = directory + "/admin-token"
            let server = try ProvenanceProcess(
                [
                    "serve", "--database-url", try await TestCluster.shared.freshDatabase().url, "--http-port", "0",
                    "--grpc-port", "0", "--local-executor", "false", "--admin-token-file", tokenFile,
                    "--otel-endpoint", receiver.endpoint, "--otel-service-name", "provenance-under-test",
                    "--log-format", "json", "--shutdown-grace", "2s", "--connection-wait", "30s",
                ],
                environment: ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json", "OTEL_BSP_SCHEDULE_DELAY": "600000"])
            var executor: ProvenanceProcess?
            var secrets: [String] = []
            do {
                let httpPort = try await Self.listeningPort(server, "HTTP API listening")
                let grpcPort = try await Self.listeningPort(server, "MLMD gRPC service listening")
                let admin = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                secrets.append(admin)
                let client = ProvenanceClient(baseURL: "http://127.0.0.1:\(httpPort)", token: admin)
                do {
                    try await PipelineHarness.apply(TestComponents.all, with: client)
                    let made = try await client.post("/api/v1/tokens", json: [
                        "name": "tracing-executor", "role": "executor", "namespaces": ["default"],
                    ])
                    let executorToken = try #require(made.string("token"))
                    secrets.append(executorToken)

                    // A REST caller in a trace of its own, and one asking for what does not exist.
                    let listed = try await awaitProgram("curl", [
                        "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "traceparent: 00-\(Self.restTrace)-\(Self.restParent)-01",
                        "-H", "Authorization: Bearer \(admin)", "http://127.0.0.1:\(httpPort)/api/v1/namespaces/default/artifacts",
                    ])
                    #expect(listed == "200")
                    let missing = try await awaitProgram("curl", [
                        "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "traceparent: 00-\(Self.missingTrace)-\(Self.restParent)-01",
                        "-H", "Authorization: Bearer \(admin)", "http://127.0.0.1:\(httpPort)/api/v1/namespaces/default/artifacts/987654",
                    ])
                    #expect(missing == "404")

                    // An MLMD caller, its trace in the RPC's metadata.
                    let transport = try HTTP2ClientTransport.Posix(
                        target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
                    try await withGRPCClient(transport: transport) { grpc in
                        let mlmd = MlMetadata_MetadataStoreService.Client(wrapping: grpc)
                        _ = try await mlmd.getArtifactTypes(
                            .init(), metadata: ["authorization": "Bearer \(admin)", "traceparent": "00-\(Self.rpcTrace)-\(Self.rpcParent)-01"])
                    }

                    // A run, leased and completed by a real executor.
                    executor = try ProvenanceProcess.executor(port: httpPort, directory: directory, token: executorToken)
                    let run = try await client.submitRun(RunRequest(pipeline: "chain", parameters: [:], cache: false))
                    var state = run.state
                    try await eventually("the run to end", limit: .seconds(90)) {
                        state = try await client.run(run.id).state
                        return state.isFinal
                    }
                    #expect(state == .succeeded)
                    await executor?.stop()
                    try? await client.shutdown()
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                server.send(SIGTERM)
                #expect(await server.waitForExit() == 0)
            } catch {
                await executor?.stop()
                print(server.output.suffix(4000))
                await server.stop()
                throw error
            }
            try Self.checkSpans(receiver, secrets: secrets, serverLog: server.output)
        }
    }

    @Test func aCollectorThatIsNotAnHTTPURLIsRefusedAtStartNamingTheSetting() async throws {
        for endpoint in ["127.0.0.1:4318", "ftp://collector:4318", "http://collector:4318/?token=x", "http://"] {
            var config = ServerConfiguration(httpPort: 0, grpcPort: 0, logLevel: .warning)
            config.databaseURL = "postgres://nobody@127.0.0.1:1/none"
            config.otelEndpoint = endpoint
            do {
                _ = try await buildServer(config: config, handleSignals: false)
                Issue.record("a server started with --otel-endpoint \(endpoint)")
            } catch let error as ProvenanceError {
                #expect(error.code == .invalidArgument)
                #expect("\(error)".contains("--otel-endpoint"), "\(error)")
            }
        }
    }

    static func checkSpans(_ receiver: OTLPReceiver, secrets: [String], serverLog: String) throws {
        let spans = receiver.spans
        let byName = Dictionary(grouping: spans, by: \.name).mapValues(\.count).sorted { $0.key < $1.key }
        print("Tracing: \(spans.count) spans exported: \(byName.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))")
        #expect(receiver.bodies.allSatisfy { $0.contains("provenance-under-test") }, "service.name")
        func children(of span: OTLPReceiver.Span) -> [OTLPReceiver.Span] {
            spans.filter { $0.traceID == span.traceID && $0.parentSpanID == span.spanID }
        }

        // REST: the caller's trace continues into the request, the request's database operation is its child.
        let list = try #require(spans.first { $0.traceID == restTrace && $0.kind == "server" }, "no REST span in \(spans)")
        #expect(list.name == "GET /api/v1/namespaces/{namespace}/artifacts")
        #expect(list.kind == "server")
        #expect(list.parentSpanID == restParent)
        #expect(list.attributes["http.response.status_code"] == "200")
        #expect(list.attributes["provenance.namespace"] == "default")
        #expect(list.attributes["provenance.request_id"]?.isEmpty == false)
        #expect(!list.isError)
        let listQuery = try #require(children(of: list).first, "the REST request has no child span")
        #expect(listQuery.name.hasPrefix("db "))
        #expect(listQuery.kind == "client")
        #expect(listQuery.attributes["db.system.name"] == "postgresql")
        #expect(listQuery.attributes["provenance.db.connection_wait_us"] != nil)

        // A client's 404 is not the server's error.
        let notFound = try #require(spans.first { $0.traceID == missingTrace && $0.kind == "server" })
        #expect(notFound.name == "GET /api/v1/namespaces/{namespace}/artifacts/{id}")
        #expect(notFound.attributes["http.response.status_code"] == "404")
        #expect(!notFound.isError)

        // gRPC: the RPC continues the caller's trace, and its store call is its child.
        let rpc = try #require(spans.first { $0.traceID == rpcTrace && $0.kind == "server" }, "no RPC span in \(spans)")
        #expect(rpc.name == "ml_metadata.MetadataStoreService/GetArtifactTypes")
        #expect(rpc.kind == "server")
        #expect(rpc.parentSpanID == rpcParent)
        #expect(rpc.attributes["rpc.system"] == "grpc")
        #expect(rpc.attributes["rpc.grpc.status_code"] == "0")
        #expect(children(of: rpc).contains { $0.name.hasPrefix("db ") })

        // The engine: a submit under its request, leases that granted the run's tasks, completions, each with the
        // database operation that carried it out.
        let submitRequest = try #require(spans.first { $0.name == "POST /api/v1/namespaces/{namespace}/runs" })
        let submit = try #require(children(of: submitRequest).first { $0.name == "engine submit" })
        #expect(submit.attributes["provenance.run.id"] != nil)
        #expect(children(of: submit).contains { $0.name == "db submitRun" })
        let leases = spans.filter { $0.name == "engine lease" }
        let granted = leases.compactMap { $0.attributes["provenance.lease.granted"].flatMap { Int($0) } }.reduce(0, +)
        #expect(granted == 3, "the chain's three tasks were leased once each: \(leases)")
        #expect(leases.allSatisfy { lease in spans.contains { $0.spanID == lease.parentSpanID && $0.name == "POST /api/v1/executors/{id}:lease" } })
        #expect(leases.contains { children(of: $0).contains { $0.name == "db lease" } })
        let completions = spans.filter { $0.name == "engine complete" }
        #expect(completions.count == 3)
        #expect(completions.allSatisfy { $0.attributes["provenance.task.state"] == "SUCCEEDED" })

        // No credential leaves the server in a span.
        let exported = receiver.bodies.joined()
        for secret in secrets { #expect(!exported.contains(secret), "a token was exported") }

        // The request's log line names its trace, linking logs to traces.
        let requestLine = serverLog.split(separator: "\n").first { $0.contains(restTrace) }
        #expect(requestLine?.contains(#""trace_id":"\#(restTrace)""#) == true, "no log line carries the REST trace")
    }

    /// The port the server logged for `message` (its JSON log line's `address`).
    static func listeningPort(_ server: ProvenanceProcess, _ message: String) async throws -> Int {
        var port: Int?
        try await eventually("the server to log '\(message)'") {
            guard server.isRunning else { throw TestFailure("the server exited:\n\(server.output)") }
            for line in server.output.split(separator: "\n") where line.contains(message) {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                port = (object?["address"] as? String)?.split(separator: ":").last.flatMap { Int($0) }
            }
            return port != nil
        }
        return port!
    }
}
