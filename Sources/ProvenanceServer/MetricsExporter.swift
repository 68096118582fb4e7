import Metrics
import Prometheus
import ProvenanceOrchestrator
import ProvenanceStore
import Synchronization

/// `/metrics` in Prometheus' format (swift-prometheus): what the modules record through swift-metrics where the
/// work happens (requests, RPCs, leases, writes), and this server's state read at each scrape (the process, the
/// database and its pool, the queue and runs by state, executors).
///
/// swift-metrics has one factory per process, so what is recorded goes to one registry per process (tests run
/// several servers in one), made and bootstrapped once. The state is this server's own: it goes to a registry of
/// its own, so servers in one process never report each other's.
final class MetricsExporter: Sendable {
    let store: PostgresStore
    let engine: Engine
    /// This server's state, set at each scrape.
    private let state = PrometheusCollectorRegistry()
    /// The task and run series set at the last scrape, to drop those that have emptied since.
    private let series = Mutex<Set<Series>>([])

    private struct Series: Hashable {
        let name: String
        let labels: [String]
    }

    init(store: PostgresStore, engine: Engine) {
        self.store = store
        self.engine = engine
        // Bootstraps swift-metrics before anything is recorded (what is recorded before goes nowhere).
        _ = Self.recorded
    }

    /// The process's registry of recorded metrics (its first use bootstraps swift-metrics with it).
    static let recorded: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // From half a millisecond (a cached read) to a minute (a long poll).
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Prometheus' text exposition of everything recorded, with this server's state read now.
    func exposition() async -> String {
        let cpu = state.makeCounter(name: MetricName.processCPU)
        cpu.reset()
        cpu.increment(by: ProcessMetrics.cpuSeconds())
        if let memory = ProcessMetrics.memory() {
            state.makeGauge(name: MetricName.residentMemory).set(Int64(memory.resident))
            state.makeGauge(name: MetricName.virtualMemory).set(Int64(memory.virtual))
        }
        state.makeGauge(name: MetricName.databaseReachable).set(Int64(store.health.isReachable ? 1 : 0))
        state.makeGauge(name: MetricName.connectionsInUse).set(Int64(store.usage.inUse))
        state.makeGauge(name: MetricName.connectionsSize).set(Int64(store.options.maximumConnections))
        state.makeGauge(name: MetricName.connectionWaiters).set(Int64(store.usage.waiting))
        state.makeGauge(name: MetricName.executorsWaiting).set(Int64(engine.waitingExecutors))
        if let snapshot = try? await store.operationalSnapshot() {
            state.makeGauge(name: MetricName.executorsAttached).set(Int64(snapshot.executorsAttached))
            var now: Set<Series> = []
            for row in snapshot.tasks {
                let labels = [("namespace", row.namespace), ("state", row.state)]
                state.makeGauge(name: MetricName.tasks, labels: labels).set(Int64(row.count))
                now.insert(Series(name: MetricName.tasks, labels: [row.namespace, row.state]))
            }
            for row in snapshot.runs {
                state.makeGauge(name: MetricName.runs, labels: [("state", row.state)]).set(Int64(row.count))
                now.insert(Series(name: MetricName.runs, labels: [row.state]))
            }
            let emptied = series.withLock { series in
                defer { series = now }
                return series.subtracting(now)
            }
            for gone in emptied {
                let labels = gone.name == MetricName.tasks
                    ? [("namespace", gone.labels[0]), ("state", gone.labels[1])] : [("state", gone.labels[0])]
                state.unregisterGauge(state.makeGauge(name: gone.name, labels: labels))
            }
        }
        return Self.recorded.emitToString() + state.emitToString()
    }
}
