import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Input that PostgreSQL cannot store or a client could not read back is a 400 naming the field, never a 500, and
/// input a filter cannot be planned cheaply is refused before it reaches PostgreSQL.
@Suite struct StorableInputTests {
    @Test func aNulCharacterIsA400NamingTheFieldWhereverItIs() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let nul = "bad\u{0}text"
            let cases: [(String, JSON, String)] = [
                ("/artifacts", ["type": "Dataset", "name": .string(nul)], "name"),
                ("/artifacts", ["type": "Dataset", "uri": .string(nul)], "uri"),
                ("/artifacts", ["type": "Dataset", "external_id": .string(nul)], "external_id"),
                ("/artifacts", ["type": "Dataset", "custom_properties": [nul: 1]], "custom_properties"),
                ("/artifacts", ["type": "Dataset", "custom_properties": ["note": .string(nul)]], "custom_properties.note"),
                ("/artifacts", ["type": "Dataset", "custom_properties": ["s": ["struct": ["deep": ["x": .string(nul)]]]]], "custom_properties.s.deep.x"),
                ("/artifacts", ["type": .string(nul)], "type"),
                ("/contexts", ["type": "Pipeline", "name": .string(nul)], "name"),
                ("/types", ["kind": "artifact", "name": .string(nul)], "name"),
                ("/types", ["kind": "artifact", "name": "T", "properties": [nul: "INT"]], "properties"),
                ("/executions:record", ["execution": ["type": "Trainer"], "inputs": [["artifact": ["type": "Dataset"], "path": [["key": .string(nul)]]]]], "inputs[0].path[0].key"),
            ]
            for (path, body, field) in cases {
                let reply = try await server.api(.POST, path, json: body)
                #expect(reply.status == 400, "\(path) \(field): \(reply.status) \(reply.text)")
                #expect(reply.errorMessage.contains("NUL character"), "\(reply.errorMessage)")
                #expect(reply.json["error"]?["details"]?["field"] == .string(field), "\(reply.json)")
            }
            let query = try await server.api(.GET, "/artifacts?external_id=a%00b")
            #expect(query.status == 400)
            #expect(query.errorMessage.hasPrefix("external_id: must not contain a NUL character"), "\(query.errorMessage)")
            let filter = try await server.api(.GET, "/artifacts?filter=name%20%3D%20'a%00b'")
            #expect(filter.status == 400)
            #expect(filter.errorMessage.hasPrefix("filter: must not contain a NUL character"), "\(filter.errorMessage)")
            let namespace = try await server.request(.GET, "/api/v1/namespaces/a%00b/artifacts")
            #expect(namespace.status == 400 || namespace.status == 404, "\(namespace.status)")
            #expect(try await server.api(.GET, "/artifacts").json.array("artifacts").isEmpty, "nothing was written")
        }
    }

    @Test func aStructNestedDeeperThanClientsCanReadIsRefusedAtWriteTime() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            func nested(_ depth: Int) -> JSON {
                var value: JSON = ["leaf": 1]
                for _ in 1..<depth { value = ["k": value] }
                return value
            }
            let limit = PropertyValue.maximumStructDepth
            let fine = try await server.api(.POST, "/artifacts", json: ["type": "Dataset", "custom_properties": ["c": nested(limit)]])
            #expect(fine.status == 201, "\(fine.text)")
            let deep = try await server.api(.POST, "/artifacts", json: ["type": "Dataset", "custom_properties": ["c": nested(limit + 1)]])
            #expect(deep.status == 400)
            #expect(deep.errorMessage.contains("at most \(limit) levels deep"), "\(deep.errorMessage)")
            var arrays: JSON = [1]
            for _ in 1..<limit { arrays = [arrays] }
            let deepArrays = try await server.api(
                .POST, "/artifacts", json: ["type": "Dataset", "custom_properties": ["c": ["struct": ["list": arrays]]]])
            #expect(deepArrays.status == 400, "an array counts as a level as an object does")
        }
    }

    @Test func costlyOrUnplannableFiltersAreRefusedWithAPositionedError() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            _ = try await server.api(.POST, "/artifacts", json: ["type": "Dataset", "uri": #"s3://a\"#])
            let aliases = (1...Filter.maximumAliases + 1).map { "contexts_a\($0).name = 'x'" }.joined(separator: " AND ")
            let tooMany = try await server.api(.GET, "/artifacts?filter=\(Self.encoded(aliases))")
            #expect(tooMany.status == 400)
            #expect(tooMany.errorMessage.contains("at most \(Filter.maximumAliases) neighbourhood aliases"), "\(tooMany.errorMessage)")
            let enough = (1...Filter.maximumAliases).map { "contexts_a\($0).name = 'x'" }.joined(separator: " AND ")
            #expect(try await server.api(.GET, "/artifacts?filter=\(Self.encoded(enough))").status == 200)
            let like = try await server.api(.GET, "/artifacts?filter=\(Self.encoded(#"uri LIKE 's3://a\\'"#))")
            #expect(like.status == 400)
            #expect(like.errorMessage == #"filter: a LIKE pattern cannot end with the escape character '\'; write '\\' for a backslash at column 10"#)
            let escaped = try await server.api(.GET, "/artifacts?filter=\(Self.encoded(#"uri LIKE 's3://a\\\\'"#))")
            #expect(escaped.status == 200)
            #expect(escaped.json.array("artifacts").count == 1, "an escaped backslash matches one")
        }
    }

    @Test func limitsAreNamedAsTheRequestNamedThem() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let created = try await server.api(.POST, "/artifacts", json: ["type": "Dataset"])
            let id = try #require(created.json["id"].flatMap { if case .int(let id) = $0 { id } else { nil } })
            let hops = try await server.api(.GET, "/artifacts/\(id)/provenance?max_hops=-1")
            #expect(hops.errorMessage.hasPrefix("max_hops:"), "\(hops.errorMessage)")
            let nodes = try await server.api(.GET, "/artifacts/\(id)/provenance?max_nodes=\(LineageQuery.maximumNodeLimit + 1)")
            #expect(nodes.status == 400)
            #expect(nodes.errorMessage.hasPrefix("max_nodes:"), "\(nodes.errorMessage)")
            let stringID = try await server.api(
                .POST, "/executions:record", json: ["execution": ["type": "Trainer"], "inputs": [["id": "1"]]])
            #expect(stringID.status == 400)
            #expect(stringID.errorMessage == "inputs[0].id: expected an integer, got a string")
        }
    }

    @Test func eachConcurrentPatchAnswersWithWhatItWrote() async throws {
        try await withTestServer { server in
            try await createPipelineTypes(server)
            let created = try await server.api(.POST, "/artifacts", json: ["type": "Dataset"])
            let id = try #require(created.json["id"].flatMap { if case .int(let id) = $0 { id } else { nil } })
            let answers = try await withThrowingTaskGroup(of: (Int, JSON).self) { group in
                for writer in 0..<24 {
                    group.addTask {
                        let reply = try await server.api(
                            .PATCH, "/artifacts/\(id)", json: ["custom_properties": ["writer": .int(Int64(writer))]])
                        return (writer, reply.json)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var revisions: Set<String> = []
            for (writer, node) in answers {
                #expect(node["custom_properties"]?["writer"] == ["int": .int(Int64(writer))], "answer of writer \(writer)")
                revisions.insert("\(node["revision"] ?? .null)")
            }
            #expect(revisions.count == answers.count, "each answer is its own revision")
        }
    }

    static func encoded(_ filter: String) -> String {
        filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? filter
    }
}
