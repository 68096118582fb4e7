import Logging
import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// Writes of new nodes that arrive while every write slot is busy share one statement, one transaction; each
/// still gets the ids of its own nodes, and one that fails never fails the others.
@Suite(.timeLimit(.minutes(1))) struct WriteCoalescingTests {
    let logger = Logger(label: "test")

    @Test func waitingWritesShareOneTransactionAndEachGetsItsOwnNodes() async throws {
        try await withStore { store, endpoint in
            let names = (0..<6).map { "w\($0)" }
            let results = try await queueBehindHeldWrites(store, endpoint, names.map { Self.record($0) })
            var queuedExecutions: [Int64] = []
            for (name, result) in zip(names, results) {
                let ids = try result.get()
                let execution = ids.executionIDs[0].rawValue
                try await #expect(one(store, "SELECT name FROM executions WHERE id = \(execution)") == "run-\(name)")
                try await #expect(one(store, "SELECT uri FROM artifacts WHERE id = \(ids.artifactIDs[0].rawValue)") == "s3://in/\(name)")
                try await #expect(one(store, "SELECT uri FROM artifacts WHERE id = \(ids.artifactIDs[1].rawValue)") == "s3://out/\(name)")
                try await #expect(one(store, "SELECT name FROM contexts WHERE id = \(ids.contextIDs[0].rawValue)") == "r-\(name)")
                let artifacts = ids.artifactIDs.map(\.rawValue)
                try await #expect(one(store, """
                    SELECT count(*)::text FROM events WHERE execution_id = \(execution)
                        AND artifact_id IN (\(artifacts[0]), \(artifacts[1]))
                    """) == "2")
                try await #expect(one(store, """
                    SELECT count(*)::text FROM attributions WHERE context_id = \(ids.contextIDs[0].rawValue)
                        AND artifact_id IN (\(artifacts[0]), \(artifacts[1]))
                    """) == "2")
                try await #expect(one(store, """
                    SELECT count(*)::text FROM associations
                    WHERE context_id = \(ids.contextIDs[0].rawValue) AND execution_id = \(execution)
                    """) == "1")
                queuedExecutions.append(execution)
            }
            let transactions = try await one(store, """
                SELECT count(DISTINCT xmin::text)::text FROM executions WHERE id = ANY('{\(queuedExecutions.map(String.init).joined(separator: ","))}')
                """)
            #expect(transactions == "1", "the writes that waited were written by one statement")
        }
    }

    @Test func aFailingWriteAmongWaitingOnesFailsAloneAndLeavesNothing() async throws {
        try await withStore { store, endpoint in
            _ = try await store.write(LineageWrite(artifacts: [
                .create(NodeDraft(kind: .artifact, type: .name("Dataset", version: nil), name: "taken", uri: "s3://taken"))
            ]), namespace: "default")
            var writes = (0..<5).map { Self.record("g\($0)") }
            writes.insert(Self.record("bad", inputName: "taken"), at: 2)
            let results = try await queueBehindHeldWrites(store, endpoint, writes)
            for (offset, result) in results.enumerated() {
                if offset == 2 {
                    #expect(throws: ProvenanceError.self) { try result.get() }
                    if case .failure(let error) = result { #expect(error.code == .alreadyExists) }
                } else {
                    let ids = try result.get()
                    try await #expect(one(store, "SELECT uri FROM artifacts WHERE id = \(ids.artifactIDs[1].rawValue)") != nil)
                }
            }
            try await #expect(one(store, "SELECT count(*)::text FROM executions WHERE name = 'run-bad'") == "0")
            try await #expect(one(store, "SELECT count(*)::text FROM contexts WHERE name = 'r-bad'") == "0")
            try await #expect(one(store, "SELECT count(*)::text FROM executions WHERE name LIKE 'run-g%'") == "5")
        }
    }

    /// Inside one statement the reuse lookup cannot see the context the statement itself inserts, so the shared
    /// statement fails on the context's unique key and both writes run again alone: the second reuses the first's.
    @Test func waitingWritesThatCreateTheSameContextBothReuseIt() async throws {
        try await withStore { store, endpoint in
            let reuse = LineageWriteOptions(reuseContextIfAlreadyExists: true, reuseArtifactIfAlreadyExistsByExternalID: true)
            var writes: [LineageWrite] = []
            for step in ["trainer", "evaluator"] {
                var write = Self.record(step)
                write.contexts = [.create(NodeDraft(kind: .context, type: .name("Run", version: nil), name: "shared-run"))]
                write.options = reuse
                writes.append(write)
            }
            let results = try await queueBehindHeldWrites(store, endpoint, writes)
            let contexts = try results.map { try $0.get().contextIDs[0] }
            #expect(contexts[0] == contexts[1], "both steps joined the one run context")
            try await #expect(one(store, "SELECT count(*)::text FROM associations WHERE context_id = \(contexts[0].rawValue)") == "2")
        }
    }

    @Test func largeWritesDoNotWaitForTheSharedStatements() async throws {
        try await withStore { store, endpoint in
            let size = store.writeCoalescer.ownStatementSize
            let large = LineageWrite(artifacts: (0..<size).map {
                .create(NodeDraft(kind: .artifact, type: .name("Dataset", version: nil), uri: "s3://large/\($0)"))
            })
            var largeWritten = false
            _ = try await queueBehindHeldWrites(store, endpoint, (0..<2).map { Self.record("s\($0)") }) {
                let result = try await store.write(large, namespace: "default")
                #expect(result.artifactIDs.count == size)
                #expect(store.writeCoalescer.waitingCount == 2, "the small writes were still waiting")
                largeWritten = true
            }
            #expect(largeWritten)
        }
    }

    @Test func writesThatWaitTooLongRunAlone() async throws {
        let coalescer = WriteCoalescer(patience: .milliseconds(300))
        try await withStore(coalescer) { store, endpoint in
            var committedWhileHeld = false
            let results = try await queueBehindHeldWrites(store, endpoint, [Self.record("p0"), Self.record("p1")]) {
                // The slot stays held, yet the waiting writes give up waiting, run alone and commit.
                for _ in 0..<250 where !committedWhileHeld {
                    try await Task.sleep(for: .milliseconds(20))
                    committedWhileHeld = try await one(store, "SELECT count(*)::text FROM executions WHERE name IN ('run-p0', 'run-p1')") == "2"
                }
            }
            #expect(committedWhileHeld, "the waiting writes committed while the shared slot was still held")
            for result in results { _ = try result.get() }
        }
    }

    /// One step: an execution reading one new artifact and writing another, in a new context.
    static func record(_ name: String, inputName: String? = nil) -> LineageWrite {
        LineageWrite(
            artifacts: [
                .create(NodeDraft(kind: .artifact, type: .name("Dataset", version: nil), name: inputName, uri: "s3://in/\(name)")),
                .create(NodeDraft(kind: .artifact, type: .name("Dataset", version: nil), uri: "s3://out/\(name)")),
            ],
            executions: [.create(NodeDraft(kind: .execution, type: .name("Trainer", version: nil), name: "run-\(name)"))],
            contexts: [.create(NodeDraft(kind: .context, type: .name("Run", version: nil), name: "r-\(name)"))],
            events: [
                EventEdge(artifactIndex: 0, executionIndex: 0, type: .input),
                EventEdge(artifactIndex: 1, executionIndex: 0, type: .output),
            ])
    }

    /// Fills every write slot with a write held back in PostgreSQL, starts `writes` (which queue up for a shared
    /// statement), runs `whileTheyWait`, then lets everything go and returns the outcomes of `writes`, in order.
    ///
    /// A transaction on another connection inserts, without committing, the contexts the slot holders are about to
    /// insert: they wait on its unique key, which nothing else touches. Then it rolls back.
    func queueBehindHeldWrites(
        _ store: PostgresStore, _ endpoint: DatabaseEndpoint, _ writes: [LineageWrite],
        whileTheyWait: () async throws -> Void = {}
    ) async throws -> [Result<LineageWriteResult, ProvenanceError>] {
        let holders = (0..<store.writeCoalescer.statementLimit).map { Self.record("holder\($0)") }
        let blocker = try await PostgresConnection.connect(configuration: try endpoint.connectionConfiguration(), id: 99, logger: logger)
        defer { Task { try? await blocker.close() } }
        try await blocker.query("BEGIN", logger: logger)
        try await blocker.query(
            """
            INSERT INTO contexts (namespace_id, type_id, name)
            SELECT t.namespace_id, t.id, 'r-holder' || g FROM types t, generate_series(0, \(holders.count - 1)) g
            WHERE t.name = 'Run'
            """, logger: logger)
        func start(_ write: LineageWrite) -> Task<Result<LineageWriteResult, ProvenanceError>, Never> {
            Task {
                do throws(ProvenanceError) { return .success(try await store.write(write, namespace: "default")) }
                catch { return .failure(error) }
            }
        }
        let held = holders.map(start)
        try await waitUntil("\(holders.count) writes wait on the held contexts") {
            let rows = try await blocker.query(
                """
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                """, logger: logger)
            return try await rows.collect().first?.decode(Int64.self) == Int64(holders.count)
        }
        let tasks = writes.map(start)
        try await waitUntil("\(writes.count) writes queue for a slot") {
            store.writeCoalescer.waitingCount == writes.count
        }
        try await whileTheyWait()
        try await blocker.query("ROLLBACK", logger: logger)
        for task in held { _ = try await task.value.get() }
        var results: [Result<LineageWriteResult, ProvenanceError>] = []
        for task in tasks { results.append(await task.value) }
        return results
    }

    private func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<500 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("gave up waiting until \(what)")
        throw CancellationError()
    }

    private func one(_ store: PostgresStore, _ sql: String) async throws -> String? {
        let rows = try await store.client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        return try await rows.collect().first?.decode(String?.self)
    }

    private func withStore(
        // Patient enough that no waiting write gives up while a test holds the slot, however slow the machine.
        _ coalescer: WriteCoalescer = WriteCoalescer(patience: .seconds(60)),
        _ body: (PostgresStore, DatabaseEndpoint) async throws -> Void
    ) async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let store = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: 16), logger: logger, writeCoalescer: coalescer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            for (kind, name) in [(NodeKind.artifact, "Dataset"), (.execution, "Trainer"), (.context, "Run")] {
                _ = try await store.putType(NodeType(kind: kind, name: name), namespace: "default", options: .init())
            }
            try await body(store, endpoint)
        }
    }
}
