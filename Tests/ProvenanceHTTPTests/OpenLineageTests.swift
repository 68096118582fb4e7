import CompressNIO
import NIOCore
import ProvenanceCore
import ProvenanceTestSupport
import Testing

@Suite struct OpenLineageTests {
    typealias F = OpenLineageFixtures
    static let prod = "/api/v1/namespaces/airflow-prod"

    @Test func aRunBecomesAnExecutionOfItsJobWithInputAndOutputEventsAndLandsInTheMappedNamespace() async throws {
        try await withTestServer { server in
            let input = F.dataset("postgres://db:5432", "shop.public.orders")
            let output = F.dataset("s3://lake", "raw/orders")
            let posted = try await server.request(
                .POST, "/api/v1/lineage",
                json: F.runEvent("COMPLETE", runID: F.runID(1), inputs: [input], outputs: [output]))
            #expect(posted.status == 201)
            #expect(posted.json.int("written") == 1)
            let executions = try await server.request(.GET, "\(Self.prod)/executions")
            let run = try #require(executions.json.array("executions").first)
            #expect(run.string("type") == "orders_dag.extract")
            #expect(run.string("external_id") == F.runID(1))
            #expect(run.string("last_known_state") == "COMPLETE")
            let events = try await server.request(.GET, "\(Self.prod)/executions/\(run.int("id"))/events")
            #expect(events.json.array("events").compactMap { $0.string("type") }.sorted() == ["INPUT", "OUTPUT"])
            let jobs = try await server.request(.GET, "\(Self.prod)/executions/\(run.int("id"))/contexts")
            #expect(jobs.json.array("contexts").map { $0.string("type") } == ["OpenLineageJob"])
            #expect(jobs.json.array("contexts").map { $0.string("name") } == ["orders_dag.extract"])
        }
    }

    @Test func eventsOutOfOrderNeverMoveARunBackwardsAndReplaysWriteNothing() async throws {
        try await withTestServer { server in
            let input = F.dataset("postgres://db:5432", "shop.public.orders")
            let complete = F.runEvent("COMPLETE", runID: F.runID(2), time: "2026-12-07T10:05:00Z", inputs: [input])
            let start = F.runEvent("START", runID: F.runID(2), time: "2026-12-07T10:00:00Z", inputs: [input])
            for event in [complete, start, complete, start] {
                let reply = try await server.request(.POST, "/api/v1/lineage", json: event)
                #expect(reply.status == 201)
            }
            let executions = try await server.request(.GET, "\(Self.prod)/executions")
            #expect(executions.json.array("executions").count == 1)
            let run = executions.json.array("executions")[0]
            #expect(run.string("last_known_state") == "COMPLETE")
            #expect(run["custom_properties"]?["started_at"] == ["string": "2026-12-07T10:00:00.000000Z"])
            #expect(run["custom_properties"]?["ended_at"] == ["string": "2026-12-07T10:05:00.000000Z"])
            let events = try await server.request(.GET, "\(Self.prod)/executions/\(run.int("id"))/events")
            #expect(events.json.array("events").count == 1)
            let artifacts = try await server.request(.GET, "\(Self.prod)/artifacts")
            #expect(artifacts.json.array("artifacts").count == 1)
            let replay = try await server.request(.POST, "/api/v1/lineage", json: .array([complete, start]))
            #expect(replay.json.int("replayed") == 2)
            #expect(replay.json.int("written") == 0)
        }
    }

    @Test func aDatasetGetsANewVersionOnlyWhenItsSchemaOrVersionFacetChanges() async throws {
        try await withTestServer { server in
            let events: [JSON] = [
                F.runEvent("COMPLETE", runID: F.runID(1), outputs: [F.dataset("s3://lake", "features", fields: ["a"])]),
                F.runEvent("COMPLETE", runID: F.runID(2), outputs: [F.dataset("s3://lake", "features", fields: ["a"])]),
                F.runEvent("COMPLETE", runID: F.runID(3), job: "train", inputs: [F.dataset("s3://lake", "features")]),
                F.runEvent("COMPLETE", runID: F.runID(4), outputs: [F.dataset("s3://lake", "features", fields: ["a", "b"])]),
                F.runEvent("COMPLETE", runID: F.runID(5), job: "train", inputs: [F.dataset("s3://lake", "features")]),
                F.runEvent("COMPLETE", runID: F.runID(6), outputs: [F.dataset("s3://lake", "features", version: "v7")]),
            ]
            let reply = try await server.request(.POST, "/api/v1/lineage", json: .array(events))
            #expect(reply.json.int("written") == 6)
            let artifacts = try await server.request(.GET, "\(Self.prod)/artifacts?order_by=id")
            let names = artifacts.json.array("artifacts").compactMap { $0.string("name") }
            #expect(names.count == 3, "versions: \(names)")
            #expect(names.last == "s3://lake:features#v7")
            // The first training run read the version of schema [a], the second the version of schema [a, b].
            var read: [String] = []
            for run in [3, 5] {
                let execution = try await server.request(.GET, "\(Self.prod)/executions?filter=external_id%20%3D%20'\(F.runID(run))'")
                let id = try #require(execution.json.array("executions").first).int("id")
                let provenance = try await server.request(.GET, "\(Self.prod)/executions/\(id)/events")
                read.append(contentsOf: provenance.json.array("events").map { String($0.int("artifact_id")) })
            }
            #expect(Set(read).count == 2)
        }
    }

    @Test func aParentRunFacetMakesTheParentJobAParentContext() async throws {
        try await withTestServer { server in
            let facets: JSON = [
                "parent": [
                    "_producer": "p", "_schemaURL": "s", "run": ["runId": .string(F.runID(99))],
                    "job": ["namespace": .string(F.namespace), "name": "orders_dag"],
                ]
            ]
            _ = try await server.request(.POST, "/api/v1/lineage", json: F.runEvent("START", runID: F.runID(1), runFacets: facets))
            let contexts = try await server.request(.GET, "\(Self.prod)/contexts?order_by=id")
            let byName = Dictionary(
                uniqueKeysWithValues: contexts.json.array("contexts").map { ($0.string("name") ?? "", $0.int("id")) })
            let child = try #require(byName["orders_dag.extract"])
            let parents = try await server.request(.GET, "\(Self.prod)/contexts/\(child)/parents")
            #expect(parents.json.array("contexts").map { $0.string("name") } == ["orders_dag"])
            let run = try #require(byName[F.runID(99)])
            let held = try await server.request(.GET, "\(Self.prod)/contexts/\(run)/executions")
            #expect(held.json.array("executions").map { $0.string("external_id") } == [F.runID(1)])
        }
    }

    @Test func gzipBodiesAndBatchesAreTakenAndFacetsAreKeptAsProperties() async throws {
        try await withTestServer { server in
            let facets: JSON = [
                "errorMessage": ["_producer": "p", "_schemaURL": "s", "message": "boom", "programmingLanguage": "python"],
                "acme_costs": ["_producer": "p", "_schemaURL": "s", "dollars": 3],
            ]
            let event = F.runEvent("FAIL", runID: F.runID(1), runFacets: facets)
            var plain = ByteBuffer(bytes: JSONWriter.bytes(.array([event])))
            let compressed = try plain.compress(with: .gzip())
            let reply = try await server.request(
                .POST, "/api/v1/lineage", rawBody: Array(compressed.readableBytesView), headers: [("Content-Encoding", "gzip")])
            #expect(reply.status == 201)
            let executions = try await server.request(.GET, "\(Self.prod)/executions")
            let run = try #require(executions.json.array("executions").first)
            #expect(run.string("last_known_state") == "FAILED")
            #expect(run["custom_properties"]?["errorMessage"]?["struct"]?["message"] == "boom")
            #expect(run["custom_properties"]?["acme_costs"]?["struct"]?["dollars"] == 3)
        }
    }

    @Test func badEventsAreRefusedNamingTheFieldAndNothingOfTheBatchIsWritten() async throws {
        try await withTestServer(configure: { $0.maximumBodyBytes = 8 * 1024 }) { server in
            let good = F.runEvent("START", runID: F.runID(1))
            var cases: [(JSON, String)] = []
            var noRunID = F.runEvent("START", runID: F.runID(2))
            noRunID = try Self.replacing(noRunID, "run", with: ["facets": [:]])
            cases.append((noRunID, "[1].run.runId"))
            cases.append((F.runEvent("BEGIN", runID: F.runID(2)), "[1].eventType"))
            cases.append((F.runEvent("START", runID: "not-a-uuid"), "[1].run.runId"))
            cases.append((try Self.replacing(good, "eventTime", with: "yesterday"), "[1].eventTime"))
            cases.append((try Self.replacing(good, "producer", with: .null), "[1].producer"))
            cases.append((try Self.replacing(good, "job", with: ["namespace": "n"]), "[1].job.name"))
            for (bad, field) in cases {
                let reply = try await server.request(.POST, "/api/v1/lineage", json: .array([good, bad]))
                #expect(reply.status == 400, "\(field): \(reply.json)")
                #expect(reply.json["error"]?["details"]?["field"] == .string(field))
            }
            let broken = try await server.request(
                .POST, "/api/v1/lineage", rawBody: Array("not gzip".utf8), headers: [("Content-Encoding", "gzip")])
            #expect(broken.status == 400)
            let large = try await server.request(
                .POST, "/api/v1/lineage", json: .array(Array(repeating: good, count: 40)))
            #expect(large.status == 413)
            let namespaces = try await server.request(.GET, "/api/v1/namespaces")
            #expect(!namespaces.text.contains("airflow-prod"))
        }
    }

    @Test func theMarquezShapedReadsWalkUpstreamAndDownstreamJobsAndDatasets() async throws {
        try await withTestServer(configure: { $0.maximumBodyBytes = 1 << 20 }) { server in
            // raw -> extract -> staged -> transform -> features -> train -> model
            let chain: [(String, String, String)] = [
                ("extract", "raw", "staged"), ("transform", "staged", "features"), ("train", "features", "model"),
            ]
            var events: [JSON] = []
            for (index, (job, input, output)) in chain.enumerated() {
                events.append(
                    F.runEvent(
                        "COMPLETE", runID: F.runID(index + 1), job: job, inputs: [F.dataset("s3://lake", input)],
                        outputs: [F.dataset("s3://lake", output, fields: ["x"])]))
            }
            _ = try await server.request(.POST, "/api/v1/lineage", json: .array(events))
            let lineage = try await server.request(.GET, "/api/v1/lineage?nodeId=dataset:s3://lake:features&depth=20")
            #expect(lineage.status == 200)
            let ids = Set(lineage.json.array("graph").compactMap { $0.string("id") })
            #expect(ids == [
                "dataset:s3://lake:raw", "job:airflow://prod:extract", "dataset:s3://lake:staged",
                "job:airflow://prod:transform", "dataset:s3://lake:features", "job:airflow://prod:train",
                "dataset:s3://lake:model",
            ])
            let shallow = try await server.request(.GET, "/api/v1/lineage?nodeId=dataset:s3://lake:features&depth=1")
            #expect(shallow.json.array("graph").count == 5)
            let train = try #require(lineage.json.array("graph").first { $0.string("id") == "job:airflow://prod:train" })
            #expect(train.array("inEdges").map { $0.string("origin") } == ["dataset:s3://lake:features"])
            #expect(train["data"]?["latestRun"]?["state"] == "COMPLETED")

            let jobs = try await server.request(.GET, "/api/v1/namespaces/airflow%3A%2F%2Fprod/jobs")
            #expect(jobs.json.array("jobs").compactMap { $0.string("name") } == ["extract", "train", "transform"])
            #expect(jobs.json.int("totalCount") == 3)
            let datasets = try await server.request(.GET, "/api/v1/namespaces/s3%3A%2F%2Flake/datasets?limit=2")
            #expect(datasets.json.array("datasets").count == 2)
            #expect(datasets.json.int("totalCount") == 4)
            let runs = try await server.request(.GET, "/api/v1/namespaces/airflow%3A%2F%2Fprod/jobs/train/runs")
            #expect(runs.json.array("runs").map { $0.string("id") } == [F.runID(3)])
            let missing = try await server.request(.GET, "/api/v1/lineage?nodeId=dataset:s3://lake:nothing")
            #expect(missing.status == 404)
            let malformed = try await server.request(.GET, "/api/v1/lineage?nodeId=table:x")
            #expect(malformed.status == 400)
        }
    }

    @Test func onlyAWriterWhereTheEventsLandMayPostThemAndReadsHoldWhatTheCallerMayRead() async throws {
        try await withTestServer { server in
            let maker = TokenMaker(server: server)
            try await maker.namespace("airflow-prod")
            try await maker.namespace("other")
            let admin = try await maker.make("admin", in: ["*"])
            let writer = try await maker.make("writer", in: ["airflow-prod"], by: admin)
            let elsewhere = try await maker.make("writer", in: ["other"], by: admin)
            let reader = try await maker.make("reader", in: ["airflow-prod"], by: admin)
            let event = F.runEvent("COMPLETE", runID: F.runID(1), outputs: [F.dataset("s3://lake", "raw")])
            let anonymous = try await server.with(token: nil).request(.POST, "/api/v1/lineage", json: event)
            #expect(anonymous.status == 401)
            let readOnly = try await server.with(token: reader).request(.POST, "/api/v1/lineage", json: event)
            #expect(readOnly.status == 403)
            let wrongPlace = try await server.with(token: elsewhere).request(.POST, "/api/v1/lineage", json: .array([event]))
            #expect(wrongPlace.status == 403)
            #expect(wrongPlace.json["error"]?["details"]?["field"] == "[0].job.namespace")
            let allowed = try await server.with(token: writer).request(.POST, "/api/v1/lineage", json: event)
            #expect(allowed.status == 201)
            let seen = try await server.with(token: reader).request(.GET, "/api/v1/lineage?nodeId=dataset:s3://lake:raw")
            #expect(seen.status == 200)
            let hidden = try await server.with(token: elsewhere).request(.GET, "/api/v1/lineage?nodeId=dataset:s3://lake:raw")
            #expect(hidden.status == 404)
            let jobs = try await server.with(token: elsewhere).request(.GET, "/api/v1/namespaces/airflow%3A%2F%2Fprod/jobs")
            #expect(jobs.json.array("jobs").isEmpty)
        }
    }

    @Test func datasetAndJobEventsWriteTheDatasetAndTheJobsDeclaredEdges() async throws {
        try await withTestServer { server in
            let dataset: JSON = [
                "eventTime": "2026-12-07T01:00:00Z", "producer": "p", "schemaURL": "s",
                "dataset": F.dataset("s3://lake", "customers", fields: ["id", "segment"]),
            ]
            let job: JSON = [
                "eventTime": "2026-12-07T01:00:00Z", "producer": "p", "schemaURL": "s",
                "job": [
                    "namespace": .string(F.namespace), "name": "segment_customers",
                    "facets": [
                        "jobType": ["_producer": "p", "_schemaURL": "s", "processingType": "STREAMING", "jobType": "JOB"],
                        "documentation": ["_producer": "p", "_schemaURL": "s", "description": "Segments customers by spend"],
                    ],
                ],
                "inputs": [F.dataset("s3://lake", "customers")], "outputs": [F.dataset("s3://lake", "segments")],
            ]
            // The DatasetEvent comes after the job's: it lands where the dataset is held (airflow-prod).
            for event in [job, dataset] {
                #expect(try await server.request(.POST, "/api/v1/lineage", json: event).json.int("written") == 1)
            }
            let graph = try await server.request(.GET, "/api/v1/lineage?nodeId=job:airflow://prod:segment_customers")
            let ids = Set(graph.json.array("graph").compactMap { $0.string("id") })
            #expect(ids == ["job:airflow://prod:segment_customers", "dataset:s3://lake:customers", "dataset:s3://lake:segments"])
            let customers = try #require(graph.json.array("graph").first { $0.string("id") == "dataset:s3://lake:customers" })
            #expect(customers["data"]?["fields"]?.arrayValue?.count == 2)
            let segment = try #require(graph.json.array("graph").first { $0.string("type") == "JOB" })
            #expect(segment["data"]?["type"] == "STREAMING")
            #expect(segment["data"]?["description"] == "Segments customers by spend")
            let executions = try await server.request(.GET, "\(Self.prod)/executions")
            #expect(executions.json.array("executions").isEmpty)
        }
    }

    static func replacing(_ event: JSON, _ key: String, with value: JSON) throws -> JSON {
        guard case .object(let members) = event else { throw TestFailure("not an object") }
        return .object(members.map { $0.key == key ? (key: key, value: value) : $0 })
    }
}
