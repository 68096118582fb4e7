import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Walks as `query` says and reads the nodes of `parts` (which may name walked nodes) and, with
    /// `eventsBetween`, the events joining the artifacts and executions it names, in one round trip.
    func walkAndNodes(
        _ query: LineageQuery, _ parts: [NodeBatchPart], eventsBetween: NodeIDs? = nil, namespaceID: NamespaceID
    ) async throws(ProvenanceError) -> (LineageTraversal, [[Node]], [Event]) {
        enum Item { case step(LineageStep), node(Int, Node), event(Event) }
        let kinds = parts.map(\.kind)
        let items = try await rows(
            NodeBatchSQL.walkAndNodes(query, parts, eventsBetween: eventsBetween, namespaceID: namespaceID)
        ) { row -> Item in
            let cells = PostgresRandomAccessRow(row)
            let (first, event) = (NodeBatchSQL.firstNodeColumn, NodeBatchSQL.firstEventColumn)
            switch Int(try cells[0].decode(Int16.self)) {
            case NodeBatchSQL.stepRow:
                return .step(LineageStep(
                    kind: try cells[2].decode(Bool.self) ? .artifact : .execution, id: try cells[first].decode(Int64.self),
                    hops: Int(try cells[1].decode(Int64.self)), via: try cells[3].decode(Int64?.self),
                    isEnding: try cells[4].decode(Bool.self)))
            case NodeBatchSQL.eventRow:
                return .event(try EventRow.event((
                    try cells[event].decode(Int64.self), try cells[event + 1].decode(Int64.self),
                    try cells[event + 2].decode(Int16.self), try cells[event + 3].decode(String.self),
                    try cells[event + 4].decode(Int64.self))))
            case let position:
                return .node(position, try NodeRow.decode(cells, kind: kinds[position], firstColumn: first))
            }
        }
        var steps: [LineageStep] = [], nodes: [(Int, Node)] = [], events: [Event] = []
        for item in items {
            switch item {
            case .step(let step): steps.append(step)
            case .node(let position, let node): nodes.append((position, node))
            case .event(let event): events.append(event)
            }
        }
        // Nearest first, artifacts before executions, then by id: the order of the walk's own rows.
        steps.sort { a, b in
            if a.hops != b.hops { return a.hops < b.hops }
            if a.kind != b.kind { return a.kind == .artifact }
            return a.id < b.id
        }
        events.sort { ($0.artifactID.rawValue, $0.executionID.rawValue, $0.type.rawValue) < ($1.artifactID.rawValue, $1.executionID.rawValue, $1.type.rawValue) }
        let traversal = LineageTraversal(steps: Array(steps.prefix(query.nodeLimit)), truncated: steps.count > query.nodeLimit)
        return (traversal, Self.arrange(nodes, parts, walked: traversal.steps), events)
    }

    /// Each part's nodes: in the order of their ids when given, of the walk when walked; contexts by id.
    private static func arrange(_ rows: [(Int, Node)], _ parts: [NodeBatchPart], walked: [LineageStep]) -> [[Node]] {
        var found = Array(repeating: [Int64: Node](), count: parts.count)
        for (position, node) in rows { found[position][node.id] = node }
        return parts.enumerated().map { position, part in
            let order: [Int64]
            switch part {
            case .artifacts(.ids(let ids), _, _), .executions(.ids(let ids)): order = ids
            case .artifacts(.walked, _, _), .executions(.walked):
                order = walked.filter { $0.kind == part.kind }.map(\.id)
            case .contexts: return found[position].values.sorted { $0.id < $1.id }
            }
            return order.compactMap { found[position][$0] }
        }
    }
}
