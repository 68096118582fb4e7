import Logging
import ProvenanceCore
import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// Two servers on one database: one adds a property to a type the other has cached. The other's next write that
/// uses the property refreshes the type instead of rejecting the property, for every node of a batch.
@Suite struct TypeRefreshTests {
    @Test func aPropertyAnotherServerAddedIsAcceptedForEveryNodeOfABatch() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let logger = Logger(label: "test")
        let first = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: 2), logger: logger)
        let second = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: 2), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await first.run() }
            group.addTask { await second.run() }
            defer { group.cancelAll() }
            let original = NodeType(kind: .artifact, name: "Model", properties: ["accuracy": .double])
            let type = try await first.putType(original, namespace: "default", options: .init()).type
            _ = try await first.write(LineageWrite(artifacts: [Self.model("cached", [:])]), namespace: "default")

            var evolved = original
            evolved.properties["loss"] = .double
            _ = try await second.putType(evolved, namespace: "default", options: .init(canAddFields: true))

            let batch = (0..<3).map { Self.model("m\($0)", ["loss": .json(.double(0.5 + Double($0)))]) }
            let ids = try await first.write(LineageWrite(artifacts: batch), namespace: "default").artifactIDs
            let nodes = try await first.nodes(.artifact, ids: ids.map(\.rawValue), namespace: "default")
            #expect(nodes.map(\.typeID) == Array(repeating: type.id, count: 3))
            #expect(nodes.map { $0.properties["loss"] } == [.double(0.5), .double(1.5), .double(2.5)])
        }
    }

    private static func model(_ name: String, _ properties: [String: PropertyInput]) -> NodeWrite {
        .create(NodeDraft(kind: .artifact, type: .name("Model", version: nil), name: name, properties: properties))
    }
}
