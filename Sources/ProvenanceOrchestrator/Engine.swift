import Logging
import Metrics
import ProvenanceCore
import ProvenanceStore
import ServiceLifecycle

/// Drives pipeline runs: accepts runs, leases their tasks to executors (long-polling until one is queued), takes
/// heartbeats, completions and failures, and cancels and retries runs. The state lives in the store, and every
/// step is one transaction there, so any number of server replicas can run an engine on one database.
public final class Engine: Sendable {
    /// The store.
    public let store: PostgresStore
    /// How tasks are leased.
    public let settings: EngineSettings
    let waiters = LeaseWaiters()
    /// Wakes the `DeferredReleaser`.
    let releaseWakeups = Wakeups()
    /// The tasks submissions added, for the `TaskStatisticsRefresher`.
    let statistics = AddedTasks()
    /// The live stream's events, read once and handed to every subscriber (`GET .../events:stream`).
    public let stream: EventStreamHub
    let logger: Logger

    /// Creates an engine over `store`.
    public init(store: PostgresStore, settings: EngineSettings = EngineSettings(), logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.stream = EventStreamHub(store: store, logger: logger)
    }

    /// The engine's background work, to run in the server's ServiceGroup: the notification listener that wakes
    /// waiting executors, the reaper of expired leases, the releaser of ready tasks left for later, the refresher of
    /// the task tables' statistics, the scheduler and (when the policy removes anything) the retention sweeper.
    public var services: [any Service] {
        let core: [any Service] = [
            TaskQueueListener(
                store: store, onQueued: { [waiters] in waiters.wake($0) },
                onReleasesDeferred: { [releaseWakeups] in releaseWakeups.wake() }, onStreamEvents: { [stream] in stream.wake() }),
            stream, LeaseReaper(engine: self), DeferredReleaser(engine: self), TaskStatisticsRefresher(engine: self),
            Scheduler(engine: self),
        ]
        return settings.retention.removesAnything ? core + [RetentionSweeper(engine: self)] : core
    }

    // MARK: Runs

    /// Starts a run; its first tasks are queued (or served from the cache) before it returns.
    public func submit(_ request: RunRequest, namespace: String) async throws(ProvenanceError) -> Run {
        let id = try await Traced.span("engine submit") { span throws(ProvenanceError) in
            let id = try await store.submitRun(request, namespace: namespace)
            span.set("provenance.run.id", id.rawValue)
            return id
        }
        waiters.wake(Int.max)
        // Without its tasks: a run may have ten thousand; their counts by state say where it stands.
        let run = try await store.runSummary(id, namespace: namespace)
        statistics.add(run.taskCounts.values.reduce(0, +))
        return run
    }

    /// Cancels a run for `actor`, who is named in the audit log (see `PostgresStore.cancelRun`).
    public func cancel(_ id: RunID, namespace: String, actor: AuditActor) async throws(ProvenanceError) -> Run {
        try await store.cancelRun(id, namespace: namespace, actor: actor)
        return try await store.run(id, namespace: namespace)
    }

    /// Retries a run's failed, skipped and cancelled tasks for `actor`, who is named in the audit log (see
    /// `PostgresStore.retryRun`).
    public func retry(_ id: RunID, namespace: String, actor: AuditActor) async throws(ProvenanceError) -> Run {
        try await store.retryRun(id, namespace: namespace, actor: actor)
        waiters.wake(Int.max)
        return try await store.run(id, namespace: namespace)
    }

    // MARK: Executors

    /// Leases up to `maximum` tasks that fit in `available` to executor `executor`, waiting up to `wait` (at most
    /// `settings.longPollLimit`) for one to be queued if none is now. Answers with none when the wait ends, or when
    /// the request is cancelled (its client went away). Only tasks of `namespaces` (the caller's credential's) are
    /// leased: an executor is never asked to run another namespace's work.
    ///
    /// Traced as `engine lease`: the executor, how many tasks it asked for and got, and how often it looked.
    public func lease(
        executor: ExecutorID, available: ExecutorCapacity, maximum: Int, wait: Duration, namespaces: NamespaceScope = .all
    ) async throws(ProvenanceError) -> [Lease] {
        try await Traced.span("engine lease") { span throws(ProvenanceError) in
            span.set("provenance.executor.id", executor.rawValue)
            span.set("provenance.lease.maximum", maximum)
            let leases = try await leaseWaiting(
                executor: executor, available: available, maximum: maximum, wait: wait, namespaces: namespaces, span: span)
            span.set("provenance.lease.granted", leases.count)
            if span.isRecording, !leases.isEmpty { span.set("provenance.task.ids", leases.map { $0.token.taskID.rawValue }) }
            return leases
        }
    }

    private func leaseWaiting(
        executor: ExecutorID, available: ExecutorCapacity, maximum: Int, wait: Duration, namespaces: NamespaceScope,
        span: SpanHandle
    ) async throws(ProvenanceError) -> [Lease] {
        let deadline = ContinuousClock.now + min(max(wait, .zero), settings.longPollLimit)
        // A client that has gone is leased nothing more: the task would wait out the lease before running.
        func clientGone() -> Bool { Task.isCancelled || (RequestCancellation.current?.isCancelled ?? false) }
        while !clientGone() {
            let leases = try await store.lease(
                executor: executor, available: available, maximum: maximum, duration: settings.leaseDuration,
                namespaces: namespaces)
            if !leases.isEmpty, clientGone() {
                // It hung up while they were granted: give them back now rather than let them wait out the lease.
                for lease in leases {
                    _ = try? await fail(lease.token, failure: AttemptFailure(error: "the executor hung up before it got the lease", released: true))
                }
                return []
            }
            let left = deadline - .now
            if !leases.isEmpty || left <= .zero || clientGone() { return leases }
            span.event("waiting for a task")
            await waitForTasks(atMost: left)
        }
        return []
    }

    /// Waits until tasks may have been queued, `limit` passes, or the request is cancelled.
    private func waitForTasks(atMost limit: Duration) async {
        await waiters.wait(atMost: limit, cancellation: RequestCancellation.current)
    }

    /// Extends the leases executor `executor` still holds among `tokens`.
    public func heartbeat(executor: ExecutorID, tokens: [LeaseToken], vouched: Bool) async throws(ProvenanceError)
        -> [LeaseStatus]
    {
        try await store.heartbeat(executor: executor, tokens: tokens, duration: settings.leaseDuration, vouched: vouched)
    }

    /// Records a successful attempt (see `PostgresStore.completeAttempt`).
    public func complete(_ token: LeaseToken, report: AttemptReport) async throws(ProvenanceError) -> AttemptOutcome {
        try await reportAttempt("complete", token) { () throws(ProvenanceError) in
            try await store.completeAttempt(token, report: report)
        }
    }

    /// Records a failed attempt (see `PostgresStore.failAttempt`).
    public func fail(_ token: LeaseToken, failure: AttemptFailure) async throws(ProvenanceError) -> AttemptOutcome {
        try await reportAttempt("fail", token) { () throws(ProvenanceError) in
            try await store.failAttempt(token, failure: failure)
        }
    }

    /// Runs an executor's report of how an attempt ended, traced as `engine <report>` (the task, its attempt and
    /// what became of them), and wakes executors waiting for the tasks it queued.
    private func reportAttempt(
        _ report: String, _ token: LeaseToken, _ body: () async throws(ProvenanceError) -> AttemptOutcome
    ) async throws(ProvenanceError) -> AttemptOutcome {
        let outcome = try await Traced.span("engine \(report)") { span throws(ProvenanceError) in
            span.set("provenance.task.id", token.taskID.rawValue)
            span.set("provenance.attempt", token.attempt)
            let outcome = try await Self.countingRefusal(report, body)
            span.set("provenance.attempt.state", outcome.attemptState.name)
            span.set("provenance.task.state", outcome.taskState.name)
            span.set("provenance.tasks.queued", outcome.queued)
            return outcome
        }
        if outcome.queued > 0 { waiters.wake(outcome.queued) }
        return outcome
    }

    /// Appends log lines of a running attempt (see `PostgresStore.appendLogs`).
    public func appendLogs(_ token: LeaseToken, lines: [LogLine]) async throws(ProvenanceError) {
        try await Self.countingRefusal("logs") { () throws(ProvenanceError) in
            try await store.appendLogs(token, lines: lines)
        }
    }

    /// Writes metric points a running step wrote (forwarded by its executor) to its task's series.
    public func appendMetrics(_ token: LeaseToken, points: [MetricPoint]) async throws(ProvenanceError) -> Int {
        try await Self.countingRefusal("metrics") { () throws(ProvenanceError) in
            try await store.writeMetrics(points, to: .attempt(token), namespace: nil).points
        }
    }

    /// Runs a lease report, counting it in `/metrics` when it is refused because the lease is no longer held.
    private static func countingRefusal<Result>(
        _ report: String, _ body: () async throws(ProvenanceError) -> Result
    ) async throws(ProvenanceError) -> Result {
        do {
            return try await body()
        } catch {
            if error.code == .leaseLost {
                Counter(label: MetricName.leaseReportsRefused, dimensions: [("report", report)]).increment()
            }
            throw error
        }
    }

    /// How many executors wait in a long poll on this replica now.
    public var waitingExecutors: Int { waiters.count }

    /// How many long polls on this replica queued work has woken since it started (not those whose wait ended).
    public var longPollsWoken: Int { waiters.wokenCount }
}
