import PostgresNIO
import ProvenanceCore

/// What `walkAndNodes` read: the walk, each part's nodes by role, the events and the context links asked for.
struct WalkedNodes {
    var traversal: LineageTraversal
    var nodes: [NodeBatchRole: [Node]]
    var events: [Event] = []
    var attributions: [ContextLink] = []
    var associations: [ContextLink] = []
    var parents: [ParentContextLink] = []

    /// The nodes of the part with `role` (none if there was no such part).
    func nodes(_ role: NodeBatchRole) -> [Node] { nodes[role] ?? [] }
}

/// One row of `NodeBatchSQL.walkAndNodes`, decoded by what its tag says it is.
private enum WalkRow: Sendable {
    case node(NodeBatchRole, Node)
    case steps([LineageStep])
    case events([Event])
    case links(attributions: [ContextLink], associations: [ContextLink], parents: [ParentContextLink])

    /// Decodes a row; `kinds` tells the kind of node each role's part reads.
    static func decode(_ row: PostgresRow, kinds: [NodeBatchRole: NodeKind]) throws -> WalkRow {
        var cells = CellReader(row)
        let tag = try cells.next(Int16.self)
        if let role = NodeBatchRole(rawValue: tag), let kind = kinds[role] {
            return .node(role, try NodeRow.decodeTagged(row, kind: kind))
        }
        cells.skip(NodeBatchSQL.firstArrayColumn - 1)
        switch Int(tag) {
        case NodeBatchSQL.stepRow:
            let (ids, vias, hops) = (try cells.nextIntegers(Int64.self), try cells.nextIntegers(Int64.self), try cells.nextIntegers(Int64.self))
            let flags = try cells.nextIntegers(Int16.self)
            return .steps(ids.indices.map { i in
                LineageStep(
                    kind: flags[i] & NodeBatchSQL.artifactFlag != 0 ? .artifact : .execution, id: ids[i],
                    hops: Int(hops[i]), via: vias[i] == 0 ? nil : vias[i], isEnding: flags[i] & NodeBatchSQL.endingFlag != 0)
            })
        case NodeBatchSQL.eventRow:
            let (artifacts, executions, times) = (try cells.nextIntegers(Int64.self), try cells.nextIntegers(Int64.self), try cells.nextIntegers(Int64.self))
            let types = try cells.nextIntegers(Int16.self)
            guard case .array(let paths) = try JSONParser.parse(try cells.next(String?.self) ?? "[]"), paths.count == artifacts.count else {
                throw ProvenanceError(.internal, "the events of a lineage statement came without their paths")
            }
            return .events(artifacts.indices.map { i in
                EventRow.event(artifact: artifacts[i], execution: executions[i], type: types[i], path: paths[i], milliseconds: times[i])
            })
        case NodeBatchSQL.linkRow:
            let (linked, contexts) = (try cells.nextIntegers(Int64.self), try cells.nextIntegers(Int64.self))
            cells.skip(1)
            let kinds = try cells.nextIntegers(Int16.self)
            var attributions: [ContextLink] = [], associations: [ContextLink] = [], parents: [ParentContextLink] = []
            for i in linked.indices {
                switch Int(kinds[i]) {
                case NodeBatchSQL.attributionRow: attributions.append(ContextLink(contextID: ContextID(contexts[i]), nodeID: linked[i]))
                case NodeBatchSQL.associationRow: associations.append(ContextLink(contextID: ContextID(contexts[i]), nodeID: linked[i]))
                default: parents.append(ParentContextLink(childID: ContextID(linked[i]), parentID: ContextID(contexts[i])))
                }
            }
            return .links(attributions: attributions, associations: associations, parents: parents)
        default:
            throw ProvenanceError(.internal, "a lineage statement returned a row tagged \(tag)")
        }
    }
}

extension PostgresStore {
    /// Walks as `query` says and reads the nodes of `parts` (which may name walked nodes), with `eventsBetween`
    /// the events joining the artifacts and executions it names, and with `links` their context links, in one
    /// round trip; `readingNodes` and `readingEvents` switch parts and events off (see `NodeBatchSQL.walkAndNodes`).
    func walkAndNodes(
        _ query: LineageQuery, _ parts: [NodeBatchRole: NodeBatchPart], eventsBetween: NodeIDs? = nil,
        links: ContextLinkRows? = nil, readingNodes: Bool = true, readingEvents: Bool = true, namespaceID: NamespaceID
    ) async throws(ProvenanceError) -> WalkedNodes {
        let query = try await withStartingIDs(query, namespaceID: namespaceID)
        let kinds = parts.mapValues(\.kind)
        let rows = try await rows(
            NodeBatchSQL.walkAndNodes(
                query, parts, eventsBetween: eventsBetween, links: links, readingNodes: readingNodes,
                readingEvents: readingEvents, namespaceID: namespaceID)
        ) { row in try WalkRow.decode(row, kinds: kinds) }
        var steps: [LineageStep] = [], nodes: [(NodeBatchRole, Node)] = []
        var walked = WalkedNodes(traversal: LineageTraversal(steps: [], truncated: false), nodes: [:])
        for row in rows {
            switch row {
            case .node(let role, let node): nodes.append((role, node))
            case .steps(let found): steps += found
            case .events(let found): walked.events += found
            case .links(let attributions, let associations, let parents):
                walked.attributions += attributions
                walked.associations += associations
                walked.parents += parents
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
    private static func arrange(
        _ rows: [(NodeBatchRole, Node)], _ parts: [NodeBatchRole: NodeBatchPart], walked: [LineageStep]
    ) -> [NodeBatchRole: [Node]] {
        var found: [NodeBatchRole: [Int64: Node]] = [:]
        for (role, node) in rows { found[role, default: [:]][node.id] = node }
        var arranged: [NodeBatchRole: [Node]] = [:]
        for (role, part) in parts {
            let byID = found[role] ?? [:]
            switch part {
            case .artifacts(.ids(let ids), _, _), .executions(.ids(let ids)):
                arranged[role] = ids.compactMap { byID[$0] }
            case .artifacts(.walked, _, _), .executions(.walked):
                arranged[role] = walked.filter { $0.kind == part.kind }.compactMap { byID[$0.id] }
            case .contexts, .linkedContexts:
                arranged[role] = byID.values.sorted { $0.id < $1.id }
            }
        }
        return arranged
    }
}
