import Metrics
import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Records that the attempt of `token` succeeded with `report`'s outputs, in one transaction: the attempt's
    /// MLMD execution (now COMPLETE) with its INPUT and OUTPUT events, the output artifacts (attributed to the run's
    /// context), the task's outputs and state, and every downstream task this makes ready (queued or cached). Only
    /// the attempt holding the lease may complete it (`leaseLost` otherwise); the same report again is answered
    /// with the recorded outcome. A report whose outputs do not match the component's, or whose properties do not
    /// fit their types, fails the attempt instead (retried per the component's policy). Completions that arrive
    /// together share one transaction (see `TransactionBatcher`); each still gets its own answer.
    public func completeAttempt(_ token: LeaseToken, report: AttemptReport) async throws(ProvenanceError) -> AttemptOutcome {
        do throws(ProvenanceError) {
            return try await completionBatcher.run((token, report)) { [self] items throws(ProvenanceError) in
                try await transactionFinishingRuns { connection in
                    try await AttemptSettlement(store: self, connection: connection).complete(items)
                }
            }
        } catch {
            guard error.code == .invalidArgument else { throw error }
            return try await failAttempt(token, failure: AttemptFailure(error: "the step's outputs were rejected: \(error.message)"))
        }
    }

    /// Records that the attempt of `token` failed: it is tried again after its backoff if attempts are left (and
    /// its run is not being cancelled), else the task fails and every task downstream is skipped. The same failure
    /// reported again is answered with the recorded outcome.
    public func failAttempt(_ token: LeaseToken, failure: AttemptFailure) async throws(ProvenanceError) -> AttemptOutcome {
        try await transactionFinishingRuns { [self] connection in
            try await AttemptSettlement(store: self, connection: connection).fail(token, failure: failure)
        }
    }

    /// Ends the attempts whose leases expired (their executors crashed, were cut off or paused), at most `limit`,
    /// as lost: each task is tried again or fails, as its policy says. Attempts another replica is settling are
    /// skipped. Returns how many it ended and how many tasks it queued.
    public func reapExpiredLeases(limit: Int = 100) async throws(ProvenanceError) -> (reaped: Int, queued: Int) {
        let result = try await transactionFinishingRuns { [self] connection in
            try await AttemptSettlement(store: self, connection: connection).reap(limit: limit)
        }
        if result.reaped > 0 { Counter(label: MetricName.leasesExpired).increment(by: result.reaped) }
        return result
    }

    /// Whether a queued task's backoff ended within the last `window` (so waiting executors should look again).
    public func backoffEnded(within window: Duration) async throws(ProvenanceError) -> Bool {
        let seconds = Self.seconds(window)
        return try await perform { [self] connection in
            for try await found in try await connection.prepared(RunEngineSQL.BackoffEnded.self, 
                """
                SELECT EXISTS (SELECT 1 FROM tasks WHERE state = \(unescaped: TaskAdvance.literals([.queued]))
                    AND not_before <= now() AND not_before > now() - \(seconds)::float8 * interval '1 second')
                """, logger: logger
            ).decode(Bool.self) { return found }
            return false
        }
    }
}

/// Settles attempts inside a transaction the caller holds (see `PostgresStore.completeAttempt` and its siblings).
private struct AttemptSettlement {
    let store: PostgresStore
    let connection: PostgresConnection
    var logger: Logger { store.logger }

    /// How an attempt that did not succeed ends, by the event that ends it.
    static let attemptEndings: [(state: AttemptState, event: EngineEvent)] = [(.failed, .fail), (.lost, .lose), (.canceled, .cancel)]

    /// A running attempt, locked with its task.
    private struct Held {
        let taskID: TaskID
        let number: Int
        let attemptState: AttemptState
        let outcome: String?
        let executionID: ExecutionID
        let taskState: TaskState
        let runID: RunID
        let namespaceID: NamespaceID
        let step: String
        let component: ComponentSpec
        let inputs: [String: ArtifactID]
        let runContextID: ContextID
        let attempts: Int
        let maxAttempts: Int
        let cancelRequested: Bool
        let runStopping: Bool

        /// Over `attempts a`, `tasks t`, `runs r` and `components c`.
        static let columns = """
            a.task_id, a.number, a.state, a.outcome, a.execution_id, t.state, t.run_id, t.namespace_id, t.step,
            t.component_id, c.spec::text, coalesce(t.inputs, '{}')::text, r.context_id, t.attempts, t.max_attempts,
            t.cancel_requested, r.state IN (\(RunState.canceling.rawValue), \(RunState.canceled.rawValue))
            """

        /// A row of `columns`; the component's spec is parsed once per version (`specs`).
        init(_ row: PostgresRow, specs: SpecCache<ComponentSpec>) throws {
            let (taskID, number, attemptState, outcome, executionID, taskState, runID, namespaceID, step, componentID, spec,
                 inputs, runContextID, attempts, maxAttempts, cancelRequested, runStopping) =
                try row.decode((TaskID, Int32, Int16, String?, ExecutionID, Int16, RunID, NamespaceID, String, Int64, String, String,
                                ContextID, Int32, Int32, Bool, Bool).self)
            (self.taskID, self.number, self.outcome, self.executionID) = (taskID, Int(number), outcome, executionID)
            self.attemptState = AttemptState(rawValue: attemptState) ?? .failed
            self.taskState = TaskState(rawValue: taskState) ?? .failed
            (self.runID, self.namespaceID, self.step) = (runID, namespaceID, step)
            component = try specs.spec(id: componentID, text: spec, parse: ComponentSpec.init(json:))
            self.inputs = try TaskAdvance.artifactIDs(inputs)
            (self.runContextID, self.attempts, self.maxAttempts) = (runContextID, Int(attempts), Int(maxAttempts))
            (self.cancelRequested, self.runStopping) = (cancelRequested, runStopping)
        }
    }

    /// Locks the attempt of `token` and its task, or fails with `leaseLost` when the token names no attempt.
    private func lock(_ token: LeaseToken) async throws -> Held {
        let held = try await lock(RunEngineSQL.LockOne.self, 
            "a.task_id = \(token.taskID) AND a.number = \(Int32(clamping: token.attempt)) AND a.secret = \(token.secret)")
        guard let first = held.first else {
            throw ProvenanceError(.leaseLost, "lease \(token.taskID).\(token.attempt) is not one this server issued, or it was replaced")
        }
        return first
    }

    private func lock<Name: PreparedQueryName>(_ name: Name.Type, _ condition: PostgresQuery) async throws -> [Held] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(Held.columns)
                FROM attempts a JOIN tasks t ON t.id = a.task_id
                    -- Looked up by key for each attempt (see the lease's candidates): the plan outlives the tables' sizes.
                    CROSS JOIN LATERAL (SELECT r.context_id, r.state FROM runs r WHERE r.id = t.run_id OFFSET 0) r
                    CROSS JOIN LATERAL (SELECT c.spec FROM components c WHERE c.id = t.component_id OFFSET 0) c
                WHERE 
                """ + condition.sql + " ORDER BY a.task_id FOR UPDATE OF a, t",
            binds: condition.binds)
        var held: [Held] = []
        for try await row in try await connection.prepared(name, query, logger: logger) {
            held.append(try Held(row, specs: store.componentSpecs))
        }
        return held
    }

    /// The answer to an outcome reported for an attempt that already ended: the recorded one if it is the same
    /// report, else `leaseLost`.
    private func repeated(_ held: Held, digest: String) throws(ProvenanceError) -> AttemptOutcome {
        guard held.attemptState != .running else { throw ProvenanceError(.internal, "a running attempt is not a repeat") }
        guard held.outcome == digest else {
            throw ProvenanceError(
                .leaseLost,
                "attempt \(held.number) of task \(held.taskID) already ended (\(held.attemptState.name)); its lease is no longer held")
        }
        return AttemptOutcome(attemptState: held.attemptState, taskState: held.taskState, error: nil, repeated: true, queued: 0)
    }

    // MARK: Success

    /// Completes the attempts of `items` (one, or several completions that arrived together): each is checked on
    /// its own (its lease, a repeat, its outputs against the component's), and those that may complete are
    /// written together: one lineage write per namespace (each execution COMPLETE with its events, each output
    /// artifact attributed to its run), then the tasks' outputs, attempts and states, and last the downstream
    /// counters. Returns one result per item and the runs to check once the transaction has committed.
    func complete(_ items: [(token: LeaseToken, report: AttemptReport)]) async throws
        -> (result: [Result<AttemptOutcome, ProvenanceError>], runs: Set<RunID>)
    {
        let held = try await lock(
            RunEngineSQL.LockBatch.self,
            """
            (a.task_id, a.number, a.secret) IN (
                SELECT * FROM unnest(\(items.map(\.token.taskID))::int8[],
                                     \(items.map { Int32(clamping: $0.token.attempt) })::int4[], \(items.map(\.token.secret))::text[]))
            """)
        let byToken = Dictionary(held.map { (Key(taskID: $0.taskID, number: $0.number), $0) }, uniquingKeysWith: { first, _ in first })
        var results = [Result<AttemptOutcome, ProvenanceError>?](repeating: nil, count: items.count)
        var accepted: [(index: Int, held: Held, report: AttemptReport, digest: String)] = []
        var taken: [Key: String] = [:]
        for (index, item) in items.enumerated() {
            let key = Key(taskID: item.token.taskID, number: item.token.attempt)
            let digest = item.report.digest
            guard let held = byToken[key] else {
                results[index] = .failure(ProvenanceError(
                    .leaseLost, "lease \(item.token.taskID).\(item.token.attempt) is not one this server issued, or it was replaced"))
                continue
            }
            if let first = taken[key] {
                // The same completion twice in one batch (a client that retried at once): the second is a repeat.
                results[index] = first == digest
                    ? .success(AttemptOutcome(attemptState: .succeeded, taskState: .succeeded, error: nil, repeated: true, queued: 0))
                    : .failure(ProvenanceError(.leaseLost, "attempt \(held.number) of task \(held.taskID) was completed with another report"))
                continue
            }
            guard held.attemptState == .running else {
                results[index] = Result { () throws(ProvenanceError) in try repeated(held, digest: digest) }
                continue
            }
            if let problem = Self.outputMismatch(held.component, item.report) {
                results[index] = .failure(.invalid("outputs", problem))
                continue
            }
            taken[key] = digest
            accepted.append((index, held, item.report, digest))
        }
        guard !accepted.isEmpty else { return (results.map { $0! }, []) }

        // The lineage, one write per namespace; the output artifacts' ids by task.
        var outputIDs: [TaskID: [(name: String, id: ArtifactID)]] = [:]
        let live = ArtifactState.live.rawValue
        var completePatch = NodePatch()
        completePatch.state = .set(ExecutionState.complete.rawValue)
        for namespaceID in Set(accepted.map(\.held.namespaceID)) {
            var lineage = AttemptLineage()
            var artifactsOf: [(taskID: TaskID, name: String, index: Int)] = []
            for entry in accepted where entry.held.namespaceID == namespaceID {
                let held = entry.held
                let execution = lineage.update(execution: held.executionID.rawValue, completePatch)
                for name in held.inputs.keys.sorted() {
                    lineage.event(execution: execution, artifact: held.inputs[name]!.rawValue, type: .input)
                }
                for output in held.component.outputs {
                    let reported = entry.report.outputs[output.name]!
                    try Validation.requireName(reported.uri, field: "outputs.\(output.name).uri")
                    let artifact = lineage.artifact(
                        NodeDraft(
                            kind: .artifact, type: .name(output.type, version: nil), uri: reported.uri, state: reported.state ?? live,
                            properties: reported.properties, customProperties: reported.customProperties),
                        attributedTo: held.runContextID.rawValue)
                    lineage.event(execution: execution, artifactIndex: artifact, type: .output)
                    artifactsOf.append((held.taskID, output.name, artifact))
                }
            }
            let written = try await store.write(lineage.write, namespaceID: namespaceID, on: connection)
            for output in artifactsOf {
                outputIDs[output.taskID, default: []].append((output.name, written.artifactIDs[output.index]))
            }
        }
        var outputTasks: [TaskID] = [], outputNames: [String] = [], outputArtifacts: [ArtifactID] = []
        for entry in accepted {
            for output in outputIDs[entry.held.taskID] ?? [] {
                outputTasks.append(entry.held.taskID)
                outputNames.append(output.name)
                outputArtifacts.append(output.id)
            }
        }
        let taskIDs = accepted.map(\.held.taskID)
        try await connection.prepared(
            RunEngineSQL.CompletedTasks.self,
            """
            WITH o AS (
                INSERT INTO task_outputs (task_id, name, artifact_id)
                SELECT * FROM unnest(\(outputTasks)::int8[], \(outputNames)::text[], \(outputArtifacts)::int8[])
            ), a AS (
                UPDATE attempts a SET \(unescaped: StateTransitionSQL.set(AttemptState.succeeded, on: .complete)), end_time = now(),
                    exit_code = 0, outcome = d.digest
                FROM unnest(\(taskIDs)::int8[], \(accepted.map { Int32($0.held.number) })::int4[], \(accepted.map(\.digest))::text[])
                    AS d(task_id, number, digest)
                WHERE a.task_id = d.task_id AND a.number = d.number
                    AND \(unescaped: StateTransitionSQL.from(AttemptState.succeeded, on: .complete, alias: "a"))
            ), ended AS (
                UPDATE tasks t SET \(unescaped: StateTransitionSQL.set(TaskState.succeeded, on: .complete)), end_time = now(),
                    execution_id = d.execution_id
                FROM unnest(\(taskIDs)::int8[], \(accepted.map(\.held.executionID))::int8[]) AS d(id, execution_id)
                WHERE t.id = d.id AND \(unescaped: StateTransitionSQL.from(TaskState.succeeded, on: .complete, alias: "t"))
                RETURNING t.run_id
            )
            \(unescaped: TaskAdvance.countEnded)
            """, logger: logger)
        // Last: the downstream counters are the rows other completions wait for (a fan-in's last step), so they are
        // locked only for the rest of this transaction.
        let advance = TaskAdvance(store: store, connection: connection)
        var released = try await advance.release(try await advance.downstreamReady(of: taskIDs))
        released.runs.formUnion(accepted.map(\.held.runID))
        for (offset, entry) in accepted.enumerated() {
            // The tasks queued are the batch's; the first completion's answer carries the count.
            results[entry.index] = .success(AttemptOutcome(
                attemptState: .succeeded, taskState: .succeeded, error: nil, repeated: false,
                queued: offset == 0 ? released.queued : 0))
        }
        return (results.map { $0! }, released.runs)
    }

    /// An attempt, by its task and number.
    private struct Key: Hashable {
        let taskID: TaskID
        let number: Int
    }

    /// What is wrong with a report whose outputs are not the ones `component` declares, or nil.
    private static func outputMismatch(_ component: ComponentSpec, _ report: AttemptReport) -> String? {
        let declared = component.outputs.map(\.name)
        let missing = declared.filter { report.outputs[$0] == nil }
        let unexpected = report.outputs.keys.filter { !declared.contains($0) }.sorted()
        guard !missing.isEmpty || !unexpected.isEmpty else { return nil }
        var problems: [String] = []
        if !missing.isEmpty { problems.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { problems.append("undeclared \(unexpected.joined(separator: ", "))") }
        return "they do not match the outputs component \(component.reference) declares (\(problems.joined(separator: "; ")))"
    }

    // MARK: Failure

    /// Fails the attempt; returns the outcome and the runs to check once it has committed.
    func fail(_ token: LeaseToken, failure: AttemptFailure) async throws -> (result: AttemptOutcome, runs: Set<RunID>) {
        let held = try await lock(token)
        let digest = failure.digest
        guard held.attemptState == .running else { return (try repeated(held, digest: digest), []) }
        var error = failure.error
        if let tail = failure.logTail, !tail.isEmpty { error += "\n--- last lines of output ---\n" + tail }
        let state: AttemptState = failure.canceled ? .canceled : failure.released ? .lost : .failed
        let (outcomes, runs) = try await settle([(held, state, error, failure.exitCode, digest)], released: failure.released)
        return (outcomes[0], runs)
    }

    /// Ends expired leases; returns how many and how many tasks it queued, and the runs to check once committed.
    func reap(limit: Int) async throws -> (result: (reaped: Int, queued: Int), runs: Set<RunID>) {
        let expired = try await lock(
            RunEngineSQL.LockExpired.self,
            """
            (a.task_id, a.number) IN (
                SELECT task_id, number FROM attempts WHERE state = \(unescaped: String(AttemptState.running.rawValue)) AND lease_expires < now()
                ORDER BY lease_expires LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            """)
        guard !expired.isEmpty else { return ((0, 0), []) }
        let (outcomes, runs) = try await settle(expired.map { held in
            (held, .lost, "the lease expired: executor stopped renewing it (crashed, cut off or paused)", nil, "lost")
        })
        return ((expired.count, outcomes.reduce(0) { $0 + $1.queued }), runs)
    }

    /// Ends attempts that did not succeed, and moves their tasks on: again after the backoff if attempts are left
    /// and the run goes on, else cancelled (the run is being cancelled) or failed, skipping what lies downstream.
    /// `released`: the executor gave the leases back, so the attempts do not count against the tasks' policies.
    /// Returns the outcomes and the runs to check once the transaction has committed.
    private func settle(
        _ endings: [(held: Held, state: AttemptState, error: String, exitCode: Int?, digest: String)], released: Bool = false
    ) async throws -> (outcomes: [AttemptOutcome], runs: Set<RunID>) {
        var outcomes: [AttemptOutcome] = []
        var retry: [(id: TaskID, delay: Double)] = [], failed: [TaskID] = [], canceled: [TaskID] = []
        var runs: Set<RunID> = []
        for ending in endings {
            let held = ending.held
            runs.insert(held.runID)
            let next = TaskAfterAttempt.decide(
                attempt: ending.state, number: held.number, givenBack: released, attemptsMade: held.attempts,
                attemptsAllowed: held.maxAttempts, runStopping: held.runStopping, cancelRequested: held.cancelRequested,
                retries: held.component.retries)
            switch next {
            case .cancel: canceled.append(held.taskID)
            case .retry(let delay, _): retry.append((held.taskID, PostgresStore.seconds(delay)))
            case .fail: failed.append(held.taskID)
            }
            outcomes.append(AttemptOutcome(
                attemptState: ending.state, taskState: next.taskState, error: ending.error, repeated: false,
                queued: next.taskState == .queued ? 1 : 0))
        }
        try await recordExecutions(endings.map { ($0.held, $0.state, $0.error) })
        var exitCodes = SQLArray<Int32>()
        for ending in endings { exitCodes.append(ending.exitCode.map { Int32(clamping: $0) }) }
        try await connection.prepared(RunEngineSQL.SettledAttempts.self, 
            """
            UPDATE attempts a SET \(unescaped: StateTransitionSQL.set("e.state", among: Self.attemptEndings)), end_time = now(),
                exit_code = e.exit_code, error = e.error, outcome = e.digest
            FROM unnest(\(endings.map(\.held.taskID))::int8[], \(endings.map { Int32($0.held.number) })::int4[],
                        \(endings.map(\.state.rawValue))::int2[], \(exitCodes)::int4[],
                        \(endings.map(\.error))::text[], \(endings.map(\.digest))::text[])
                AS e(task_id, number, state, exit_code, error, digest)
            WHERE a.task_id = e.task_id AND a.number = e.number
                AND \(unescaped: StateTransitionSQL.from(among: Self.attemptEndings, alias: "a"))
            """, logger: logger)
        if !retry.isEmpty {
            try await connection.prepared(RunEngineSQL.RetriedTasks.self, 
                """
                UPDATE tasks t SET \(unescaped: StateTransitionSQL.set(TaskState.queued, on: .fail, .lose)), queue_time = now(),
                    not_before = now() + r.delay * interval '1 second',
                    max_attempts = t.max_attempts + CASE WHEN \(released) THEN 1 ELSE 0 END
                FROM unnest(\(retry.map(\.id))::int8[], \(retry.map(\.delay))::float8[]) AS r(id, delay)
                WHERE t.id = r.id AND \(unescaped: StateTransitionSQL.from(TaskState.queued, on: .fail, .lose, alias: "t"))
                """, logger: logger)
            try await connection.prepared(RunEngineSQL.NotifyRetried.self, "SELECT pg_notify(\(TaskQueue.channel), \(String(retry.count)))", logger: logger)
        }
        let advance = TaskAdvance(store: store, connection: connection)
        if !canceled.isEmpty { try await advance.cancel(canceled) }
        if !failed.isEmpty {
            try await advance.failForGood(failed)
            try await advance.skipDescendants(of: failed)
        }
        return (outcomes, runs)
    }

    /// Moves the attempts' MLMD executions to FAILED or CANCELED, noting the error.
    private func recordExecutions(_ endings: [(held: Held, state: AttemptState, error: String)]) async throws {
        for namespaceID in Set(endings.map(\.held.namespaceID)) {
            var lineage = AttemptLineage()
            for ending in endings where ending.held.namespaceID == namespaceID {
                var patch = NodePatch()
                patch.state = .set((ending.state == .canceled ? ExecutionState.canceled : .failed).rawValue)
                patch.customProperties = PropertyPatch(set: ["error": .typed(.string(String(ending.error.prefix(Validation.maximumTextLength))))])
                _ = lineage.update(execution: ending.held.executionID.rawValue, patch)
            }
            _ = try await store.write(lineage.write, namespaceID: namespaceID, on: connection)
        }
    }
}
