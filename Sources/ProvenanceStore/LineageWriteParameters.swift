import PostgresNIO
import ProvenanceCore

/// The parameters of a composite write (see `LineageWriteSQL`).
struct LineageWriteParameters: Sendable {
    var namespaceID: Int64
    var reuseContexts: Bool
    var reuseArtifacts: Bool
    var attributionContexts: [Int32]
    var attributionNodes: [Int32]
    var associationContexts: [Int32]
    var associationNodes: [Int32]
    /// The rows of each kind.
    var nodes: [NodeKind: NodeColumns]
    var events: EventColumns

    /// The bindings, with the update columns only for the statement that updates stored nodes: the named
    /// parameters in `LineageWriteParameter`'s order, then each kind's rows in `NodeKind.allCases` order, then the
    /// events.
    func bindings(updates: Bool) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: LineageWriteSQL.firstColumnParameter + 60)
        for parameter in LineageWriteParameter.allCases {
            // SQLArray writes the binary form directly; postgres-nio's own array encoding is generic and slower.
            switch parameter {
            case .namespaceID: bindings.append(namespaceID)
            case .reuseContexts: bindings.append(reuseContexts)
            case .reuseArtifacts: bindings.append(reuseArtifacts)
            case .attributionContexts: bindings.append(SQLArray(attributionContexts))
            case .attributionNodes: bindings.append(SQLArray(attributionNodes))
            case .associationContexts: bindings.append(SQLArray(associationContexts))
            case .associationNodes: bindings.append(SQLArray(associationNodes))
            }
        }
        for kind in NodeKind.allCases { nodes[kind, default: NodeColumns()].bind(into: &bindings, updates: updates) }
        events.bind(into: &bindings)
        return bindings
    }

    /// The number of rows of `kind`.
    func count(_ kind: NodeKind) -> Int { nodes[kind]?.rowCount ?? 0 }

    /// The number of rows of each kind.
    var counts: [NodeKind: Int] {
        Dictionary(uniqueKeysWithValues: NodeKind.allCases.map { ($0, count($0)) })
    }

    /// Rows, events and links together: a measure of how much work the statement does.
    var size: Int {
        nodes.values.reduce(0) { $0 + $1.rowCount } + events.count + attributionNodes.count + associationNodes.count
    }

    /// Whether `other` can be written by the same statement: the same namespace and reuse options.
    func canShareStatement(with other: LineageWriteParameters) -> Bool {
        namespaceID == other.namespaceID && reuseContexts == other.reuseContexts
            && reuseArtifacts == other.reuseArtifacts
    }

    /// Appends the rows of `other`, a write of new nodes only, after this write's own; its events and links are
    /// renumbered to where its nodes now are.
    mutating func append(_ other: LineageWriteParameters) {
        let artifacts = Int32(count(.artifact)), executions = Int32(count(.execution))
        let contexts = Int32(count(.context))
        attributionContexts += other.attributionContexts.map { $0 + contexts }
        attributionNodes += other.attributionNodes.map { $0 + artifacts }
        associationContexts += other.associationContexts.map { $0 + contexts }
        associationNodes += other.associationNodes.map { $0 + executions }
        for (kind, rows) in other.nodes { nodes[kind, default: NodeColumns()].append(rows) }
        events.append(other.events, artifactOffset: artifacts, executionOffset: executions)
    }
}

extension LineageWriteResult {
    /// The ids of the rows from `start` (per kind) on, `counts` of each: one write's share of a shared statement.
    func slice(from start: [NodeKind: Int], counts: [NodeKind: Int]) -> LineageWriteResult {
        func range(_ kind: NodeKind) -> Range<Int> { start[kind, default: 0]..<(start[kind, default: 0] + counts[kind, default: 0]) }
        return LineageWriteResult(
            artifactIDs: Array(artifactIDs[range(.artifact)]), executionIDs: Array(executionIDs[range(.execution)]),
            contextIDs: Array(contextIDs[range(.context)]))
    }
}
