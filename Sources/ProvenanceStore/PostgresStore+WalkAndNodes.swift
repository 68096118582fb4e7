import PostgresNIO
import ProvenanceCore

/// What `walkAndNodes` read: the walk, each part's nodes, the events and the context links asked for.
struct WalkedNodes {
    var traversal: LineageTraversal
    var nodes: [[Node]]
    var events: [Event] = []
    var attributions: [ContextLink] = []
    var associations: [ContextLink] = []
    var parents: [ParentContextLink] = []
}

extension PostgresStore {
    /// Walks as `query` says and reads the nodes of `parts` (which may name walked nodes), with `eventsBetween`
    /// the events joining the artifacts and executions it names, and with `links` their context links, in one
    /// round trip; `readingNodes` and `readingEvents` switch parts and events off (see `NodeBatchSQL.walkAndNodes`).
    func walkAndNodes(
        _ query: LineageQuery, _ parts: [NodeBatchPart], eventsBetween: NodeIDs? = nil, links: ContextLinkRows? = nil,
        readingNodes: Bool = true, readingEvents: Bool = true, namespaceID: NamespaceID
    ) async throws(ProvenanceError) -> WalkedNodes {
        /// A node row, or one of the rows of parallel arrays (see `NodeBatchSQL.walkAndNodes`).
        enum Item {
            case node(Int, Node)
            case arrays(Int, a: [Int64], b: [Int64], c: [Int64], d: [Int16], e: String?)
        }
        let query = try await withStartingIDs(query, namespaceID: namespaceID)
        let kinds = parts.map(\.kind)
        let items = try await rows(
            NodeBatchSQL.walkAndNodes(
                query, parts, eventsBetween: eventsBetween, links: links, readingNodes: readingNodes,
                readingEvents: readingEvents, namespaceID: namespaceID)
        ) { row -> Item in
            var cells = CellReader(row)
            let position = Int(try cells.next(Int16.self))
            guard position < 0 else { return .node(position, try NodeRow.decode(&cells, kind: kinds[position])) }
            cells.skip(NodeBatchSQL.firstArrayColumn - 1)
            return .arrays(
                position, a: try cells.nextIntegers(Int64.self), b: try cells.nextIntegers(Int64.self),
                c: try cells.nextIntegers(Int64.self), d: try cells.nextIntegers(Int16.self),
                e: try cells.next(String?.self))
        }
        var steps: [LineageStep] = [], nodes: [(Int, Node)] = []
        var walked = WalkedNodes(traversal: LineageTraversal(steps: [], truncated: false), nodes: [])
        for item in items {
            switch item {
            case .node(let position, let node):
                nodes.append((position, node))
            case .arrays(NodeBatchSQL.stepRow, let ids, let vias, let hops, let flags, _):
                for i in ids.indices {
                    steps.append(LineageStep(
                        kind: flags[i] & NodeBatchSQL.artifactFlag != 0 ? .artifact : .execution, id: ids[i],
                        hops: Int(hops[i]), via: vias[i] == 0 ? nil : vias[i], isEnding: flags[i] & NodeBatchSQL.endingFlag != 0))
                }
            case .arrays(NodeBatchSQL.eventRow, let artifacts, let executions, let times, let types, let paths):
                guard case .array(let paths) = try JSONParser.parse(paths ?? "[]"), paths.count == artifacts.count else {
                    throw ProvenanceError(.internal, "the events of a lineage statement came without their paths")
                }
                for i in artifacts.indices {
                    walked.events.append(EventRow.event(
                        artifact: artifacts[i], execution: executions[i], type: types[i], path: paths[i], milliseconds: times[i]))
                }
            case .arrays(_, let linked, let contexts, _, let kinds, _):
                for i in linked.indices {
                    switch Int(kinds[i]) {
                    case NodeBatchSQL.attributionRow:
                        walked.attributions.append(ContextLink(contextID: ContextID(contexts[i]), nodeID: linked[i]))
                    case NodeBatchSQL.associationRow:
                        walked.associations.append(ContextLink(contextID: ContextID(contexts[i]), nodeID: linked[i]))
                    default:
                        walked.parents.append(ParentContextLink(childID: ContextID(linked[i]), parentID: ContextID(contexts[i])))
                    }
                }
            }
        }
        // Nearest first, artifacts before executions, then by id: the order of the walk's own rows.
        steps.sort { a, b in
            if a.hops != b.hops { return a.hops < b.hops }
            if a.kind != b.kind { return a.kind == .artifact }
            return a.id < b.id
        }
        walked.events.sort {
            ($0.artifactID.rawValue, $0.executionID.rawValue, $0.type.rawValue) < ($1.artifactID.rawValue, $1.executionID.rawValue, $1.type.rawValue)
        }
        walked.attributions.sort { ($0.nodeID, $0.contextID.rawValue) < ($1.nodeID, $1.contextID.rawValue) }
        walked.associations.sort { ($0.nodeID, $0.contextID.rawValue) < ($1.nodeID, $1.contextID.rawValue) }
        walked.parents.sort { ($0.childID.rawValue, $0.parentID.rawValue) < ($1.childID.rawValue, $1.parentID.rawValue) }
        walked.traversal = LineageTraversal(steps: Array(steps.prefix(query.nodeLimit)), truncated: steps.count > query.nodeLimit)
        walked.nodes = Self.arrange(nodes, parts, walked: walked.traversal.steps)
        return walked
    }

    /// `query` with its starting filters replaced by the ids they select (see `LineageTraversalSQL.startingIDs`).
    private func withStartingIDs(_ query: LineageQuery, namespaceID: NamespaceID) async throws(ProvenanceError)
        -> LineageQuery
    {
        guard let sql = LineageTraversalSQL.startingIDs(query, namespaceID: namespaceID) else { return query }
        let starts = try await rows(sql) { row in try row.decode(([Int64], [Int64]).self) }
        var resolved = query
        resolved.startingArtifacts = .ids(starts.first?.0 ?? [])
        resolved.startingExecutions = .ids(starts.first?.1 ?? [])
        return resolved
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
            case .contexts, .linkedContexts: return found[position].values.sorted { $0.id < $1.id }
            }
            return order.compactMap { found[position][$0] }
        }
    }
}
