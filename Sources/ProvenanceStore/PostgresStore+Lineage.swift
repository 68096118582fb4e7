import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Walks the lineage graph from the query's starting nodes: every node reached, nearest first, each with its
    /// distance and the neighbour it was reached through. One statement (see `LineageTraversalSQL`).
    public func traverse(_ query: LineageQuery, namespace: String) async throws(ProvenanceError) -> LineageTraversal {
        try query.validate()
        return try await traverse(query, namespaceID: try await namespaceID(namespace))
    }

    func traverse(_ query: LineageQuery, namespaceID: NamespaceID) async throws(ProvenanceError) -> LineageTraversal {
        let sql = LineageTraversalSQL.query(query, namespaceID: namespaceID)
        let decode: @Sendable (PostgresRow) throws -> LineageStep = { row in
            let (hops, isArtifact, id, via, isEnding) = try row.decode((Int64, Bool, Int64, Int64?, Bool).self)
            return LineageStep(kind: isArtifact ? .artifact : .execution, id: id, hops: Int(hops), via: via, isEnding: isEnding)
        }
        let steps = try await rows(sql, decode: decode)
        return LineageTraversal(steps: Array(steps.prefix(query.nodeLimit)), truncated: steps.count > query.nodeLimit)
    }
}
