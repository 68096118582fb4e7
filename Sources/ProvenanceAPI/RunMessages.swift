import ProvenanceCore

/// `GET /runs?pipeline=&state=&labels=k=v,...&page_size=&page_token=`: which runs a listing shows, newest first.
public struct RunListQuery: Sendable, Equatable {
    public var pipeline: String?
    public var state: RunState?
    /// Only runs with all these labels.
    public var labels: [String: String]
    /// Only runs this schedule made.
    public var schedule: String?
    public var pageSize: Int
    /// Where the page before ended (its `next_page_token`).
    public var pageToken: String?

    public init(
        pipeline: String? = nil, state: RunState? = nil, labels: [String: String] = [:], pageSize: Int = PageRequest.defaultSize,
        pageToken: String? = nil
    ) {
        (self.pipeline, self.state, self.labels, self.pageSize, self.pageToken) = (pipeline, state, labels, pageSize, pageToken)
    }

    /// Reads a listing's query, refusing an unknown state, malformed labels or a page size out of range.
    public init(query: QueryString) throws(ProvenanceError) {
        self.init(pipeline: try query.value("pipeline"))
        if let name = try query.value("state") {
            guard let parsed = RunState(name: name) else {
                throw .invalid("state", "unknown run state '\(name)'; expected one of \(RunState.allCases.map(\.name).joined(separator: ", "))")
            }
            state = parsed
        }
        if let text = try query.value("labels") { labels = try RunRequest.labelFilter(text) }
        schedule = try query.value("schedule")
        if let size = try query.integer("page_size") { pageSize = try PageRequest.checkSize(Int(clamping: size)) }
        if let token = try query.value("page_token"), !token.isEmpty { pageToken = token }
    }

    /// The query a client sends.
    public var query: QueryString {
        var query = QueryString()
        query.append("page_size", String(pageSize))
        if let pipeline { query.append("pipeline", pipeline) }
        if let state { query.append("state", state.name) }
        if !labels.isEmpty { query.append("labels", labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }.joined(separator: ",")) }
        if let schedule { query.append("schedule", schedule) }
        if let pageToken { query.append("page_token", pageToken) }
        return query
    }
}

/// The answer to a run listing: `{"runs": [run without tasks], "next_page_token"?}`.
public struct RunPage: WireMessage {
    public var runs: [Run]
    public var nextPageToken: String?

    public init(runs: [Run], nextPageToken: String?) { (self.runs, self.nextPageToken) = (runs, nextPageToken) }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        runs = try (reader.array("runs") ?? []).map { item throws(ProvenanceError) in try WireRun.run(item) }
        nextPageToken = try reader.string("next_page_token")
    }

    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "runs", value: .array(runs.map(WireRun.summary)))]
        if let nextPageToken { members.append((key: "next_page_token", value: .string(nextPageToken))) }
        return .object(members)
    }

    /// The page as the client's listing returns it.
    public var page: ListPage<Run> { ListPage(items: runs, nextPageToken: nextPageToken) }
}
