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
            var cells = CellReader(row)
            let position = Int(try cells.next(Int16.self))
            switch position {
            case NodeBatchSQL.stepRow:
                let (hops, isArtifact, via, isEnding) =
                    (try cells.next(Int64.self), try cells.next(Bool.self), try cells.next(Int64?.self), try cells.next(Bool.self))
                return .step(LineageStep(
                    kind: isArtifact ? .artifact : .execution, id: try cells.next(Int64.self), hops: Int(hops), via: via,
                    isEnding: isEnding))
            case NodeBatchSQL.eventRow:
                cells.skip(NodeBatchSQL.firstEventColumn - 1)
                return .event(try EventRow.event((
                    try cells.next(Int64.self), try cells.next(Int64.self), try cells.next(Int16.self),
                    try cells.next(String.self), try cells.next(Int64.self))))
            default:
                cells.skip(NodeBatchSQL.firstNodeColumn - 1)
                return .node(position, try NodeRow.decode(&cells, kind: kinds[position]))
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
