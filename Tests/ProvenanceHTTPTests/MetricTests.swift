import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Metric series over REST against a real server: batches in, the latest values, every point back in pages, and
/// downsampled reads that keep every spike.
@Suite struct MetricTests {
    /// A run of the one-step pipeline `p` (nothing executes it), and its task.
    static func run(_ server: TestServer) async throws -> (run: Int64, task: Int64) {
        let run = try await server.api(.POST, "/runs", json: ["pipeline": "p"])
        #expect(run.status == 201, "\(run.text)")
        let id = run.json.int("id")
        let task = try await server.api(.GET, "/runs/\(id)/tasks").json.array("tasks")[0].int("id")
        return (id, task)
    }

    static func points(_ name: String, _ values: [Double], from step: Int64? = nil) -> JSON {
        .object([(key: "points", value: .array(values.enumerated().map { offset, value in
            var point: [(key: String, value: JSON)] = [(key: "name", value: .string(name)), (key: "value", value: .double(value))]
            if let step { point.append((key: "step", value: .int(step + Int64(offset)))) }
            return .object(point)
        }))])
    }

    @Test func batchesGoInAndTheLatestValuesAndEveryPointComeBack() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            let (run, _) = try await Self.run(server)
            // Points without a step follow the series' last: 0, 1, 2, then 3, 4.
            let first = try await server.api(.POST, "/runs/\(run)/metrics", json: Self.points("loss", [0.9, 0.7, 0.5]))
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json.int("written") == 3)
            #expect(try await server.api(.POST, "/runs/\(run)/metrics", json: Self.points("loss", [0.4, 0.35])).status == 200)
            let listed = try await server.api(.GET, "/runs/\(run)/metrics").json.array("metrics")
            #expect(listed.count == 1)
            #expect(listed.first?.int("points") == 5)
            #expect(listed.first?.int("last_step") == 4)
            #expect(listed.first?["last_value"] == .double(0.35))
            #expect(listed.first?["max"] == .double(0.9))
            // Every point back in the order written, two a page.
            var steps: [Int64] = []
            var token: String?
            repeat {
                let query = "name=loss&page_size=2" + (token.map { "&page_token=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? "")
                let page = try await server.api(.GET, "/runs/\(run)/metrics:points?\(query)")
                #expect(page.status == 200, "\(page.text)")
                steps += page.json.array("points").map { $0.int("step") }
                token = page.json.string("next_page_token")
            } while token != nil && steps.count < 10
            #expect(steps == [0, 1, 2, 3, 4])
        }
    }

    @Test func aTasksLastValuesBecomePropertiesOfItsExecution() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            let (run, task) = try await Self.run(server)
            let lease = try #require(try await leaseOneTask(server).json.array("leases").first)
            let execution = try #require(lease["execution_id"]).intValue
            let written = try await server.api(.POST, "/tasks/\(task)/metrics", json: Self.points("auc", [0.81, 0.93], from: 10))
            #expect(written.status == 200, "\(written.text)")
            let stored = try await server.api(.GET, "/executions/\(execution)")
            #expect(stored.json["custom_properties"]?["auc"] == ["double": .double(0.93)], "\(stored.text)")
            // MLMD's filter finds the execution by it.
            let found = try await server.api(.GET, "/executions?filter=custom_properties.auc.double_value%20%3E%200.9")
            #expect(found.json.array("executions").map { $0.int("id") } == [execution], "\(found.text)")
            // The run lists the task's series with its step.
            let listed = try await server.api(.GET, "/runs/\(run)/metrics").json.array("metrics")
            #expect(listed.map { $0.string("step") } == ["m"])
            // The executor listing says the executor runs the attempt now.
            let executors = try await server.request(.GET, "/api/v1/executors").json.array("executors")
            #expect(executors.map { $0.int("running") } == [1], "\(executors)")
        }
    }

    @Test func aDownsampledReadKeepsEverySpike() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            var runs: [Int64] = []
            // Two runs of 20,000 points each: a flat line with a few one-point spikes, at steps only each run knows.
            let spikes: [[Int64]] = [[137, 9_001, 19_999], [4_242, 15_000]]
            for index in 0..<2 {
                let (run, _) = try await Self.run(server)
                runs.append(run)
                for batch in 0..<2 {
                    let values = (0..<10_000).map { offset -> Double in
                        spikes[index].contains(Int64(batch * 10_000 + offset)) ? 100 : 1
                    }
                    let reply = try await server.api(.POST, "/runs/\(run)/metrics", json: Self.points("loss", values, from: Int64(batch * 10_000)))
                    #expect(reply.status == 200, "\(reply.text)")
                }
            }
            let reply = try await server.api(.GET, "/metrics:downsample?runs=\(runs[0]),\(runs[1])&names=loss&max_points=500")
            #expect(reply.status == 200, "\(reply.text)")
            let series = reply.json.array("series")
            #expect(series.count == 2)
            for (index, entry) in series.enumerated() {
                let buckets = try #require(entry["buckets"])
                let starts = buckets.array("step").compactMap(\.intValue)
                let maxima = buckets.array("max")
                let width = entry.int("width")
                #expect(starts.count <= 500 && starts.count >= 125, "\(starts.count) buckets")
                #expect(buckets.array("count").compactMap(\.intValue).reduce(0, +) == 20_000)
                // Each spike is the maximum of the bucket that holds its step, and no other bucket has one.
                let spiked = Set(zip(starts, maxima).filter { $0.1 == .double(100) }.map(\.0))
                #expect(spiked == Set(spikes[index].map { $0 / width * width }), "run \(index)")
            }
            // A short series comes back whole (width 1).
            let (short, _) = try await Self.run(server)
            #expect(try await server.api(.POST, "/runs/\(short)/metrics", json: Self.points("auc", [0.5, 0.6, 0.7])).status == 200)
            let whole = try await server.api(.GET, "/metrics:downsample?runs=\(short)&names=auc&max_points=500").json.array("series")
            #expect(whole.first?.int("width") == 1)
            #expect(whole.first?["buckets"]?.array("last") == [.double(0.5), .double(0.6), .double(0.7)])
        }
    }

    @Test func badBatchesAreRefusedNamingWhatIsWrongAndWriteNothing() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            let (run, _) = try await Self.run(server)
            let tooMany = try await server.api(.POST, "/runs/\(run)/metrics", json: Self.points("loss", Array(repeating: 1, count: 10_001)))
            #expect(tooMany.status == 413)
            #expect(tooMany.errorMessage.contains("10000"), "\(tooMany.text)")
            let cases: [(JSON, String)] = [
                (["points": [["name": "loss", "value": "high"]]], "points[0].value"),
                (["points": [["name": "", "value": 1]]], "points[0].name"),
                (["points": [["name": "loss", "value": 1, "step": -1]]], "points[0].step"),
                (["points": [["name": "loss", "value": 1], ["name": "loss", "valu": 2]]], "points[1]"),
                (["points": []], "points"),
            ]
            for (body, field) in cases {
                let reply = try await server.api(.POST, "/runs/\(run)/metrics", json: body)
                #expect(reply.status == 400, "\(body)")
                #expect(reply.errorMessage.hasPrefix(field), "\(reply.errorMessage)")
            }
            #expect(try await server.api(.GET, "/runs/\(run)/metrics").json.array("metrics").isEmpty)
            #expect(try await server.api(.POST, "/runs/999999/metrics", json: Self.points("loss", [1])).status == 404)
            #expect(try await server.api(.GET, "/metrics:downsample?runs=x&names=loss").status == 400)
            #expect(try await server.api(.GET, "/metrics:downsample?runs=\(run)&names=loss&max_points=1").status == 400)
            #expect(try await server.api(.GET, "/runs/\(run)/metrics:points").status == 400)
            #expect(try await server.api(.GET, "/runs/\(run)/metrics:points?name=nothing").status == 404)
        }
    }
}

/// Comparison tables: many runs' parameters and final metrics in one request, filtered and sorted in the database.
@Suite struct RunComparisonTests {
    @Test func runsComeWithTheirParametersAndFinalMetricsSortedByAMetric() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            let pipeline = try await server.api(.POST, "/pipelines", json: [
                "name": "q", "parameters": ["rows": ["type": "INT", "default": 1]],
                "steps": ["m": ["component": "produce@1", "parameters": ["rows": "{{parameters.rows}}"]]],
            ])
            #expect(pipeline.status == 201, "\(pipeline.text)")
            var runs: [Int64] = []
            for (index, auc) in [0.7, 0.9, 0.8].enumerated() {
                let run = try await server.api(.POST, "/runs", json: [
                    "pipeline": "q", "parameters": ["rows": .int(Int64(index + 1))], "labels": ["customer": index == 2 ? "beta" : "acme"],
                ])
                #expect(run.status == 201, "\(run.text)")
                let id = run.json.int("id")
                runs.append(id)
                let body: JSON = ["points": [["name": "auc", "value": .double(auc - 0.1)], ["name": "auc", "value": .double(auc)], ["name": "loss", "value": .double(1 - auc)]]]
                #expect(try await server.api(.POST, "/runs/\(id)/metrics", json: body).status == 200)
            }
            let table = try await server.api(.GET, "/runs:compare?pipeline=q&sort=-metric:auc")
            #expect(table.status == 200, "\(table.text)")
            #expect(table.json.array("runs").map { $0.int("run_id") } == [runs[1], runs[2], runs[0]])
            #expect(table.json.array("runs").first?["metrics"]?["auc"] == .double(0.9))
            #expect(table.json.array("runs").first?["parameters"]?["rows"] == .int(2))
            #expect(table.json.array("metrics") == ["auc", "loss"])
            // Filtered by label and by parameter value, and by ids; a column chosen.
            let acme = try await server.api(.GET, "/runs:compare?labels=customer=acme&metrics=loss&sort=param:rows")
            #expect(acme.json.array("runs").map { $0.int("run_id") } == [runs[0], runs[1]])
            #expect(acme.json.array("metrics") == ["loss"])
            let byParameter = try await server.api(.GET, "/runs:compare?params=rows=3")
            #expect(byParameter.json.array("runs").map { $0.int("run_id") } == [runs[2]])
            let byID = try await server.api(.GET, "/runs:compare?runs=\(runs[0]),\(runs[2])")
            #expect(byID.json.array("runs").map { $0.int("run_id") } == [runs[2], runs[0]])
            for bad in ["sort=auc", "runs=one", "state=DONE", "limit=0", "labels=customer"] {
                #expect(try await server.api(.GET, "/runs:compare?\(bad)").status == 400, "\(bad)")
            }
        }
    }
}

/// Run diffs: "why is today's model worse than yesterday's" in one request.
@Suite struct RunDiffTests {
    @Test func twoRunsOfAPipelineDifferInParametersCacheHitsAndMetrics() async throws {
        try await withTestServer { server in
            try await createOneStepPipeline(server)
            #expect(try await server.api(.POST, "/pipelines", json: [
                "name": "q", "parameters": ["rows": ["type": "INT", "default": 1]],
                "steps": ["m": ["component": "produce@1", "parameters": ["rows": "{{parameters.rows}}"]]],
            ]).status == 201)
            var runs: [Int64] = []
            for (rows, auc) in [(1, 0.9), (2, 0.8)] {
                let run = try await server.api(.POST, "/runs", json: ["pipeline": "q", "parameters": ["rows": .int(Int64(rows))]])
                #expect(run.status == 201, "\(run.text)")
                runs.append(run.json.int("id"))
                let body: JSON = ["points": [["name": "auc", "value": .double(auc)]]]
                #expect(try await server.api(.POST, "/runs/\(run.json.int("id"))/metrics", json: body).status == 200)
            }
            let diff = try await server.api(.GET, "/runs/\(runs[0]):diff?with=\(runs[1])")
            #expect(diff.status == 200, "\(diff.text)")
            #expect(diff.json["parameters"]?["rows"] == ["a": 1, "b": 2, "changed": true, "from": ["a": "run", "b": "run"]])
            let step = try #require(diff.json.array("steps").first)
            #expect(step.string("step") == "m")
            #expect(step["component"]?["changed"] == .bool(false))
            #expect(step["parameters"]?["rows"]?["changed"] == .bool(true))
            let metric = try #require(diff.json.array("metrics").first)
            #expect(metric.string("name") == "auc")
            #expect(metric["a"] == .double(0.9) && metric["b"] == .double(0.8))
            #expect(abs((metric["delta"]?.numberValue ?? 0) + 0.1) < 1e-9)
            #expect(try await server.api(.GET, "/runs/\(runs[0]):diff").status == 400)
            #expect(try await server.api(.GET, "/runs/\(runs[0]):diff?with=999999").status == 404)
        }
    }
}

