/// Where an event is in the live stream: its transaction and its id, in the order events are read (see the
/// `stream_events` migration). Written as `TX-ID` in SSE's `id:` field, and read back from `Last-Event-ID`.
public struct StreamCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var transaction: UInt64
    public var id: Int64

    public init(transaction: UInt64, id: Int64) { (self.transaction, self.id) = (transaction, id) }

    /// The start of the stream.
    public static let origin = StreamCursor(transaction: 0, id: 0)

    /// Reads `TX-ID`, or nil.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let transaction = UInt64(parts[0]), let id = Int64(parts[1]), id >= 0 else { return nil }
        self.init(transaction: transaction, id: id)
    }

    public var description: String { "\(transaction)-\(id)" }

    public static func < (a: StreamCursor, b: StreamCursor) -> Bool { (a.transaction, a.id) < (b.transaction, b.id) }
}

/// One event of the live stream: a change some transaction committed.
public struct StreamEvent: Sendable, Equatable {
    /// What changed: `run`, `tasks`, `attempts`, `log`, `metric` or `lineage`.
    public var kind: String
    public var cursor: StreamCursor
    public var namespaceID: NamespaceID
    public var runID: RunID?
    public var pipelineID: PipelineID?
    public var payload: JSON
    /// Milliseconds since the epoch.
    public var time: Int64

    public init(
        kind: String, cursor: StreamCursor, namespaceID: NamespaceID, runID: RunID?, pipelineID: PipelineID?, payload: JSON,
        time: Int64
    ) {
        (self.kind, self.cursor, self.namespaceID, self.runID, self.pipelineID) = (kind, cursor, namespaceID, runID, pipelineID)
        (self.payload, self.time) = (payload, time)
    }

    /// Every kind, in the order the API documents them.
    public static let kinds = ["run", "tasks", "attempts", "log", "metric", "lineage"]
}

/// Which events a subscriber gets: those of one namespace, and (each when given) of one run, of one pipeline's
/// runs, of some kinds. Log events only when asked for by kind.
public struct StreamFilter: Sendable, Equatable {
    public var namespaceID: NamespaceID
    public var runID: RunID?
    public var pipelineID: PipelineID?
    public var kinds: Set<String>

    public init(namespaceID: NamespaceID, runID: RunID? = nil, pipelineID: PipelineID? = nil, kinds: Set<String> = []) {
        (self.namespaceID, self.runID, self.pipelineID) = (namespaceID, runID, pipelineID)
        self.kinds = kinds.isEmpty ? Set(StreamEvent.kinds).subtracting(["log"]) : kinds
    }

    public func matches(_ event: StreamEvent) -> Bool {
        event.namespaceID == namespaceID && kinds.contains(event.kind)
            && (runID == nil || event.runID == runID) && (pipelineID == nil || event.pipelineID == pipelineID)
    }
}
