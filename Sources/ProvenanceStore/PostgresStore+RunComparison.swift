import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// A comparison table: the runs `query` selects with their parameters and the last value of each metric, in
    /// one statement whatever the number of runs (no query per run), ordered in the database so a sort by a metric
    /// ranks every matching run, not just a page of them.
    public func compareRuns(_ query: RunComparisonQuery, namespace: String) async throws(ProvenanceError)
        -> [RunComparisonRow]
    {
        try query.validate()
        let namespaceID = try await namespaceID(namespace)
        var sql = SQLBuilder()
        let metricNames = sql.bind(query.metrics, as: "text[]")
        // The runs' own series, or those of their tasks of one step.
        let scope = query.step.map { step in
            "s.task_id IN (SELECT id FROM tasks WHERE run_id = r.id AND step = \(sql.bind(step, as: "text")))"
        } ?? "s.task_id IS NULL"
        sql.append("""
            SELECT r.id, p.name, r.state, r.labels::text, r.parameters::text, \(Self.microseconds("r.create_time")),
                coalesce((SELECT json_object_agg(s.name, s.last_value ORDER BY s.name)
                          FROM metric_series s
                          WHERE s.run_id = r.id AND s.points > 0 AND \(scope)
                              AND (cardinality(\(metricNames)) = 0 OR s.name = ANY(\(metricNames)))), '{}')::text
            FROM runs r JOIN pipelines p ON p.id = r.pipeline_id
            WHERE r.namespace_id = \(sql.bind(namespaceID.rawValue, as: "int8"))
            """)
        if !query.runs.isEmpty { sql.append(" AND r.id = ANY(\(sql.bind(query.runs.map(\.rawValue), as: "int8[]")))") }
        if let pipeline = query.pipeline { sql.append(" AND p.name = \(sql.bind(pipeline, as: "text"))") }
        if let state = query.state { sql.append(" AND r.state = \(sql.bind(Int64(state.rawValue), as: "int8"))") }
        if !query.labels.isEmpty { sql.append(" AND r.labels @> \(sql.bind(Self.labelsText(query.labels), as: "text"))::jsonb") }
        if !query.parameters.isEmpty {
            let parameters = JSONWriter.string(.object(query.parameters.keys.sorted().map { (key: $0, value: query.parameters[$0]!) }))
            sql.append(" AND r.parameters @> \(sql.bind(parameters, as: "text"))::jsonb")
        }
        switch query.sort {
        case .newest:
            sql.append(" ORDER BY r.id DESC")
        case .metric(let name, let descending):
            sql.append("""
                 ORDER BY (SELECT s.last_value FROM metric_series s
                           WHERE s.run_id = r.id AND s.name = \(sql.bind(name, as: "text")) AND s.points > 0 AND \(scope)
                           ORDER BY s.id LIMIT 1) \(descending ? "DESC" : "ASC") NULLS LAST, r.id DESC
                """)
        case .parameter(let name, let descending):
            sql.append(" ORDER BY r.parameters -> \(sql.bind(name, as: "text")) \(descending ? "DESC" : "ASC") NULLS LAST, r.id DESC")
        }
        sql.append(" LIMIT \(sql.bind(Int64(query.limit), as: "int8"))")
        return try await rows(sql) { row in
            let (id, pipeline, state, labels, parameters, created, metrics) =
                try row.decode((RunID, String, Int16, String, String, Int64, String).self)
            var values: [String: Double] = [:]
            for (name, value) in try TaskAdvance.object(try JSONParser.parse(metrics)) { values[name] = value.numberValue }
            return RunComparisonRow(
                runID: id, pipeline: pipeline, state: RunState(rawValue: state) ?? .failed, labels: try Self.labels(labels),
                parameters: try TaskAdvance.object(try JSONParser.parse(parameters)), metrics: values, createTime: created)
        }
    }
}
