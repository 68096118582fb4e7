import AsyncHTTPClient
import Foundation
import NIOCore
import ProvenanceCore

/// `provenance bench metrics`: metric points written in batches by concurrent clients (each to runs of its own,
/// in step order, as training loops write them), then downsampled reads of every run's series at once.
///
/// The targets: at least 500,000 points/s from 8 clients; 50 runs of 1,000,000 points each read to 1,000
/// buckets with p95 under 150 ms; a comparison table of 1,000 runs' final metrics in 50 ms or less. The default sizes are those; smaller ones (`--points-per-run`) make a quick run.
public struct MetricsBenchmark: Sendable {
    public var serverURL: String
    public var runs = 50
    public var pointsPerRun = 1_000_000
    public var batchSize = 10_000
    public var clients = 8
    public var reads = 40
    public var buckets = 1_000
    /// Runs of the comparison table (each with three final metrics).
    public var compareRuns = 1_000
    /// The cluster's data directory, when the server runs the embedded one: its CPU is measured too.
    public var clusterDataDirectory: String?

    static let ingestTarget = 500_000.0
    static let readTarget = 0.150
    static let compareTarget = 0.050
    static let streamTarget = 0.050
    /// Timed SSE deliveries.
    public var streamEvents = 100

    public init(serverURL: String) { self.serverURL = serverURL }

    public func run(report: (String) -> Void) async throws {
        try await BenchClient.with(baseURL: serverURL, connections: clients) { client in
            let namespace = try await client.createNamespace("bench-metrics", description: "provenance bench metrics")
            let base = "/api/v1/namespaces/\(namespace)"
            _ = try await client.send(.POST, base + "/components", json: [
                "name": "train", "version": "1", "run": ["command": ["true"]],
            ])
            _ = try await client.send(.POST, base + "/pipelines", json: ["name": "train", "steps": ["train": ["component": "train@1"]]])
            var runIDs: [Int64] = []
            for _ in 0..<runs {
                let run = try await client.send(.POST, base + "/runs", json: ["pipeline": "train", "cache": false])
                guard case .int(let id)? = run["id"] else { throw BenchError("no run id in \(run)") }
                runIDs.append(id)
            }
            report("provenance bench metrics: server \(serverURL), namespace \(namespace)")
            report("\(runs) runs x \(pointsPerRun) points of one metric, \(batchSize) points a request, \(clients) clients\n")

            // Each client writes whole runs, batch after batch in step order; a spike every 100,003 steps.
            let batchesPerRun = (pointsPerRun + batchSize - 1) / batchSize
            let work = runIDs.flatMap { run in (0..<batchesPerRun).map { (run: run, batch: $0) } }
            let cluster = ClusterCPU(dataDirectory: clusterDataDirectory)
            var latencies: [Double] = []
            let (elapsed, cpu) = try await client.measureWithCPU(cluster: cluster) {
                try await withThrowingTaskGroup(of: [Double].self) { group in
                    for lane in 0..<clients {
                        group.addTask {
                            var mine: [Double] = []
                            for index in stride(from: lane, to: work.count, by: clients) {
                                let (run, batch) = work[index]
                                let body = Self.batch(from: batch * batchSize, count: min(batchSize, pointsPerRun - batch * batchSize))
                                mine.append(try await measure { try await client.post(base + "/runs/\(run)/metrics", body: body) })
                            }
                            return mine
                        }
                    }
                    for try await lane in group { latencies += lane }
                }
            }
            var ingest = LatencySummary(latencies: latencies, elapsed: elapsed, recordsPerOperation: batchSize)
            ingest.cpu = cpu
            ingest.unit = "point"
            report(ingest.line("metric points, \(batchSize) a request, \(clients) clients"))

            let path = base + "/metrics:downsample?runs=\(runIDs.map(String.init).joined(separator: ","))&names=loss&max_points=\(buckets)"
            // Timed to the answer's last byte; it is parsed (to check it) once, outside the timing.
            let answer = try await client.send(.GET, path)
            var reads: [Double] = []
            let (readElapsed, readCPU) = try await client.measureWithCPU(cluster: cluster) {
                for _ in 0..<self.reads {
                    reads.append(try await measure { _ = try await client.successful((.GET, path, nil)) })
                }
            }
            var downsampled = LatencySummary(latencies: reads, elapsed: readElapsed)
            downsampled.cpu = readCPU
            downsampled.unit = "read"
            let series = answer["series"]?.arrayValue ?? []
            let returned = series.first?["buckets"]?["step"]?.arrayValue?.count ?? 0
            let spikes = series.allSatisfy { entry in
                (entry["buckets"]?["max"]?.arrayValue ?? []).contains { $0 == .double(100) }
            }
            report(downsampled.line("\(series.count) runs downsampled to <= \(buckets) buckets"))
            report("    \(returned) buckets a series; every series kept its spikes: \(spikes)")

            // A comparison table of `compareRuns` runs: each with a parameter and three final metrics.
            for index in 0..<compareRuns {
                let run = try await client.send(.POST, base + "/runs", json: ["pipeline": "train", "cache": false])
                guard case .int(let id)? = run["id"] else { throw BenchError("no run id in \(run)") }
                let values = [("auc", 0.5 + Double(index % 97) / 200), ("loss", 1 / Double(index + 1)), ("f1", 0.7)]
                let body: JSON = ["points": .array(values.map { ["name": .string($0.0), "value": .double($0.1)] })]
                _ = try await client.send(.POST, base + "/runs/\(id)/metrics", json: body)
            }
            let comparePath = base + "/runs:compare?pipeline=train&metrics=auc,loss,f1&sort=-metric:auc&limit=\(compareRuns)"
            let table = try await client.send(.GET, comparePath)
            var compares: [Double] = []
            for _ in 0..<self.reads {
                compares.append(try await measure { _ = try await client.successful((.GET, comparePath, nil)) })
            }
            var comparison = LatencySummary(latencies: compares, elapsed: compares.reduce(0, +))
            comparison.unit = "table"
            let rows = table["runs"]?.arrayValue?.count ?? 0
            report(comparison.line("comparison of \(rows) runs' final metrics, by auc"))
            let delivery = try await streamLatency(client, base: base, run: runIDs[0])
            report(delivery.line("SSE metric event after its write (write to event)"))
            report("")
            report("targets:")
            report(targetLine("ingest >= 500,000 points/s from \(clients) clients", ingest.recordsPerSecond >= Self.ingestTarget))
            report(targetLine(
                "\(runs) runs x \(pointsPerRun) points to \(buckets) buckets p95 <= 150 ms (\(milliseconds(downsampled.percentile(0.95))))",
                downsampled.percentile(0.95) <= Self.readTarget))
            report(targetLine(
                "an SSE event within 50 ms of its write (p95 \(milliseconds(delivery.percentile(0.95))))",
                delivery.percentile(0.95) <= Self.streamTarget))
            report(targetLine(
                "comparing \(compareRuns) runs' final metrics <= 50 ms (p50 \(milliseconds(comparison.percentile(0.5))))",
                comparison.percentile(0.5) <= Self.compareTarget))
        }
    }

    /// How long after a metric write starts its event reaches a subscriber of the run's stream: one point written
    /// at a time, each timed from before the request to the event's arrival.
    private func streamLatency(_ client: BenchClient, base: String, run: Int64) async throws -> LatencySummary {
        var request = HTTPClientRequest(url: client.baseURL + base + "/events:stream?run=\(run)&kind=metric")
        if let token = client.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await client.http.execute(request, timeout: .seconds(120))
        guard response.status.code == 200 else { throw BenchError("events:stream answered \(response.status.code)") }
        let (arrivals, arrived) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        return try await withThrowingTaskGroup(of: LatencySummary?.self) { group in
            group.addTask {
                var pending = ""
                for try await buffer in response.body {
                    pending += String(buffer: buffer)
                    while let end = pending.range(of: "\n\n") {
                        if pending[..<end.lowerBound].contains("event: metric") { arrived.yield(.now) }
                        pending = String(pending[end.upperBound...])
                    }
                }
                arrived.finish()
                return nil
            }
            group.addTask {
                var latencies: [Double] = []
                var iterator = arrivals.makeAsyncIterator()
                let started = ContinuousClock.now
                for index in 0..<streamEvents {
                    let sent = ContinuousClock.now
                    let body: JSON = ["points": [["name": "stream", "value": .double(Double(index))]]]
                    _ = try await client.send(.POST, base + "/runs/\(run)/metrics", json: body)
                    guard let arrival = await iterator.next() else { throw BenchError("the stream ended") }
                    latencies.append(Double((arrival - sent).components.attoseconds) / 1e18 + Double((arrival - sent).components.seconds))
                }
                let elapsed = started.duration(to: .now)
                var summary = LatencySummary(
                    latencies: latencies, elapsed: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                summary.unit = "event"
                return summary
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let summary = result { return summary }
            }
            throw BenchError("the stream ended before every event arrived")
        }
    }

    /// A request of `count` points of `loss` from step `first` on: a decaying curve, 100 at every step divisible
    /// by 100,003.
    static func batch(from first: Int, count: Int) -> [UInt8] {
        var text = "{\"points\":["
        text.reserveCapacity(count * 44)
        for step in first..<(first + count) {
            if step > first { text += "," }
            let value = step % 100_003 == 0 ? 100 : 1.0 / Double(step + 1).squareRoot()
            text += "{\"name\":\"loss\",\"step\":\(step),\"value\":\(value)}"
        }
        text += "]}"
        return Array(text.utf8)
    }
}
