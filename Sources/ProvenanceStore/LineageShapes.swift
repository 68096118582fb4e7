import ProvenanceCore

/// A lineage direction as a type, to name one prepared statement per direction (the direction is part of a
/// walk's text, see `LineageTraversalSQL.typeCondition`).
protocol LineageDirectionMarker: Sendable {
    static var direction: LineageDirection { get }
}
enum Upstream: LineageDirectionMarker { static var direction: LineageDirection { .upstream } }
enum Downstream: LineageDirectionMarker { static var direction: LineageDirection { .downstream } }
enum Bidirectional: LineageDirectionMarker { static var direction: LineageDirection { .both } }

/// A provenance or impact report by base type in one statement: the walk from the starting artifact, the starting
/// artifact, the related artifacts, the neighbouring executions and their contexts.
enum ArtifactLineageStatement<Direction: LineageDirectionMarker>: SQLShape {
    static var name: String { "artifact_lineage_\(Direction.direction.rawValue)" }
    static var sql: String { LineageTemplates.artifactLineage[Direction.direction]! }
}

/// A lineage subgraph from starting ids without ending filters in one statement: the walk, its artifacts, its
/// executions, their contexts, the events between them and their context links.
enum SubgraphStatement<Direction: LineageDirectionMarker>: SQLShape {
    static var name: String { "subgraph_\(Direction.direction.rawValue)" }
    static var sql: String { LineageTemplates.subgraph[Direction.direction]! }
}

/// The node reads of the lineage statements, and each statement's text per direction, built from a template
/// request by the same code as every real one.
enum LineageTemplates {
    /// The node reads of a report on artifact `start` (and `readingArtifact`, read to check that it exists).
    static func artifactLineageParts(start: Int64, selection: ArtifactSelection, readingArtifact: Int64?)
        -> [NodeBatchRole: NodeBatchPart]
    {
        [
            .requested: .artifacts(.ids([start] + (readingArtifact.map { [$0] } ?? []))),
            .related: .artifacts(.walked(excluding: start), selection: selection, outputOfExecutionReading: readingArtifact),
            .executions: .executions(.walked(hops: 1)),
            .contexts: .contexts(ofArtifacts: .none, executions: .walked(hops: 1)),
        ]
    }

    /// The node reads of a subgraph: artifacts and executions (without ending nodes unless `endingNodes`), and
    /// their contexts.
    static func subgraphParts(endingNodes: Bool) -> [NodeBatchRole: NodeBatchPart] {
        let walked = NodeIDs.walked(endingNodes: endingNodes)
        return [.artifacts: .artifacts(walked), .executions: .executions(walked), .contexts: .linkedContexts]
    }

    /// The context links of a subgraph's artifacts and executions, of the kinds `fields` asks for.
    static func subgraphLinks(endingNodes: Bool, fields: LineageFields = .all) -> ContextLinkRows {
        ContextLinkRows(
            nodes: .walked(endingNodes: endingNodes), attributions: fields.contains(.attributions),
            associations: fields.contains(.associations), parents: fields.contains(.parentContexts))
    }

    static let artifactLineage = perDirection { direction in
        let parts = artifactLineageParts(start: 0, selection: .baseType(""), readingArtifact: nil)
        return NodeBatchSQL.walkAndNodes(template(direction), parts, namespaceID: NamespaceID(0))
    }

    static let subgraph = perDirection { direction in
        return NodeBatchSQL.walkAndNodes(
            template(direction), subgraphParts(endingNodes: true), eventsBetween: .walked(),
            links: subgraphLinks(endingNodes: true), namespaceID: NamespaceID(0))
    }

    private static func template(_ direction: LineageDirection) -> LineageQuery {
        LineageQuery(startingArtifacts: .ids([]), startingExecutions: .ids([]), direction: direction)
    }

    private static func perDirection(_ build: (LineageDirection) -> SQLBuilder) -> [LineageDirection: String] {
        Dictionary(uniqueKeysWithValues: LineageDirection.allCases.map { ($0, build($0).text) })
    }
}
