import AsyncHTTPClient
import Foundation
import NIOCore
import ProvenanceCore
import ProvenanceTestSupport
import Synchronization
import Testing

/// The live stream over a real server and its replicas: every replica streams what any wrote, and a reconnect with
/// Last-Event-ID misses nothing.
@Suite struct EventStreamTests {
    struct Message: Equatable {
        var id: String?
        var event: String
        var data: JSON
    }

    /// Reads the stream of `server` from `lastEventID` (nil: from now) until `enough` says so, or fails after
    /// 30 s. `opened` runs once the stream answered, so changes made from then on are seen.
    static func read(
        _ server: TestServer, query: String = "", lastEventID: String? = nil, opened: @escaping @Sendable () async throws -> Void = {},
        until enough: ([Message]) -> Bool
    ) async throws -> [Message] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/api/v1/namespaces/default/events:stream?\(query)")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        if let token = server.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status.code == 200)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        async let change: Void = opened()
        var messages: [Message] = []
        var pending = ""
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                var message = Message(id: nil, event: "message", data: .null)
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { message.id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { message.event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { message.data = try JSONParser.parse(String(line.dropFirst(6))) }
                }
                if block.contains("data: ") { messages.append(message) }
            }
            if enough(messages) { break }
        }
        try await change
        return messages
    }

    /// The states the stream reported for the run, in order: `run:STATE` and `task:STEP:STATE`.
    static func states(_ messages: [Message], run: Int64) -> [String] {
        messages.flatMap { message -> [String] in
            guard message.data.int("run_id") == run else { return [] }
            switch message.event {
            case "run": return ["run:\(message.data.string("state") ?? "")"]
            case "tasks": return message.data.array("tasks").map { "task:\($0.string("step") ?? ""):\($0.string("state") ?? "")" }
            default: return []
            }
        }
    }

    @Test func everyReplicaStreamsWhatAnyWroteAndAReconnectMissesNothing() async throws {
        try await withTestReplicas(2) { servers in
            let (a, b) = (servers[0], servers[1])
            try await createOneStepPipeline(b)
            let runID = Atomic<Int64>(0)
            // Replica A streams a run that replica B starts, leases and completes.
            let live = try await Self.read(a, opened: {
                let run = try await b.api(.POST, "/runs", json: ["pipeline": "p"])
                runID.store(run.json.int("id"), ordering: .relaxed)
                let lease = try #require(try await leaseOneTask(b).json.array("leases").first)
                let done = try await b.request(.POST, "/api/v1/leases:complete", json: [
                    "token": lease["token"] ?? .null, "outputs": ["data": ["uri": "/tmp/data"]],
                ])
                #expect(done.status == 200, "\(done.text)")
            }, until: { messages in messages.contains { $0.event == "run" && $0.data.string("state") == "SUCCEEDED" } })
            let run = runID.load(ordering: .relaxed)
            let seen = Self.states(live, run: run)
            #expect(seen.first == "run:PENDING", "\(seen)")
            #expect(seen.contains("task:m:QUEUED") && seen.contains("task:m:RUNNING") && seen.contains("task:m:SUCCEEDED"), "\(seen)")
            #expect(seen.last == "run:SUCCEEDED", "\(seen)")
            #expect(live.contains { $0.event == "attempts" && $0.data.int("run_id") == run })
            #expect(live.contains { $0.event == "lineage" })
            // Ids only grow.
            let cursors = live.compactMap { $0.id.flatMap(StreamCursor.init) }
            #expect(cursors == cursors.sorted())

            // A client that saw only up to the task's lease reconnects to the other replica: it gets exactly the rest.
            let cut = try #require(live.firstIndex { $0.event == "tasks" && Self.states([$0], run: run).contains("task:m:RUNNING") })
            let resumed = try await Self.read(b, lastEventID: live[cut].id, until: { messages in
                messages.contains { $0.event == "run" && $0.data.string("state") == "SUCCEEDED" }
            })
            #expect(resumed.map(\.id) == Array(live[(cut + 1)...]).map(\.id))
        }
    }

    @Test func filtersAndBadQueriesAreRefusedNamingWhatIsWrong() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            // Only the run's own events, only of kind run.
            let first = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
            let run = first.json.int("id")
            let messages = try await Self.read(server, query: "run=\(run)&kind=run", lastEventID: "0-0", until: { !$0.isEmpty })
            #expect(messages.allSatisfy { $0.event == "run" && $0.data.int("run_id") == run })
            #expect(try await server.api(.GET, "/events:stream?kind=everything").status == 400)
            #expect(try await server.api(.GET, "/events:stream?last_event_id=yesterday").status == 400)
            #expect(try await server.api(.GET, "/events:stream?pipeline=none").status == 404)
        }
    }
}
