import Foundation
import Logging
import ProvenanceClient
import ProvenanceCore
import ProvenanceStore
import Synchronization

/// `provenance bench orchestrate`: the run engine against a running server. The steps are no-ops run by executors
/// inside the benchmark that speak the executor protocol over HTTP through `ProvenanceClient` (register, long-poll
/// leases, complete with one output each), so the figures are the server's and PostgreSQL's work per task, not
/// process start-up; one phase runs real `provenance executor` processes spawning `true`, for the latency a user
/// sees. The baseline in the same run is a River-style job queue in plain SQL through the same driver
/// (`QueueBaseline`). Every phase checks that no task was lost or completed twice.
public struct OrchestrationBenchmark: Sendable {
    /// The server's base URL.
    public var serverURL: String
    /// The server's database, for the SQL baseline.
    public var database: DatabaseEndpoint
    /// The embedded cluster's data directory when the server runs on one here, to report the database's CPU time.
    public var clusterDataDirectory: String?
    /// The command that starts a `provenance executor` (for the real-process phase; nil skips it).
    public var executorCommand: [String]?
    /// One-step runs timed one after another.
    public var latencyRuns = 200
    /// One-step runs timed with a real executor process.
    public var processRuns = 50
    /// Tasks of the throughput run (a source and its workers).
    public var wideTasks = 5000
    /// Tasks of the fan-out/fan-in run.
    public var fanTasks = 10_000
    /// Executors of the throughput phases, and slots of each.
    public var executors = 4
    public var slotsPerExecutor = 8
    /// Steps of the chain run once, then again from the cache.
    public var chainSteps = 1_000
    /// Jobs the SQL baseline runs.
    public var baselineJobs = 10_000
    /// Executors long-polling an idle server, and for how long their CPU cost is measured.
    public var idleExecutors = 50
    public var idleDuration: Duration = .seconds(10)

    /// The targets of issue #15, printed next to the figures.
    static let latencyTarget = 0.020
    static let throughputTarget = 1000.0
    static let acceptTarget = 1.0
    static let finishTarget = 15.0

    /// Creates a benchmark with default sizes.
    public init(serverURL: String, database: DatabaseEndpoint) {
        self.serverURL = serverURL
        self.database = database
    }

    /// Runs every phase and prints the report through `report`.
    public func run(report: (String) -> Void) async throws {
        let slots = executors * slotsPerExecutor
        try await BenchClient.with(baseURL: serverURL, connections: 4) { metrics in
            let root = ProvenanceClient(baseURL: serverURL, connections: slots + executors + 8)
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
        let namespace = try await metrics.createNamespace("orchestrate", description: "provenance bench orchestrate")
        let client = root.inNamespace(namespace)
        for component in [OrchestrationWorkload.source, OrchestrationWorkload.worker, OrchestrationWorkload.process] {
            _ = try await client.registerComponent(component)
        }
        let wide = OrchestrationWorkload.fan(width: wideTasks - 1, fanIn: false)
        let fan = OrchestrationWorkload.fan(width: fanTasks - 2, fanIn: true)
        let chain = OrchestrationWorkload.chain(length: chainSteps)
        for pipeline in [OrchestrationWorkload.single, OrchestrationWorkload.processSingle, wide, fan, chain] {
            _ = try await client.applyPipeline(pipeline)
        }
        let slots = executors * slotsPerExecutor
        report("provenance bench orchestrate: server \(serverURL), namespace \(namespace), database \(database)")
        report("steps are no-ops completed by executors in this benchmark over HTTP (the executor protocol through")
        report("ProvenanceClient); each completion writes the attempt's execution, one Dataset, its events and links\n")
        var problems: [String] = []

        // 0. An idle server with executors long-polling it.
        let cluster = ClusterCPU(dataDirectory: clusterDataDirectory)
        let idle = try await idleCPU(namespace: namespace, metrics: metrics, cluster: cluster)
        report("idle, \(idleExecutors) executors long-polling (\(Self.idlePollWait) polls) for \(idleDuration): "
            + idle.percentLine(of: idleDuration.seconds))

        // 1. One-step runs, one after another, one idle executor with one slot.
        let latency = try await withExecutors(client, executors: 1, slots: 1) { bench in
            for _ in 0..<20 { _ = try await oneStepRun(client, bench) }
            var latencies: [Double] = []
            for _ in 0..<latencyRuns { latencies.append(try await oneStepRun(client, bench)) }
            problems += self.problems(in: bench, expected: latencyRuns + 20, phase: "one-step runs")
            return LatencySummary(latencies: latencies, elapsed: latencies.reduce(0, +))
        }
        var latencyLine = latency
        latencyLine.unit = "run"
        report(latencyLine.line("one-step run, submit to SUCCEEDED (\(latencyRuns) runs)"))

        // 2. Throughput: one run of a source and its workers, `slots` slots.
        let wideRun = try await timedRun(
            client, pipeline: wide.name, tasks: wideTasks, phase: "the \(wideTasks)-task run", metrics: metrics, cluster: cluster)
        problems += wideRun.problems
        let wideRate = Double(wideTasks) / wideRun.elapsed
        report("\(wideTasks)-task fan-out run, \(slots) slots: submitted in \(milliseconds(wideRun.accepted)), all done in "
            + "\(String(format: "%.2f", wideRun.elapsed)) s: \(Int(wideRate.rounded())) tasks/s")
        report("    " + wideRun.cpu.line(per: Double(wideTasks), unit: "task"))

        // 3. Fan-out/fan-in: accepted, then finished.
        let fanRun = try await timedRun(
            client, pipeline: fan.name, tasks: fanTasks, phase: "the fan-out/fan-in run", metrics: metrics, cluster: cluster)
        problems += fanRun.problems
        let (fanAccepted, fanFinished) = (fanRun.accepted, fanRun.elapsed)
        report("\(fanTasks)-task fan-out/fan-in run, \(slots) slots: accepted in \(milliseconds(fanAccepted)), SUCCEEDED in "
            + "\(String(format: "%.2f", fanFinished)) s (\(Int((Double(fanTasks) / fanFinished).rounded())) tasks/s)")
        report("    " + fanRun.cpu.line(per: Double(fanTasks), unit: "task"))

        // 4. A real executor process running `true`.
        var process: LatencySummary?
        if let executorCommand {
            process = try await processLatency(client, command: executorCommand)
            var line = process!
            line.unit = "run"
            report(line.line("one-step run, real `provenance executor` spawning `true` (\(processRuns))"))
        }

        // 5. A chain run once, then again served from the cache.
        let chainRun = try await timedRun(
            client, pipeline: chain.name, tasks: chainSteps, phase: "the chain run", metrics: metrics, cluster: cluster)
        problems += chainRun.problems
        let cached = try await cachedRun(client, pipeline: chain.name, tasks: chainSteps)
        problems += cached.problems
        report("\(chainSteps)-step chain: ran in \(String(format: "%.2f", chainRun.elapsed)) s; again from the cache: accepted in "
            + "\(milliseconds(cached.accepted)), SUCCEEDED in \(String(format: "%.2f", cached.elapsed)) s "
            + "(\(Int((Double(chainSteps) / cached.elapsed).rounded())) steps/s)")

        // 6. The River-style SQL queue through the same driver.
        let queue = try await QueueBaseline.connect(database, connections: slots, logger: Logger(label: "bench"))
        let (queueLatency, queueThroughput): (LatencySummary, LatencySummary)
        do {
            queueLatency = try await queueSerial(queue, jobs: latencyRuns)
            report(queueLatency.line("plain SQL queue: enqueue, claim, complete (\(latencyRuns) jobs, 1 connection)"))
            queueThroughput = try await queueLanes(queue, jobs: baselineJobs, lanes: slots, cluster: cluster)
            report(queueThroughput.line("plain SQL queue: claim, complete + enqueue next, \(slots) connections"))
            let (completed, repeated) = try await queue.completedJobs()
            if repeated > 0 { problems.append("the SQL queue ran \(repeated) jobs twice") }
            if completed < baselineJobs + latencyRuns { problems.append("the SQL queue completed \(completed) jobs") }
            await queue.close()
        } catch {
            await queue.close()
            throw error
        }

        report("")
        report("the server against the plain SQL queue in this run:")
        report("  one-step run p50 \(milliseconds(latency.percentile(0.5))) vs one job \(milliseconds(queueLatency.percentile(0.5)))"
            + " (\(ratio(latency.percentile(0.5) / max(queueLatency.percentile(0.5), 1e-9))) as long)")
        report("  \(Int(wideRate.rounded())) tasks/s vs \(Int(queueThroughput.recordsPerSecond.rounded())) jobs/s: "
            + "\(Int((wideRate / max(queueThroughput.recordsPerSecond, 1) * 100).rounded()))% (the server also records lineage)")
        report("")
        report("checks: \(problems.isEmpty ? "no task lost, none completed twice" : problems.joined(separator: "; "))")
        report("")
        report("targets:")
        report(targetLine("one-step run p50 <= 20 ms", latency.percentile(0.5) <= Self.latencyTarget))
        if let process { report(targetLine("  (real executor process) one-step run p50 <= 20 ms", process.percentile(0.5) <= Self.latencyTarget)) }
        report(targetLine(">= 1,000 tasks/s with \(slots) slots", wideRate >= Self.throughputTarget))
        report(targetLine("\(fanTasks)-task fan-out/fan-in accepted <= 1 s", fanAccepted <= Self.acceptTarget))
        report(targetLine("\(fanTasks)-task fan-out/fan-in finished <= 15 s", fanFinished <= Self.finishTarget))
        report(targetLine("0 tasks lost or completed twice", problems.isEmpty))
        if !problems.isEmpty { throw BenchError("lost or duplicated work: \(problems.joined(separator: "; "))") }
    }

    /// Runs `body` with in-benchmark executors attached, stopping them afterwards.
    private func withExecutors<Result: Sendable>(
        _ client: ProvenanceClient, executors: Int, slots: Int, _ body: (BenchExecutors) async throws -> Result
    ) async throws -> Result {
        let bench = BenchExecutors(client: client, executors: executors, slots: slots)
        let loops = Task { try await bench.run() }
        do {
            let result = try await body(bench)
            bench.stop()
            try await loops.value
            return result
        } catch {
            bench.stop()
            _ = try? await loops.value
            throw error
        }
    }

    /// One run of `pipeline` (`tasks` tasks) through the throughput phases' executors: how long its submission
    /// took, how long until every task was completed and the CPU that cost, and what went wrong (tasks completed
    /// other than once, or a run that did not end SUCCEEDED with each task done at its first attempt).
    private func timedRun(
        _ client: ProvenanceClient, pipeline: String, tasks: Int, phase: String, metrics: BenchClient, cluster: ClusterCPU?
    ) async throws -> (accepted: Double, elapsed: Double, cpu: PhaseCPU, problems: [String]) {
        var accepted = 0.0
        var runID: RunID?
        let (elapsed, cpu, tally) = try await withExecutors(client, executors: executors, slots: slotsPerExecutor) { bench in
            let (elapsed, cpu) = try await metrics.measureWithCPU(cluster: cluster) {
                let start = ContinuousClock.now
                let run = try await client.submitRun(RunRequest(pipeline: pipeline, cache: false))
                accepted = (ContinuousClock.now - start).seconds
                runID = run.id
                try await bench.waitForCompletions(of: run.id, count: tasks)
            }
            return (elapsed, cpu, self.problems(in: bench, expected: tasks, phase: phase))
        }
        var problems = tally
        if let runID {
            let finished = try await client.run(runID)
            if finished.state != .succeeded || finished.tasks.contains(where: { $0.state != .succeeded || $0.attempts.count != 1 }) {
                problems.append("\(phase) ended \(finished.state.name) with tasks not succeeded once")
            }
        }
        return (accepted, elapsed, cpu, problems)
    }

    /// Submits `pipeline` with caching, every task of which an earlier run did, and reads it every 10 ms until it has
    /// ended: how long the submission took, how long until the run ended, and what went wrong (a task not cached).
    private func cachedRun(_ client: ProvenanceClient, pipeline: String, tasks: Int) async throws
        -> (accepted: Double, elapsed: Double, problems: [String])
    {
        let start = ContinuousClock.now
        let run = try await client.submitRun(RunRequest(pipeline: pipeline, cache: true))
        let accepted = (ContinuousClock.now - start).seconds
        let deadline = ContinuousClock.now + .seconds(600)
        var ended = try await client.run(run.id)
        while !ended.state.isFinal {
            guard ContinuousClock.now < deadline else { throw BenchError("run \(run.id.rawValue) did not end within 600 s") }
            try await Task.sleep(for: .milliseconds(10))
            ended = try await client.run(run.id)
        }
        let elapsed = (ContinuousClock.now - start).seconds
        let cached = ended.tasks.filter { $0.state == .cached }.count
        let problems = ended.state == .succeeded && cached == tasks ? [] : ["the cached chain ended \(ended.state.name) with \(cached) of \(tasks) tasks cached"]
        return (accepted, elapsed, problems)
    }

    /// How long each lease request of the idle phase waits (the real executor's default).
    static let idlePollWait: Duration = .seconds(20)

    /// The CPU time the server and the database spend while `idleExecutors` executors long-poll for
    /// `idleDuration` with nothing to run (a one-second settling time first, for their registrations).
    private func idleCPU(namespace: String, metrics: BenchClient, cluster: ClusterCPU?) async throws -> PhaseCPU {
        let root = ProvenanceClient(baseURL: serverURL, connections: idleExecutors + 4)
        let bench = BenchExecutors(
            client: root.inNamespace(namespace), executors: idleExecutors, slots: 1, pollWait: Self.idlePollWait)
        let loops = Task { try await bench.run(labels: ["bench": "idle"]) }
        do {
            try await Task.sleep(for: .seconds(1))
            let (_, cpu) = try await metrics.measureWithCPU(cluster: cluster) { try await Task.sleep(for: idleDuration) }
            bench.stop()
            loops.cancel()
            _ = try? await loops.value
            try await root.shutdown()
            return cpu
        } catch {
            loops.cancel()
            _ = try? await loops.value
            try? await root.shutdown()
            throw error
        }
    }

    /// Submits a one-step run and returns how long until its task was completed.
    private func oneStepRun(_ client: ProvenanceClient, _ bench: BenchExecutors) async throws -> Double {
        try await measure {
            let run = try await client.submitRun(RunRequest(pipeline: OrchestrationWorkload.single.name, cache: false))
            try await bench.waitForCompletions(of: run.id, count: 1)
        }
    }

    /// What went wrong in a phase: tasks completed other than once, or reports refused.
    private func problems(in bench: BenchExecutors, expected: Int, phase: String) -> [String] {
        let tally = bench.tally
        var problems: [String] = []
        if tally.tasks != expected { problems.append("\(phase): \(tally.tasks) of \(expected) tasks completed") }
        if tally.twice > 0 { problems.append("\(phase): \(tally.twice) tasks completed twice") }
        if tally.repeated > 0 || tally.refused > 0 {
            problems.append("\(phase): \(tally.repeated) repeated and \(tally.refused) refused completions")
        }
        return problems
    }

    /// One-step runs through a real executor process (one slot, labelled so only it takes them): submit, then read
    /// the run every millisecond until it has succeeded (the reads add a little to what they measure).
    private func processLatency(_ client: ProvenanceClient, command: [String]) async throws -> LatencySummary {
        let directory = NSTemporaryDirectory() + "provenance-bench-executor-\(UUID().uuidString)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + [
            "--server", serverURL, "--labels", "bench=process", "--slots", "1", "--work-dir", directory + "/work",
            "--artifact-root", directory + "/artifacts", "--name", "bench-process",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
        func oneRun() async throws -> Double {
            try await measure {
                let run = try await client.submitRun(RunRequest(pipeline: OrchestrationWorkload.processSingle.name, cache: false))
                let deadline = ContinuousClock.now + .seconds(30)
                while try await client.run(run.id).state != .succeeded {
                    guard ContinuousClock.now < deadline else { throw BenchError("run \(run.id.rawValue) did not succeed within 30 s") }
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
        }
        for _ in 0..<5 { _ = try await oneRun() }
        var latencies: [Double] = []
        for _ in 0..<processRuns { latencies.append(try await oneRun()) }
        return LatencySummary(latencies: latencies, elapsed: latencies.reduce(0, +))
    }

    /// Jobs one after another through one connection: enqueue, claim, complete.
    private func queueSerial(_ queue: QueueBaseline, jobs: Int) async throws -> LatencySummary {
        var latencies: [Double] = []
        for _ in 0..<jobs {
            latencies.append(try await measure {
                try await queue.enqueue(1)
                guard let id = try await queue.claim(lane: 0) else { throw BenchError("the SQL queue lost a job") }
                try await queue.complete(id, lane: 0, enqueueNext: false)
            })
        }
        var summary = LatencySummary(latencies: latencies, elapsed: latencies.reduce(0, +))
        summary.unit = "job"
        return summary
    }

    /// `jobs` jobs through `lanes` connections: `lanes` jobs enqueued, and each completion enqueues the next until
    /// `jobs` have been enqueued; the lanes work until every one has completed.
    private func queueLanes(_ queue: QueueBaseline, jobs: Int, lanes: Int, cluster: ClusterCPU?) async throws -> LatencySummary {
        try await queue.enqueue(lanes)
        let counts = JobCounts(toEnqueue: jobs - lanes)
        var latencies: [Double] = []
        let (elapsed, cpu) = try await PhaseCPU.measure(cluster: cluster, serverSeconds: { nil }) {
            try await withThrowingTaskGroup(of: [Double].self) { group in
                for lane in 0..<lanes {
                    group.addTask {
                        var mine: [Double] = []
                        while counts.state.withLock({ $0.completed }) < jobs {
                            let start = ContinuousClock.now
                            guard let id = try await queue.claim(lane: lane) else {
                                // Every available job is claimed; the next ones come with their completions.
                                await Task.yield()
                                continue
                            }
                            let next = counts.state.withLock { counts in
                                guard counts.toEnqueue > 0 else { return false }
                                counts.toEnqueue -= 1
                                return true
                            }
                            try await queue.complete(id, lane: lane, enqueueNext: next)
                            counts.state.withLock { $0.completed += 1 }
                            mine.append((ContinuousClock.now - start).seconds)
                        }
                        return mine
                    }
                }
                for try await lane in group { latencies += lane }
            }
        }
        var summary = LatencySummary(latencies: latencies, elapsed: elapsed)
        summary.cpu = cpu
        summary.unit = "job"
        return summary
    }

    /// The SQL queue phase's jobs still to enqueue and completed so far, shared by its lanes.
    private final class JobCounts: Sendable {
        let state: Mutex<(toEnqueue: Int, completed: Int)>

        init(toEnqueue: Int) {
            state = Mutex((toEnqueue, 0))
        }
    }
}
