import ProvenanceCore

/// `GET .../runs:compare?runs=1,2&pipeline=&state=&labels=k=v,...&params=lr=0.01,...&metrics=auc,loss&step=
/// &sort=-metric:auc&limit=`: a comparison table's runs and order. A parameter's value is read as JSON when it is
/// a number, `true`, `false` or `null`, else as text.
public struct RunComparisonRequest: Sendable, Equatable {
    public var query: RunComparisonQuery

    public init(_ query: RunComparisonQuery) { self.query = query }

    public init(query string: QueryString) throws(ProvenanceError) {
        var query = RunComparisonQuery()
        if let text = try string.value("runs"), !text.isEmpty {
            query.runs = try text.split(separator: ",").map { part throws(ProvenanceError) in
                guard let id = Int64(part.trimmingPrefix(" ")) else {
                    throw .invalid("runs", "expected run ids separated by commas, got '\(part)'")
                }
                return RunID(id)
            }
        }
        query.pipeline = try string.value("pipeline")
        if let name = try string.value("state") {
            guard let state = RunState(name: name) else {
                throw .invalid("state", "unknown run state '\(name)'; expected one of \(RunState.allCases.map(\.name).joined(separator: ", "))")
            }
            query.state = state
        }
        if let text = try string.value("labels"), !text.isEmpty { query.labels = try RunRequest.labelFilter(text) }
        if let text = try string.value("params"), !text.isEmpty {
            query.parameters = try RunRequest.labelFilter(text, field: "params").mapValues { value in
                if let parsed = try? JSONParser.parse(value) {
                    switch parsed {
                    case .int, .double, .bool, .null: return parsed
                    default: break
                    }
                }
                return .string(value)
            }
        }
        if let text = try string.value("metrics"), !text.isEmpty { query.metrics = text.split(separator: ",").map(String.init) }
        query.step = try string.value("step")
        if let text = try string.value("sort"), !text.isEmpty { query.sort = try RunComparisonSort.parse(text) }
        if let limit = try string.integer("limit") { query.limit = Int(clamping: limit) }
        try query.validate()
        self.query = query
    }

    /// The query a client sends.
    public var queryString: QueryString {
        var string = QueryString()
        if !query.runs.isEmpty { string.append("runs", query.runs.map { String($0.rawValue) }.joined(separator: ",")) }
        if let pipeline = query.pipeline { string.append("pipeline", pipeline) }
        if let state = query.state { string.append("state", state.name) }
        if !query.labels.isEmpty {
            string.append("labels", query.labels.keys.sorted().map { "\($0)=\(query.labels[$0]!)" }.joined(separator: ","))
        }
        if !query.parameters.isEmpty {
            string.append("params", query.parameters.keys.sorted().map { key in
                if case .string(let text) = query.parameters[key]! { return "\(key)=\(text)" }
                return "\(key)=\(JSONWriter.string(query.parameters[key]!))"
            }.joined(separator: ","))
        }
        if !query.metrics.isEmpty { string.append("metrics", query.metrics.joined(separator: ",")) }
        if let step = query.step { string.append("step", step) }
        if query.sort != .newest { string.append("sort", query.sort.text) }
        string.append("limit", String(query.limit))
        return string
    }
}

/// A comparison table: `{"runs": [{"run_id", "pipeline", "state", "labels", "parameters", "metrics",
/// "create_time_since_epoch"}], "metrics": [every metric name], "parameters": [every parameter name]}`.
public struct RunComparison: WireMessage {
    public var rows: [RunComparisonRow]

    public init(rows: [RunComparisonRow]) { self.rows = rows }

    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        rows = try (reader.array("runs") ?? []).enumerated().map { index, item throws(ProvenanceError) in
            let row = try JSONObjectReader(item, in: "runs", at: index)
            var labels: [String: String] = [:]
            for (key, value) in try row.members("labels") ?? [] { if case .string(let text) = value { labels[key] = text } }
            var metrics: [String: Double] = [:]
            for (key, value) in try row.members("metrics") ?? [] { metrics[key] = value.numberValue }
            return RunComparisonRow(
                runID: RunID(try row.int("run_id") ?? 0), pipeline: try row.string("pipeline") ?? "",
                state: RunState(name: try row.string("state") ?? "") ?? .failed, labels: labels,
                parameters: Dictionary((try row.members("parameters") ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                metrics: metrics, createTime: (try row.int("create_time_since_epoch") ?? 0) * 1000)
        }
    }

    public var json: JSON {
        let metricNames = Set(rows.flatMap(\.metrics.keys)).sorted()
        let parameterNames = Set(rows.flatMap(\.parameters.keys)).sorted()
        return .object([
            (key: "runs", value: .array(rows.map { row in
                .object([
                    (key: "run_id", value: .int(row.runID.rawValue)), (key: "pipeline", value: .string(row.pipeline)),
                    (key: "state", value: .string(row.state.name)),
                    (key: "labels", value: .object(row.labels.keys.sorted().map { (key: $0, value: .string(row.labels[$0]!)) })),
                    (key: "parameters", value: .object(row.parameters.keys.sorted().map { (key: $0, value: row.parameters[$0]!) })),
                    (key: "metrics", value: .object(row.metrics.keys.sorted().map { (key: $0, value: .double(row.metrics[$0]!)) })),
                    (key: "create_time_since_epoch", value: .int(row.createTime / 1000)),
                ])
            })),
            (key: "metrics", value: .array(metricNames.map(JSON.string))),
            (key: "parameters", value: .array(parameterNames.map(JSON.string))),
        ])
    }
}
