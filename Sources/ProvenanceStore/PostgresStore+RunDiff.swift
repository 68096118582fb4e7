import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// What changed between runs `a` and `b` (see `RunDiff`): their details, their metric series and the names of
    /// the artifacts their tasks read, in five reads whatever the size of the runs.
    public func diffRuns(_ a: RunID, _ b: RunID, namespace: String) async throws(ProvenanceError) -> RunDiff {
        let (left, right) = (try await run(a, namespace: namespace), try await run(b, namespace: namespace))
        let (metricsA, metricsB) = (try await metricSeries(ofRun: a, namespace: namespace), try await metricSeries(ofRun: b, namespace: namespace))
        let ids = Array(Set((left.tasks + right.tasks).flatMap(\.inputs).map(\.artifactID)))
        var names: [ArtifactID: String] = [:]
        if !ids.isEmpty {
            let found: [(ArtifactID, String)] = try await perform { [self] connection in
                var found: [(ArtifactID, String)] = []
                for try await row in try await connection.query(
                    "SELECT id, name FROM artifacts WHERE id = ANY(\(ids)) AND name IS NOT NULL", logger: logger
                ).decode((ArtifactID, String).self) { found.append(row) }
                return found
            }
            for (id, name) in found { names[id] = name }
        }
        return RunDiff.of(left, right, metricsA: metricsA, metricsB: metricsB, names: names)
    }
}
