/// Which runs a comparison table holds and how it is ordered: runs by id, or by filter (pipeline, state, labels,
/// parameter values), newest first unless `sort` says otherwise; with the last value of each metric named in
/// `metrics` (all the runs' own metrics when empty), of the runs themselves or of their tasks of step `step`.
public struct RunComparisonQuery: Sendable, Equatable {
    public var runs: [RunID]
    public var pipeline: String?
    public var state: RunState?
    public var labels: [String: String]
    /// Parameter values the runs must have (`{"lr": 0.01}`), compared as JSON.
    public var parameters: [String: JSON]
    public var metrics: [String]
    public var step: String?
    public var sort: RunComparisonSort
    public var limit: Int

    public init(
        runs: [RunID] = [], pipeline: String? = nil, state: RunState? = nil, labels: [String: String] = [:],
        parameters: [String: JSON] = [:], metrics: [String] = [], step: String? = nil, sort: RunComparisonSort = .newest,
        limit: Int = 1000
    ) {
        (self.runs, self.pipeline, self.state, self.labels, self.parameters) = (runs, pipeline, state, labels, parameters)
        (self.metrics, self.step, self.sort, self.limit) = (metrics, step, sort, limit)
    }

    /// The most runs one table holds.
    public static let maximumRuns = 10_000

    public func validate() throws(ProvenanceError) {
        guard (1...Self.maximumRuns).contains(limit) else { throw .invalid("limit", "must be between 1 and \(Self.maximumRuns)") }
        guard runs.count <= Self.maximumRuns else { throw .invalid("runs", "names more than \(Self.maximumRuns) runs") }
    }
}

/// The order of a comparison table.
public enum RunComparisonSort: Sendable, Equatable {
    /// Newest run first.
    case newest
    /// By a metric's last value (runs without it last).
    case metric(String, descending: Bool)
    /// By a parameter's value (runs without it last).
    case parameter(String, descending: Bool)

    /// Reads `metric:auc`, `-metric:auc` (descending), `param:lr`, `-param:lr` or `id` / `-id`.
    public static func parse(_ text: String) throws(ProvenanceError) -> RunComparisonSort {
        let descending = text.hasPrefix("-")
        let body = descending ? String(text.dropFirst()) : text
        if body == "id" { return .newest }
        if body.hasPrefix("metric:"), body.count > 7 { return .metric(String(body.dropFirst(7)), descending: descending) }
        if body.hasPrefix("param:"), body.count > 6 { return .parameter(String(body.dropFirst(6)), descending: descending) }
        throw .invalid("sort", "expected metric:<name>, param:<name> or id, each optionally with a leading '-', got '\(text)'")
    }

    public var text: String {
        switch self {
        case .newest: "-id"
        case .metric(let name, let descending): (descending ? "-" : "") + "metric:" + name
        case .parameter(let name, let descending): (descending ? "-" : "") + "param:" + name
        }
    }
}

/// One row of a comparison table: a run, its parameters and the last value of each of its metrics.
public struct RunComparisonRow: Sendable, Equatable {
    public var runID: RunID
    public var pipeline: String
    public var state: RunState
    public var labels: [String: String]
    public var parameters: [String: JSON]
    public var metrics: [String: Double]
    public var createTime: Int64

    public init(
        runID: RunID, pipeline: String, state: RunState, labels: [String: String], parameters: [String: JSON],
        metrics: [String: Double], createTime: Int64
    ) {
        (self.runID, self.pipeline, self.state, self.labels) = (runID, pipeline, state, labels)
        (self.parameters, self.metrics, self.createTime) = (parameters, metrics, createTime)
    }
}
