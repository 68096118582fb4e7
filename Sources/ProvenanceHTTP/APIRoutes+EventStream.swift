import HTTPTypes
import Hummingbird
import NIOCore
import ProvenanceAPI
import ProvenanceCore
import ProvenanceOrchestrator
import ProvenanceStore

extension APIRoutes {
    /// `GET .../events:stream?run=&pipeline=&kind=run,tasks,...`: the live stream as Server-Sent Events (see
    /// `EventStreamHub`). With `Last-Event-ID` (or `last_event_id=`) it first sends what the client missed since
    /// that event, then goes on live, without a gap; when that event is older than the events kept, it sends
    /// `reset` first (reload, then follow).
    func registerEventStream(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.get("events:stream") { request, context in
            let query = request.queryString
            let namespaceName = try context.namespace()
            var wanted = StreamFilter(namespaceID: try await store.namespaceID(namespaceName))
            wanted.runID = try query.integer("run").map(RunID.init)
            if let pipeline = try query.value("pipeline"), !pipeline.isEmpty {
                wanted.pipelineID = try await store.pipelineVersion(pipeline, digest: nil, namespace: namespaceName).pipelineID
            }
            if let text = try query.value("kind"), !text.isEmpty {
                let kinds = Set(text.split(separator: ",").map(String.init))
                if let unknown = kinds.first(where: { !StreamEvent.kinds.contains($0) }) {
                    throw ProvenanceError.invalid("kind", "unknown event kind '\(unknown)'; expected some of \(StreamEvent.kinds.joined(separator: ", "))")
                }
                wanted.kinds = kinds
            }
            let resumeText = try request.headers[.lastEventID] ?? query.value("last_event_id")
            var resume: StreamCursor?
            if let resumeText, !resumeText.isEmpty {
                guard let cursor = StreamCursor(resumeText) else {
                    throw ProvenanceError.invalid("Last-Event-ID", "expected an event id this stream sent (TX-ID), got '\(resumeText)'")
                }
                resume = cursor
            }
            let (from, filter) = (resume, wanted)
            let hub = engine.stream
            let subscription = try await hub.subscribe(filter)
            // The client leaving ends the subscription, and with it the response, even when no event comes.
            let token = RequestCancellation.current?.onCancel { hub.unsubscribe(subscription) }
            let cancellation = RequestCancellation.current
            let store = self.store
            let body = ResponseBody { writer in
                defer {
                    hub.unsubscribe(subscription)
                    cancellation?.remove(token)
                }
                func send(_ text: String) async throws { try await writer.write(ByteBuffer(string: text)) }
                try await send("retry: 2000\n\n")
                if var from {
                    if let horizon = try await store.streamHorizon(), from < horizon {
                        try await send(WireStreamEvent.notice("reset", reason: "events after \(from) are no longer kept; reload, then follow"))
                    }
                    while from < subscription.start {
                        let events = try await store.streamEvents(after: from, limit: EventStreamHub.readBatch, filter: filter)
                        for event in events where event.cursor <= subscription.start { try await send(WireStreamEvent.message(event)) }
                        guard let last = events.last, events.count == EventStreamHub.readBatch else { break }
                        from = last.cursor
                    }
                }
                for await event in subscription.events { try await send(WireStreamEvent.message(event)) }
                switch subscription.ending {
                case .tooSlow(let limit)?:
                    try await send(WireStreamEvent.notice("dropped", reason: "the client fell \(limit) events behind; reconnect with Last-Event-ID"))
                case .shutdown?:
                    try await send(WireStreamEvent.notice("shutdown", reason: "the server is shutting down; reconnect with Last-Event-ID"))
                case nil:
                    break
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
