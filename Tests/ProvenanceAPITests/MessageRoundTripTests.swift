import ProvenanceAPI
import ProvenanceCore
import Testing

/// Every message the routes and the client share reads back, through its JSON text, as what was written: a field
/// the writer names differently from the reader, or drops, fails here.
@Suite struct MessageRoundTripTests {
    /// `message` written as JSON text, then parsed and read again.
    static func roundTrip<M: WireMessage>(_ message: M) throws -> M {
        try M(json: try JSONParser.parse(JSONWriter.string(message.json)))
    }

    static let token = LeaseToken(taskID: TaskID(42), attempt: 3, secret: LeaseToken.newSecret())
    static let capacity = ExecutorCapacity(slots: 4, cpu: 2.5, memoryMB: 2048, gpu: 1)

    @Test func executorMessagesRoundTrip() throws {
        let registration = ExecutorRegistration(name: "gpu-box", labels: ["zone": "b", "gpu": "a100"], capacity: Self.capacity)
        #expect(try Self.roundTrip(registration) == registration)
        let registered = RegisteredExecutor(
            executor: ExecutorInfo(
                id: ExecutorID(7), name: "gpu-box", labels: ["zone": "b"], capacity: Self.capacity, registerTime: 1_700_000_000_000_000,
                lastSeen: 1_700_000_001_000_000),
            leaseDuration: .seconds(30), heartbeatInterval: .seconds(10))
        #expect(try Self.roundTrip(registered) == registered)
        let poll = LeasePoll(available: Self.capacity, maximum: 8, wait: .milliseconds(20_000))
        #expect(try Self.roundTrip(poll) == poll)
        let heartbeat = Heartbeat(tokens: [Self.token, LeaseToken(taskID: TaskID(43), attempt: 1, secret: LeaseToken.newSecret())])
        #expect(try Self.roundTrip(heartbeat) == heartbeat)
        let answer = HeartbeatAnswer(statuses: [
            LeaseStatus(token: Self.token, leaseExpires: 1_700_000_030_000_000, cancel: true),
            LeaseStatus(token: heartbeat.tokens[1], leaseExpires: nil, cancel: false),
        ])
        #expect(try Self.roundTrip(answer) == answer)
    }

    @Test func leasesRoundTripInTheirEnvelope() throws {
        let component = try ComponentSpec(json: [
            "name": "train", "version": "2", "inputs": ["data": "Dataset"], "outputs": ["model": "Model"],
            "parameters": ["rate": ["type": "double", "default": 0.1]],
            "run": ["command": ["python", "train.py", "{{inputs.data.uri}}", "{{parameters.rate}}"], "env": ["MODE": "fast"]],
        ])
        let lease = Lease(
            token: Self.token, namespace: "team-a", runID: RunID(9), step: "train", component: component.reference,
            process: component.run, timeout: .seconds(600), resources: ResourceRequest(cpu: 2, memoryMB: 1024, gpu: 1),
            inputs: [TaskArtifact(name: "data", artifactID: ArtifactID(5), type: "Dataset", uri: "/data/x")],
            outputs: [LeaseOutput(name: "model", type: "Model", path: "team-a/runs/9/train/model")],
            parameters: ["rate": .double(0.1)], executionID: ExecutionID(11), leaseExpires: 1_700_000_030_000_000)
        let grant = LeaseGrant(leases: [lease])
        #expect(try Self.roundTrip(grant) == grant)
        #expect(try Self.roundTrip(LeaseGrant(leases: [])) == LeaseGrant(leases: []))
        guard case .array(let leases)? = grant.json["leases"] else { Issue.record("no leases envelope"); return }
        #expect(leases.count == 1)
    }

    @Test func attemptReportsRoundTrip() throws {
        // Properties travel as written and are typed against the artifact's type by the server, so a reader
        // gives `.json` inputs.
        let completion = CompletionReport(token: Self.token, report: AttemptReport(outputs: [
            "model": OutputReport(
                uri: "/artifacts/model", properties: ["accuracy": .json(.double(0.93))],
                customProperties: ["note": .json(.string("a, b = c")), "tags": .json(["x", "y"])], state: ArtifactState.live.rawValue),
            "metrics": OutputReport(uri: "/artifacts/metrics"),
        ]))
        #expect(try Self.roundTrip(completion) == completion)
        let failure = FailureReport(token: Self.token, failure: AttemptFailure(error: "exit 2", exitCode: 2, logTail: "boom\n", released: true))
        #expect(try Self.roundTrip(failure) == failure)
        let logs = LogBatch(token: Self.token, lines: [LogLine(stream: .stdout, text: "epoch 1"), LogLine(stream: .stderr, text: "warn ✓")])
        #expect(try Self.roundTrip(logs) == logs)
    }

    @Test func aRunPageRoundTripsWithItsToken() throws {
        let run = Run(
            id: RunID(3), pipeline: "nightly", version: String(repeating: "a", count: 64), state: .running,
            history: [StateChange(state: .pending, time: 1_700_000_000_000_000, event: .submit)], parameters: ["day": .string("2026-12-07")],
            labels: ["customer": "acme"], cache: true, pipelineContextID: ContextID(1), runContextID: ContextID(2),
            createTime: 1_700_000_000_000_000, startTime: 1_700_000_001_000_000, taskCounts: [.queued: 3, .succeeded: 1])
        let page = RunPage(runs: [run], nextPageToken: "opaque-token")
        #expect(try Self.roundTrip(page) == page)
        #expect(try Self.roundTrip(RunPage(runs: [], nextPageToken: nil)).nextPageToken == nil)
    }

    @Test func aRunListingsQueryRoundTripsThroughItsURLForm() throws {
        let query = RunListQuery(
            pipeline: "nightly train", state: .failed, labels: ["customer": "acme & co", "tier": "gold"], pageSize: 50,
            pageToken: "abc+/=")
        let read = try RunListQuery(query: QueryString(parsing: query.query.encoded))
        #expect(read == query)
        #expect(try RunListQuery(query: QueryString(parsing: nil)) == RunListQuery())
    }

    @Test func aListingsQueryNamesWhatIsWrong() {
        #expect(throws: ProvenanceError.self) { try RunListQuery(query: QueryString(parsing: "state=SLEEPING")) }
        do {
            _ = try RunListQuery(query: QueryString(parsing: "labels=customer"))
            Issue.record("a label without a value was taken")
        } catch {
            #expect(error.details?["field"] == .string("labels"))
        }
        do {
            _ = try RunListQuery(query: QueryString(parsing: "page_size=100000"))
            Issue.record("a page size over the limit was taken")
        } catch {
            #expect(error.details?["field"] == .string("page_size"))
        }
    }

    @Test func aNodeListingsQueryRoundTrips() throws {
        let query = NodeListQuery(
            type: "Model", typeVersion: "v2", typeID: TypeID(7), name: "run 1", externalID: "ext&1", uri: "s3://b/m?x=1",
            filter: "custom_properties.auc.double_value > 0.9 AND uri LIKE '%acme%'",
            order: ListOrder(field: .createTime, descending: true), pageSize: 100, pageToken: "t0k+n=")
        #expect(try NodeListQuery(query: QueryString(parsing: query.query.encoded)) == query)
        #expect(try NodeListQuery(query: QueryString(parsing: nil)) == NodeListQuery())
        // MLMD's spellings of the order are read as the same order.
        #expect(try NodeListQuery(query: QueryString(parsing: "order_by=-last_update_time_since_epoch")).order
            == ListOrder(field: .updateTime, descending: true))
    }

    @Test func aNodeListingsQueryNamesWhatIsWrong() {
        for (raw, field) in [("order_by=size", "order_by"), ("type_id=seven", "type_id"), ("page_size=0", "page_size")] {
            do {
                _ = try NodeListQuery(query: QueryString(parsing: raw))
                Issue.record("\(raw) was taken")
            } catch {
                #expect(error.details?["field"] == .string(field))
            }
        }
    }

    @Test func metricMessagesRoundTrip() throws {
        let batch = MetricBatch(points: [
            MetricPoint(name: "loss", step: 3, value: 0.25, time: 1_700_000_000_000), MetricPoint(name: "val/auc", value: 0.9),
        ])
        #expect(try MetricBatch(json: try JSONParser.parse(JSONWriter.string(batch.json))) == batch)
        let series = MetricSeries(
            runID: RunID(4), taskID: TaskID(9), step: "train", name: "loss", points: 3, firstStep: 0, lastStep: 2,
            lastValue: 0.5, lastTime: 17, minimum: 0.5, maximum: 0.9)
        #expect(try MetricSeriesList(json: MetricSeriesList(metrics: [series]).json) == MetricSeriesList(metrics: [series]))
        let downsampled = DownsampledMetrics(series: [DownsampledSeries(series: series, width: 16, buckets: [
            MetricBucket(index: 2, count: 16, minimum: 0.1, maximum: 7, lastStep: 47, lastValue: 0.2, lastTime: 99),
        ])])
        #expect(try DownsampledMetrics(json: downsampled.json) == downsampled)
        let page = MetricPointsPage(points: [StoredMetricPoint(step: 1, value: 2, time: 3)], nextPageToken: "abc")
        #expect(try MetricPointsPage(json: page.json) == page)
        let query = DownsampleQuery(MetricSelection(runs: [RunID(1), RunID(22)], names: ["loss", "auc"], step: "train", maximumPoints: 500, steps: 10...900))
        #expect(try DownsampleQuery(query: QueryString(parsing: query.query.encoded)) == query)
    }

    @Test func aComparisonsQueryRoundTrips() throws {
        let request = RunComparisonRequest(RunComparisonQuery(
            runs: [RunID(3), RunID(5)], pipeline: "train", state: .succeeded, labels: ["customer": "acme"],
            parameters: ["lr": .double(0.01), "optimizer": "adam", "early": .bool(true)], metrics: ["auc"], step: "eval",
            sort: .metric("auc", descending: true), limit: 200))
        #expect(try RunComparisonRequest(query: QueryString(parsing: request.queryString.encoded)) == request)
        #expect(try RunComparisonSort.parse("param:lr") == .parameter("lr", descending: false))
        #expect(throws: ProvenanceError.self) { try RunComparisonSort.parse("metric:") }
    }

    @Test func queryStringsDecodeAsFormsDo() throws {
        let query = QueryString(parsing: "filter=name+%3D+'x'&a=1&a=2&empty")
        #expect(try query.value("filter") == "name = 'x'")
        #expect(try query.value("a") == "1")
        #expect(try query.value("empty") == "")
        #expect(throws: ProvenanceError.self) { try QueryString(parsing: "name=%00").value("name") }
    }
}
