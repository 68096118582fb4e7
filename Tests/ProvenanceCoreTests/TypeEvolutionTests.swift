import ProvenanceCore
import Testing

@Suite struct TypeEvolutionTests {
    let stored = NodeType(id: TypeID(1), kind: .artifact, name: "Model", properties: ["accuracy": .double, "layers": .int])

    @Test func sameDefinitionChangesNothing() throws {
        #expect(try stored.evolved(to: stored, options: .init()) == nil)
    }

    @Test func addingAPropertyNeedsCanAddFields() throws {
        var requested = stored
        requested.properties["loss"] = .double
        #expect(throws: ProvenanceError.self) { try stored.evolved(to: requested, options: .init()) }
        let evolved = try stored.evolved(to: requested, options: .init(canAddFields: true))
        #expect(evolved?.properties["loss"] == .double)
    }

    @Test func omittingAPropertyNeedsCanOmitFieldsAndKeepsIt() throws {
        var requested = stored
        requested.properties["layers"] = nil
        #expect(throws: ProvenanceError.self) { try stored.evolved(to: requested, options: .init()) }
        #expect(try stored.evolved(to: requested, options: .init(canOmitFields: true)) == nil)
    }

    @Test func changingAPropertyTypeIsAlwaysAnError() {
        var requested = stored
        requested.properties["layers"] = .string
        #expect {
            try stored.evolved(to: requested, options: .init(canAddFields: true, canOmitFields: true))
        } throws: { error in
            (error as? ProvenanceError)?.code == .alreadyExists
                && (error as? ProvenanceError)?.message.contains("'layers' of type INT") == true
        }
    }
}

@Suite struct PaginationTests {
    @Test func orderParsesFieldsDirectionsAndAliases() throws {
        #expect(try ListOrder.parse("id") == ListOrder(field: .id, descending: false))
        #expect(try ListOrder.parse("create_time desc") == ListOrder(field: .createTime, descending: true))
        #expect(try ListOrder.parse("-last_update_time_since_epoch") == ListOrder(field: .updateTime, descending: true))
        #expect(throws: ProvenanceError.self) { try ListOrder.parse("name") }
        #expect(throws: ProvenanceError.self) { try ListOrder.parse("id sideways") }
    }

    @Test func pageTokensAreBoundToTheirQuery() throws {
        let token = PageToken.encode(PageCursor(value: 42, id: 7), fingerprint: "artifacts|q1")
        #expect(try PageToken.decode(token, fingerprint: "artifacts|q1") == PageCursor(value: 42, id: 7))
        #expect(throws: ProvenanceError.self) { try PageToken.decode(token, fingerprint: "artifacts|q2") }
        #expect(throws: ProvenanceError.self) { try PageToken.decode("garbage", fingerprint: "artifacts|q1") }
    }

    @Test func pageSizeOutsideTheLimitsIsRejectedNotCapped() throws {
        #expect(try PageRequest.checkSize(1000) == 1000)
        #expect(throws: ProvenanceError.self) { try PageRequest.checkSize(1001) }
        #expect(throws: ProvenanceError.self) { try PageRequest.checkSize(0) }
    }
}

@Suite struct LineageWriteValidationTests {
    @Test func eventIndexesMustPointIntoTheRequest() {
        let write = LineageWrite(
            artifacts: [.update(id: 1, NodePatch())], executions: [.update(id: 2, NodePatch())],
            events: [EventEdge(artifactIndex: 1, executionIndex: 0, type: .input)])
        #expect {
            try write.validate()
        } throws: { error in
            (error as? ProvenanceError)?.message.hasPrefix("events[0].artifact_index") == true
        }
    }

    @Test func aNodeUpdatedTwiceAndAContextNamedTwiceAreRejected() {
        let twice = LineageWrite(artifacts: [.update(id: 1, NodePatch()), .update(id: 1, NodePatch())])
        #expect(throws: ProvenanceError.self) { try twice.validate() }
        let context = NodeDraft(kind: .context, type: .name("Run", version: nil), name: "r1")
        #expect(throws: ProvenanceError.self) { try LineageWrite(contexts: [.create(context), .create(context)]).validate() }
    }

    @Test func contextsNeedANameAndOnlyArtifactsHaveAURI() {
        let unnamed = NodeDraft(kind: .context, type: .id(TypeID(1)))
        #expect(throws: ProvenanceError.self) { try LineageWrite(contexts: [.create(unnamed)]).validate() }
        let execution = NodeDraft(kind: .execution, type: .id(TypeID(1)), uri: "s3://x")
        #expect(throws: ProvenanceError.self) { try LineageWrite(executions: [.create(execution)]).validate() }
    }
}
