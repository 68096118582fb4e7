import ArgumentParser
import Logging
import ProvenanceBench
import ProvenanceServer
import ProvenanceStore

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks against a running server (build with -c release first).",
        subcommands: [
            BenchIngest.self, BenchLineage.self, BenchOrchestrate.self, BenchAuth.self, BenchMetrics.self,
            BenchOpenLineage.self, BenchSchedules.self, BenchTuning.self,
        ])
}

struct BenchTuning: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuning",
        abstract: "The sweep algorithms on Hartmann-6 and Branin (TPE against random search over seeds), and TPE's suggest latency in a large study; in-process, no server.")

    @Option(help: "Trials of each sweep.") var trials = 100
    @Option(help: "Seeds (sweeps per algorithm and function).") var seeds = 30
    @Option(help: "Trials already in the study when suggest latency is timed.") var largeStudy = 10_000

    func run() {
        var benchmark = TuningBenchmark()
        benchmark.trials = trials
        benchmark.seeds = seeds
        benchmark.largeStudy = largeStudy
        benchmark.run { print($0) }
    }
}

struct BenchSchedules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules",
        abstract: "Schedules due at one instant (how soon their runs are made, against as many runs over POST /runs), then a simulation of a million ticks over three replicas with kills, edits and DST.",
        discussion: ServerSettings.database.discussion)

    @Option(help: "The running server's base URL.")
    var server = "http://127.0.0.1:8080"

    @OptionGroup var settings: SettingsArguments

    @Option(help: "Schedules due together.")
    var schedules = 1000

    @Option(help: "Clients creating schedules and submitting the baseline's runs.")
    var clients = 8

    @Option(help: "Ticks the simulation records before it checks them (0 skips it).")
    var simulateTicks = 1_000_000

    @Option(help: "The least time the simulation covers, in days.")
    var simulateDays = 366

    @Option(help: "The simulation's replicas.")
    var replicas = 3

    @Option(help: "The simulation's seed.")
    var seed: UInt64 = 42

    func run() async throws {
        var benchmark = ScheduleBenchmark(serverURL: server)
        benchmark.schedules = schedules
        benchmark.clients = clients
        try await reportingFailures { try await benchmark.run { print($0) } }
        guard simulateTicks > 0 else { return }
        print("")
        var simulation = ScheduleSimulation(database: try serverDatabase(try settings.configuration(ServerSettings.database)))
        simulation.targetTicks = simulateTicks
        simulation.minimumDays = simulateDays
        simulation.replicas = replicas
        simulation.seed = seed
        try await reportingFailures { try await simulation.run { print($0) } }
    }
}

struct BenchIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "executions:record and lineage:record throughput and latency, against plain SQL through one connection.",
        discussion: ServerSettings.database.discussion)

    @Option(help: "The running server's base URL.")
    var server = "http://127.0.0.1:8080"

    @OptionGroup var settings: SettingsArguments

    @Option(help: "Records written by one client, one request each.")
    var serialRecords = 2000

    @Option(help: "Records written by the concurrent clients together.")
    var concurrentRecords = 8000

    @Option(help: "Concurrent clients.")
    var clients = 16

    @Option(help: "Records per lineage:record request.")
    var batchSize = 100

    @Option(help: "lineage:record requests per lineage phase.")
    var batches = 100

    @Option(help: "The most concurrent lineage:record clients (phases run with 1, 2, ... up to this many).")
    var lineageClients = 4

    func run() async throws {
        let config = try settings.configuration(ServerSettings.database)
        var benchmark = IngestBenchmark(serverURL: server, database: try serverDatabase(config))
        benchmark.clusterDataDirectory = config.databaseURL == nil ? config.dataDirectory : nil
        benchmark.serialRecords = serialRecords
        benchmark.concurrentRecords = concurrentRecords
        benchmark.clients = clients
        benchmark.batchSize = batchSize
        benchmark.batches = batches
        benchmark.lineageClients = lineageClients
        try await reportingFailures { try await benchmark.run { print($0) } }
    }
}

/// Runs a benchmark, turning a failure into an error that says what went wrong (a database error's own text
/// included: postgres-nio's description hides it).
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        throw BenchError(String(reflecting: error))
    }
}

struct BenchLineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Loads an ML pipeline graph through lineage:record, then times provenance, subgraph, filter and impact queries.",
        discussion: ServerSettings.database.discussion)

    @Option(help: "The running server's base URL.")
    var server = "http://127.0.0.1:8080"

    @OptionGroup var settings: SettingsArguments

    @Option(help: "Artifacts to load (up to 1,000,000; about as many executions and three times as many events).")
    var artifacts = 100_000

    @Option(help: "Daily runs per pipeline (the length of the model chains).")
    var runs = 100

    @Option(help: "Timed requests per question.")
    var queries = 200

    @Option(help: "Concurrent loading clients.")
    var clients = 2

    func run() async throws {
        let config = try settings.configuration(ServerSettings.database)
        var benchmark = LineageBenchmark(serverURL: server, database: try serverDatabase(config))
        benchmark.clusterDataDirectory = config.databaseURL == nil ? config.dataDirectory : nil
        benchmark.artifacts = artifacts
        benchmark.runs = runs
        benchmark.queries = queries
        benchmark.clients = clients
        try await reportingFailures { try await benchmark.run { print($0) } }
    }
}

struct BenchOrchestrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchestrate",
        abstract: "The run engine: one-step run latency, tasks/s with 32 executor slots, a 10,000-task fan-out/fan-in run, against a plain SQL job queue.",
        discussion: ServerSettings.database.discussion)

    @Option(help: "The running server's base URL (run it with --local-executor false).")
    var server = "http://127.0.0.1:8080"

    @OptionGroup var settings: SettingsArguments

    @Option(help: "One-step runs timed one after another.")
    var latencyRuns = 200

    @Option(help: "One-step runs timed through a real executor process (0 skips the phase).")
    var processRuns = 50

    @Option(help: "Tasks of the throughput run.")
    var wideTasks = 5000

    @Option(help: "Tasks of the fan-out/fan-in run (at most 10,000, a pipeline's limit).")
    var fanTasks = 10_000

    @Option(help: "Steps of the chain run once, then again from the cache (at most 10,000).")
    var chainSteps = 1_000

    @Option(help: "Executors of the throughput phases.")
    var executors = 4

    @Option(help: "Slots of each executor.")
    var slots = 8

    func run() async throws {
        let config = try settings.configuration(ServerSettings.database)
        var benchmark = OrchestrationBenchmark(serverURL: server, database: try serverDatabase(config))
        benchmark.clusterDataDirectory = config.databaseURL == nil ? config.dataDirectory : nil
        benchmark.latencyRuns = latencyRuns
        benchmark.processRuns = processRuns
        benchmark.executorCommand = processRuns > 0 ? [CurrentExecutable.path, "executor"] : nil
        benchmark.wideTasks = wideTasks
        benchmark.fanTasks = fanTasks
        benchmark.chainSteps = chainSteps
        benchmark.executors = executors
        benchmark.slotsPerExecutor = slots
        benchmark.baselineJobs = wideTasks * 2
        try await reportingFailures { try await benchmark.run { print($0) } }
    }
}

/// The database a server started with `config` uses: the URL, or the embedded cluster's socket.
func serverDatabase(_ config: ServerConfiguration) throws -> DatabaseEndpoint {
    if let url = config.databaseURL { return try DatabaseEndpoint(url: url) }
    return try EmbeddedPostgres(dataDirectory: config.dataDirectory, logger: Logger(label: "provenance")).endpoint
}

struct BenchAuth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "What authentication costs executions:record with concurrent clients, and /metrics latency; needs a fresh server without tokens (it makes one).")

    @Option(help: "The running server's base URL.")
    var server = "http://127.0.0.1:8080"

    @Option(help: "Records written per phase by the concurrent clients together.")
    var records = 8000

    @Option(help: "Concurrent clients.")
    var clients = 16

    @Option(help: "Timed GET /metrics requests.")
    var metricsRequests = 200

    func run() async throws {
        var benchmark = AuthBenchmark(serverURL: server)
        benchmark.records = records
        benchmark.clients = clients
        benchmark.metricsRequests = metricsRequests
        try await reportingFailures { try await benchmark.run { print($0) } }
    }
}

struct BenchMetrics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Metric points written in batches by concurrent clients, then downsampled reads of every run's series at once.",
        discussion: ServerSettings.database.discussion)

    @Option(help: "The running server's base URL.")
    var server = "http://127.0.0.1:8080"

    @OptionGroup var settings: SettingsArguments

    @Option(help: "Runs, each with one series.")
    var runs = 50

    @Option(help: "Points of each run's series.")
    var pointsPerRun = 1_000_000

    @Option(help: "Points per request (at most 10,000).")
    var batchSize = 10_000

    @Option(help: "Concurrent writing clients.")
    var clients = 8

    @Option(help: "Timed downsampled reads.")
    var reads = 40

    func run() async throws {
        let config = try settings.configuration(ServerSettings.database)
        var benchmark = MetricsBenchmark(serverURL: server)
        benchmark.clusterDataDirectory = config.databaseURL == nil ? config.dataDirectory : nil
        (benchmark.runs, benchmark.pointsPerRun, benchmark.batchSize) = (runs, pointsPerRun, batchSize)
        (benchmark.clients, benchmark.reads) = (clients, reads)
        try await reportingFailures { try await benchmark.run { print($0) } }
    }
}

struct BenchOpenLineage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openlineage",
        abstract: "OpenLineage events posted by concurrent clients, one a request and batched, against executions:record; then the Marquez-shaped lineage read at depth 20 on a graph of 100,000 datasets.",
        discussion: ServerSettings.database.discussion)

    @Option(help: "The running server's base URL.")
    var server = "http://127.0.0.1:8080"

    @OptionGroup var settings: SettingsArguments

    @Option(help: "Events sent one a request.")
    var events = 20_000

    @Option(help: "Events sent in batches.")
    var batchedEvents = 40_000

    @Option(help: "Events a batch carries.")
    var batchSize = 100

    @Option(help: "Concurrent clients.")
    var clients = 8

    @Option(help: "Pipelines of the read graph (each a chain of --chain-length datasets).")
    var chains = 1_000

    @Option(help: "Datasets in each pipeline of the read graph.")
    var chainLength = 100

    @Option(help: "Timed lineage reads.")
    var reads = 200

    func run() async throws {
        let config = try settings.configuration(ServerSettings.database)
        var benchmark = OpenLineageBenchmark(serverURL: server)
        benchmark.clusterDataDirectory = config.databaseURL == nil ? config.dataDirectory : nil
        (benchmark.events, benchmark.batchedEvents, benchmark.batchSize) = (events, batchedEvents, batchSize)
        (benchmark.clients, benchmark.chains, benchmark.chainLength, benchmark.reads) = (clients, chains, chainLength, reads)
        try await reportingFailures { try await benchmark.run { print($0) } }
    }
}
