import Metrics
import Foundation
import ProvenanceCore
import Synchronization

/// Lets concurrent composite writes of new nodes share one statement.
///
/// For a write of one record, PostgreSQL spends most of its time on the statement rather than on the rows:
/// starting the executor, the per-statement work of each insert, the commit. Sixteen clients writing one record
/// each cost far more than one statement writing sixteen. So while `statementLimit` statements are running, further
/// writes wait, and the next statement writes all of them together (as far as `sizeLimit` rows, events and links
/// allow), in one transaction. A write that finds a free slot runs at once: a lone client never waits. A write of
/// at least `ownStatementSize` items has little to gain from company and runs at once in any case, so large
/// batches from several clients are written side by side.
///
/// A write that has waited `patience` without being taken (a shared statement stuck on a lock held outside
/// Provenance, say) stops waiting and runs alone, so a stuck statement never holds the writes behind it.
///
/// Each write still succeeds or fails on its own. When a shared statement fails, nothing of it was written, and
/// each of its writes runs again alone, so it gets its own answer and one bad write never fails another.
final class WriteCoalescer: Sendable {
    /// Runs one statement: a write, or (`shared`) several appended together. A shared statement that failed need not
    /// be retried: its writes are run again alone.
    typealias Statement = @Sendable (_ parameters: LineageWriteParameters, _ shared: Bool) async throws(ProvenanceError)
        -> LineageWriteResult

    /// Shared statements that may run at once.
    let statementLimit: Int
    /// The most rows, events and links one shared statement takes from waiting writes.
    let sizeLimit: Int
    /// The most writes one shared statement takes. If it fails they all run again alone at once, so this keeps
    /// that burst within what the connection pool serves well inside its wait limit.
    let writeLimit: Int
    /// Writes of at least this many rows, events and links never wait for a slot.
    let ownStatementSize: Int
    /// How long a write waits to be taken into a shared statement before it runs alone.
    let patience: Duration
    /// Expires the waits that outlast `patience`.
    private let watchdog = LeaseWatchdog()
    private let state = Mutex(State())

    /// Creates a coalescer; by default one shared statement runs at a time per two cores: on a small machine that
    /// makes the batches large, which is what saves the database its work.
    init(
        statementLimit: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2), sizeLimit: Int = 2_000,
        ownStatementSize: Int = 256, writeLimit: Int = 32, patience: Duration = .seconds(2)
    ) {
        self.statementLimit = statementLimit
        self.sizeLimit = sizeLimit
        self.writeLimit = writeLimit
        self.ownStatementSize = ownStatementSize
        self.patience = patience
    }

    /// Expires the waits that outlast `patience`, until cancelled (the store runs it).
    func run() async {
        await watchdog.run()
    }

    /// How many writes wait for a slot now.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Writes `parameters` (a write of new nodes only) through `statement`, alone or with others.
    func write(_ parameters: LineageWriteParameters, statement: @escaping Statement) async throws(ProvenanceError)
        -> LineageWriteResult
    {
        guard parameters.size < ownStatementSize else { return try await statement(parameters, false) }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let waiting: UInt64? = state.withLock { state in
                guard state.running < statementLimit else {
                    state.nextWaiter += 1
                    state.waiting.append(Waiter(id: state.nextWaiter, parameters: parameters, continuation: continuation))
                    return state.nextWaiter
                }
                state.running += 1
                return nil
            }
            guard let waiting else { return continuation.resume(returning: .lead([])) }
            // Whoever takes the waiter out of the queue (a statement, or its expired watch) resumes it, once; a
            // statement that takes it stops the watch.
            let watch = watchdog.watch(limit: patience) { [self] _ in
                take(waiting)?.continuation.resume(returning: .alone)
            }
            let taken = state.withLock { state in
                guard let index = state.waiting.firstIndex(where: { $0.id == waiting }) else { return true }
                state.waiting[index].watch = watch
                return false
            }
            if taken { watchdog.unwatch(watch) }
        }
        switch turn {
        case .written(let result): return result
        case .alone: return try await statement(parameters, false)
        case .lead(let others): return try await lead(parameters, with: others, statement: statement)
        }
    }

    /// Takes the waiter `id` out of the queue, unless a statement took it first.
    private func take(_ id: UInt64) -> Waiter? {
        state.withLock { state in state.waiting.firstIndex { $0.id == id }.map { state.waiting.remove(at: $0) } }
    }

    /// Runs `own` and `others` as one statement, answers the others, and passes the slot on.
    private func lead(_ own: LineageWriteParameters, with others: [Waiter], statement: @escaping Statement)
        async throws(ProvenanceError) -> LineageWriteResult
    {
        guard !others.isEmpty else {
            defer { passSlotOn() }
            return try await statement(own, false)
        }
        Counter(label: MetricName.sharedWriteStatements).increment()
        Counter(label: MetricName.writesCoalesced).increment(by: others.count + 1)
        var shared = own
        var starts: [[NodeKind: Int]] = []
        for waiter in others {
            starts.append(shared.counts)
            shared.append(waiter.parameters)
        }
        // The statement is the others' as much as the leader's: it runs in a task of its own, so that the leader's
        // caller giving up (a cancelled task) does not cut it short for everyone.
        let outcome = await Task { () async -> Result<LineageWriteResult, ProvenanceError> in
            do throws(ProvenanceError) { return .success(try await statement(shared, true)) }
            catch { return .failure(error) }
        }.value
        passSlotOn()
        guard case .success(let result) = outcome else {
            for waiter in others { waiter.continuation.resume(returning: .alone) }
            return try await statement(own, false)
        }
        for (waiter, start) in zip(others, starts) {
            waiter.continuation.resume(returning: .written(result.slice(from: start, counts: waiter.parameters.counts)))
        }
        return result.slice(from: [:], counts: own.counts)
    }

    /// Gives the slot of a finished statement to the oldest waiting write, with the waiting writes that can share
    /// its statement; or frees it when nobody waits.
    private func passSlotOn() {
        let next: (lead: Waiter, others: [Waiter])? = state.withLock { state in
            guard let first = state.waiting.first else {
                state.running -= 1
                return nil
            }
            var others: [Waiter] = [], stillWaiting: [Waiter] = []
            var size = first.parameters.size
            for waiter in state.waiting.dropFirst() {
                if waiter.parameters.canShareStatement(with: first.parameters), size + waiter.parameters.size <= sizeLimit,
                    others.count + 1 < writeLimit
                {
                    others.append(waiter)
                    size += waiter.parameters.size
                } else {
                    stillWaiting.append(waiter)
                }
            }
            state.waiting = stillWaiting
            return (first, others)
        }
        guard let next else { return }
        for waiter in [next.lead] + next.others {
            if let watch = waiter.watch { watchdog.unwatch(watch) }
        }
        next.lead.continuation.resume(returning: .lead(next.others))
    }

    private struct State {
        var running = 0
        var waiting: [Waiter] = []
        var nextWaiter: UInt64 = 0
    }

    private struct Waiter: Sendable {
        let id: UInt64
        let parameters: LineageWriteParameters
        let continuation: CheckedContinuation<Turn, Never>
        /// The watchdog's token for this wait, once it is armed.
        var watch: UInt64?
    }

    /// What a waiting write is told to do.
    private enum Turn: Sendable {
        /// Run a statement for yourself and these.
        case lead([Waiter])
        /// A shared statement wrote you.
        case written(LineageWriteResult)
        /// The shared statement failed, or the wait outlasted `patience`: run alone.
        case alone
    }
}
