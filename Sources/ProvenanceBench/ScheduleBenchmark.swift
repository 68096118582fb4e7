import Foundation
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

/// `provenance bench schedules`: many schedules due at one instant, against the same number of runs submitted over
/// `POST /runs` by concurrent clients in the same run. Each schedule fires once (at its start time; it ends a second
/// later), and each run's lag is its creation time minus its scheduled time.
public struct ScheduleBenchmark: Sendable {
    public var serverURL: String
    /// Schedules due together.
    public var schedules = 1000
    /// Clients that create the schedules and submit the baseline's runs.
    public var clients = 8

    /// The issue's target: every run made within this of the fire time.
    static let lagTarget = 5.0

    /// Creates a benchmark with default sizes.
    public init(serverURL: String) {
        self.serverURL = serverURL
    }

    /// Runs the phases and prints the report through `report`.
    public func run(report: (String) -> Void) async throws {
        try await BenchClient.with(baseURL: serverURL, connections: 2) { metrics in
            let root = ProvenanceClient(baseURL: serverURL, connections: clients + 2)
            do {
                try await run(root, metrics: metrics, report: report)
                try await root.shutdown()
            } catch {
                try? await root.shutdown()
                throw error
            }
        }
    }

    private func run(_ root: ProvenanceClient, metrics: BenchClient, report: (String) -> Void) async throws {
        let namespace = try await metrics.createNamespace("schedules", description: "provenance bench schedules")
        let client = root.inNamespace(namespace)
        _ = try await client.registerComponent(OrchestrationWorkload.source)
        _ = try await client.applyPipeline(OrchestrationWorkload.single)
        let pipeline = OrchestrationWorkload.single.name
        report("provenance bench schedules: server \(serverURL), namespace \(namespace)")
        report("\(schedules) schedules of a one-step pipeline, all due at one instant; no executor takes the runs\n")

        // 1. The baseline: the same number of runs, submitted by `clients` clients.
        let submitStart = Date()
        try await concurrently(schedules) { index in
            _ = try await client.submitRun(RunRequest(pipeline: pipeline, labels: ["baseline": "\(index)"]))
        }
        let submitted = Date().timeIntervalSince(submitStart)
        report("baseline: \(schedules) runs over POST /runs, \(clients) clients: \(String(format: "%.2f", submitted)) s "
            + "(\(Int((Double(schedules) / submitted).rounded())) runs/s)")

        // 2. The schedules: made far from due, then all moved to one instant a few seconds ahead (an edit keeps each
        // schedule's cursor, its creation, so the fire counts however long the creation took).
        @Sendable func spec(_ index: Int, at instant: Date) throws -> ScheduleSpec {
            let micros = Int64(instant.timeIntervalSince1970 * 1_000_000)
            return try ScheduleSpec(json: [
                "name": .string("bench-\(index)"), "pipeline": .string(pipeline), "interval": "1h", "max_concurrency": 1,
                "start_time": .string(RFC3339Time.text(microseconds: micros)),
                "end_time": .string(RFC3339Time.text(microseconds: micros + 1_000_000)), "labels": ["customer": .string("c\(index)")],
            ])
        }
        let far = Date().addingTimeInterval(3600)
        try await concurrently(schedules) { index in _ = try await client.applySchedule(try spec(index, at: far)) }
        let editStart = Date()
        let due = Date().addingTimeInterval(8)
        try await concurrently(schedules) { index in _ = try await client.applySchedule(try spec(index, at: due)) }
        let edited = Date().timeIntervalSince(editStart)
        report("\(schedules) schedules created, then moved to one fire time (\(String(format: "%.2f", edited)) s for the edits)")
        guard Date() < due else { throw BenchError("the edits took past the fire time; give fewer schedules") }

        // 3. Wait for every run, then read each one's lag.
        var made: [Run] = []
        let deadline = due.addingTimeInterval(120)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            made = try await scheduledRuns(client, pipeline: pipeline)
            if made.count >= schedules { break }
        }
        let lags = made.compactMap { run in run.schedule.map { Double(run.createTime - $0.scheduledTime) / 1_000_000 } }.sorted()
        guard let last = lags.last else { throw BenchError("no scheduled run was made within 2 minutes") }
        let duplicates = made.count - Set(made.compactMap { $0.schedule?.name }).count
        func at(_ q: Double) -> Double { lags[min(lags.count - 1, Int(Double(lags.count) * q))] }
        report("scheduler: \(made.count) runs made; the last \(String(format: "%.2f", last)) s after the fire time "
            + "(lag p50 \(String(format: "%.2f", at(0.5))) s, p99 \(String(format: "%.2f", at(0.99))) s): "
            + "\(Int((Double(made.count) / max(last, 1e-3)).rounded())) runs/s")

        // 4. The fleet view over the customers the schedules' runs labelled, against a page of the same runs.
        let fleetPath = client.namespaced("/fleet?pipeline=\(pipeline)")
        let listPath = client.namespaced("/runs?pipeline=\(pipeline)&page_size=100")
        var fleetTimes: [Double] = [], listTimes: [Double] = []
        var customers = 0
        for round in 0..<60 {
            var started = Date()
            let fleet = try await client.get(fleetPath)
            if round >= 10 { fleetTimes.append(Date().timeIntervalSince(started)) }
            if case .array(let entries)? = fleet["entries"] { customers = entries.count }
            started = Date()
            _ = try await client.get(listPath)
            if round >= 10 { listTimes.append(Date().timeIntervalSince(started)) }
        }
        let fleetSummary = LatencySummary(latencies: fleetTimes, elapsed: fleetTimes.reduce(0, +))
        let listSummary = LatencySummary(latencies: listTimes, elapsed: listTimes.reduce(0, +))
        report("fleet view of \(customers) customers: p50 \(milliseconds(fleetSummary.percentile(0.5))), p99 \(milliseconds(fleetSummary.percentile(0.99))); "
            + "a page of 100 of the same runs: p50 \(milliseconds(listSummary.percentile(0.5))) "
            + "(\(ratio(fleetSummary.percentile(0.5) / max(listSummary.percentile(0.5), 1e-9))) as long)")
        report("")
        report("the scheduler against POST /runs in this run: \(String(format: "%.2f", last)) s vs \(String(format: "%.2f", submitted)) s "
            + "(\(ratio(last / max(submitted, 1e-9))) as long)")
        report("")
        report("targets:")
        report(targetLine("\(schedules) schedules due in one minute make \(schedules) runs within 5 s", made.count == schedules && last <= Self.lagTarget))
        report(targetLine("one run per fire (\(duplicates) duplicates, \(schedules - made.count) missing)", duplicates == 0 && made.count == schedules))
        report(targetLine("the fleet view over \(customers) customers answers within 50 ms (p50)", fleetSummary.percentile(0.5) <= 0.050))
    }

    /// The runs schedules made, read page by page.
    private func scheduledRuns(_ client: ProvenanceClient, pipeline: String) async throws -> [Run] {
        var runs: [Run] = []
        var token: String?
        repeat {
            let page = try await client.runs(RunListQuery(pipeline: pipeline, pageSize: 1000, pageToken: token))
            runs += page.items.filter { $0.schedule != nil }
            token = page.nextPageToken
        } while token != nil
        return runs
    }

    /// Runs `body` for 0..<count, `clients` at a time.
    private func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(clients, count) {
                let index = next
                next += 1
                group.addTask { try await body(index) }
            }
            while try await group.next() != nil {
                guard next < count else { continue }
                let index = next
                next += 1
                group.addTask { try await body(index) }
            }
        }
    }
}
