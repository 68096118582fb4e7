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
        let steps = try await rows(sql, shape: LineageWalkFromIDs.self) { row in
            let (hops, isArtifact, id, via, isEnding) = try row.decode((Int64, Bool, Int64, Int64?, Bool).self)
            return LineageStep(kind: isArtifact ? .artifact : .execution, id: id, hops: Int(hops), via: via, isEnding: isEnding)
        }
        return LineageTraversal(steps: Array(steps.prefix(query.nodeLimit)), truncated: steps.count > query.nodeLimit)
    }

    /// The artifacts among `ids` that `selection` picks: those a filter selects, or those whose type has the base
    /// type or is named like it ("Dataset" matches base type DATASET and a type named Dataset).
    func matching(_ ids: [Int64], _ selection: ArtifactSelection, namespaceID: NamespaceID)
        async throws(ProvenanceError) -> Set<Int64>
    {
        guard !ids.isEmpty else { return [] }
        var sql = SQLBuilder()
        let bound = sql.bind(ids, as: "int8[]")
        let namespace = sql.bind(namespaceID.rawValue, as: "int8")
        sql.append("SELECT n.id FROM artifacts n WHERE n.id = ANY(\(bound)) AND n.namespace_id = \(namespace) AND ")
        switch selection {
        case .filter(let filter):
            FilterSQL.append(filter, node: "n", to: &sql)
        case .baseType(let baseType):
            let name = sql.bind(baseType.uppercased(), as: "text")
            sql.append("n.type_id IN (SELECT t.id FROM types t WHERE t.base_type = \(name) OR upper(t.name) = \(name))")
        }
        return try await selectIDs(sql)
    }

    /// The first column of every row, as ids.
    func selectIDs(_ sql: SQLBuilder) async throws(ProvenanceError) -> Set<Int64> {
        let statement = sql.query
        return try await perform { [self] connection in
            var result: Set<Int64> = []
            for try await (id,) in try await connection.query(statement, logger: logger).decode((Int64,).self) {
                result.insert(id)
            }
            return result
        }
    }

    /// The contexts the given artifacts are attributed to or the given executions associated with.
    func contextIDs(ofArtifacts artifacts: [Int64], executions: [Int64]) async throws(ProvenanceError) -> [Int64] {
        guard !artifacts.isEmpty || !executions.isEmpty else { return [] }
        var sql = SQLBuilder()
        let (artifactIDs, executionIDs) = (sql.bind(artifacts, as: "int8[]"), sql.bind(executions, as: "int8[]"))
        sql.append("""
            SELECT context_id FROM attributions WHERE artifact_id = ANY(\(artifactIDs))
            UNION SELECT context_id FROM associations WHERE execution_id = ANY(\(executionIDs))
            """)
        return try await selectIDs(sql).sorted()
    }
}
