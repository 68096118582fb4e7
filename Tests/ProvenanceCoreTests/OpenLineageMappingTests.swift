import ProvenanceCore
import Testing

@Suite struct OpenLineageMappingTests {
    @Test func timesAreReadWithAnyFractionAndOffsetAndWrittenInUTC() throws {
        let utc = try RFC3339Time.microseconds("2024-05-01T10:00:00Z", field: "t")
        #expect(try RFC3339Time.microseconds("2024-05-01T12:00:00+02:00", field: "t") == utc)
        #expect(try RFC3339Time.microseconds("2024-05-01T10:00:00", field: "t") == utc)
        #expect(try RFC3339Time.microseconds("2024-05-01T10:00:00.123456789Z", field: "t") == utc + 123_456)
        #expect(RFC3339Time.text(microseconds: utc + 5) == "2024-05-01T10:00:00.000005Z")
        #expect(RFC3339Time.text(microseconds: 0) == "1970-01-01T00:00:00.000000Z")
        for bad in ["2024-02-30T00:00:00Z", "2024-05-01", "yesterday", "2024-05-01T10:00:00+2", "2024-05-01T25:00:00Z"] {
            #expect(throws: ProvenanceError.self, "\(bad)") { try RFC3339Time.microseconds(bad, field: "t") }
        }
    }

    @Test func namespacesMapToThemselvesMadeValidUnlessTheMappingNamesThem() throws {
        let mapping = try OpenLineageNamespaces(parsing: "spark://cluster=retail, airflow=ops", field: "m")
        #expect(mapping.namespace(for: "spark://cluster") == "retail")
        #expect(mapping.namespace(for: "airflow") == "ops")
        #expect(mapping.namespace(for: "team-a") == "team-a")
        #expect(mapping.namespace(for: "airflow://prod") == "airflow-prod")
        #expect(mapping.namespace(for: "://") == "openlineage")
        #expect(throws: ProvenanceError.self) { try OpenLineageNamespaces(parsing: "a=b,a=c", field: "m") }
        #expect(throws: ProvenanceError.self) { try OpenLineageNamespaces(parsing: "a=not valid", field: "m") }
    }

    @Test func runStatesOnlyMoveForwardAndAnEndIsKept() {
        #expect(OpenLineageRunStates.moves(from: .unknown, to: .running))
        #expect(OpenLineageRunStates.moves(from: .running, to: .complete))
        #expect(!OpenLineageRunStates.moves(from: .complete, to: .running))
        #expect(!OpenLineageRunStates.moves(from: .complete, to: .failed))
        #expect(!OpenLineageRunStates.moves(from: .running, to: .unknown))
    }

    @Test func nodeIDsWithColonsInTheirNamespaceOfferEverySplit() throws {
        let candidates = try OpenLineageNodeName.candidates("dataset:postgres://db:5432:shop.orders", field: "nodeId")
        #expect(candidates.contains(OpenLineageNodeName(kind: .dataset, namespace: "postgres://db:5432", name: "shop.orders")))
        #expect(candidates.allSatisfy { $0.nodeID == "dataset:postgres://db:5432:shop.orders" })
        #expect(throws: ProvenanceError.self) { try OpenLineageNodeName.candidates("table:a:b", field: "nodeId") }
        #expect(throws: ProvenanceError.self) { try OpenLineageNodeName.candidates("job:nocolon", field: "nodeId") }
    }

    @Test func aDatasetsVersionIsItsVersionFacetElseItsSchemasDigest() throws {
        func event(_ facets: JSON) throws -> OpenLineageRecord {
            let json: JSON = [
                "eventTime": "2024-05-01T10:00:00Z", "producer": "p", "schemaURL": "s",
                "dataset": ["namespace": "s3://b", "name": "d", "facets": facets],
            ]
            return try OpenLineageRecord(try OpenLineageEvent.parse(json, path: ""), namespaces: OpenLineageNamespaces())
        }
        let schemaA: JSON = ["schema": ["fields": [["name": "a"]]]]
        let schemaB: JSON = ["schema": ["fields": [["name": "b"]]]]
        #expect(try event(schemaA).inputs[0].version == event(schemaA).inputs[0].version)
        #expect(try event(schemaA).inputs[0].version != event(schemaB).inputs[0].version)
        #expect(try event(["version": ["datasetVersion": "42"]]).inputs[0].version == "42")
        #expect(try event([:]).inputs[0].version == nil)
        #expect(try event([:]).event.kind == .dataset)
        #expect(try event([:]).namespace == "s3-b")
    }
}
