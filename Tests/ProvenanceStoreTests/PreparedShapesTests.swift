import ProvenanceCore
@testable import ProvenanceStore
import Testing

/// The statements of the common requests have the text of a prepared shape, so they are prepared once per
/// connection rather than parsed and planned on every request. A change to how a statement is built that the
/// template does not follow would silently lose that; these catch it.
@Suite struct PreparedShapesTests {
    let namespace = NamespaceID(7)

    @Test(arguments: LineageDirection.allCases)
    func lineageRequestsRunAsPreparedStatements(direction: LineageDirection) {
        let walk = LineageQuery(startingArtifacts: .ids([42, 43]), direction: direction, maxHops: 50, nodeLimit: 500)
        let report = LineageTemplates.artifactLineageParts(start: 42, selection: .baseType("Model"), readingArtifact: nil)
        let subgraph = LineageTemplates.subgraphParts(endingNodes: true)
        for sql in [
            NodeBatchSQL.walkAndNodes(walk, report, namespaceID: namespace),
            NodeBatchSQL.walkAndNodes(walk, subgraph, eventsBetween: .walked(), links: LineageTemplates.subgraphLinks(endingNodes: true), namespaceID: namespace),
        ] {
            #expect(PreparedShapes.byText[sql.text] != nil, "not prepared: \(sql.text.prefix(80))")
        }
    }

    @Test func subgraphsRunPreparedWhateverTheyReadMaskAsksFor() {
        let walk = LineageQuery(startingArtifacts: .ids([42]), maxHops: 100)
        for (fields, nodes, events) in [(LineageFields.events, false, true), ([.artifacts, .executions], true, false), ([.attributions], true, false)] {
            let sql = NodeBatchSQL.walkAndNodes(
                walk, LineageTemplates.subgraphParts(endingNodes: true), eventsBetween: .walked(),
                links: LineageTemplates.subgraphLinks(endingNodes: true, fields: fields), readingNodes: nodes,
                readingEvents: events, namespaceID: namespace)
            #expect(PreparedShapes.byText[sql.text] != nil, "not prepared for \(fields)")
        }
    }

    @Test func nodeReadsByIDRunAsPreparedStatements() {
        for kind in NodeKind.allCases {
            #expect(PreparedShapes.byText[NodesByIDSQL.query(kind, ids: [1, 2], namespaceID: namespace).text] != nil)
        }
    }

    @Test func requestsOutsideTheShapesRunAsOneOffQueries() throws {
        let walk = LineageQuery(startingArtifacts: .filter(try Filter.parse("name = 'x'", kind: .artifact)))
        let subgraph = LineageTemplates.subgraphParts(endingNodes: true)
        #expect(PreparedShapes.byText[NodeBatchSQL.walkAndNodes(walk, subgraph, eventsBetween: .walked(), links: LineageTemplates.subgraphLinks(endingNodes: true), namespaceID: namespace).text] == nil)
        let filtered = LineageTemplates.artifactLineageParts(
            start: 1, selection: .filter(try Filter.parse("uri LIKE 's3://%'", kind: .artifact)), readingArtifact: nil)
        #expect(PreparedShapes.byText[NodeBatchSQL.walkAndNodes(LineageQuery(startingArtifacts: .ids([1])), filtered, namespaceID: namespace).text] == nil)
        #expect(Set(PreparedShapes.all.map { $0.name }).count == PreparedShapes.all.count, "prepared statement names are distinct")
    }
}
