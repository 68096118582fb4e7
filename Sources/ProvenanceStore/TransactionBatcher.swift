import ProvenanceCore
import Synchronization

/// Lets concurrent operations of one kind (attempt completions) share a transaction.
///
/// Most of what a small transaction costs PostgreSQL is per statement and per commit, not per row; a completion is
/// several statements. So while `concurrency` batches run, further operations wait, and the next batch takes all of
/// them (up to `maximumBatch`) into one transaction of set-based statements. An operation that finds a free slot
/// runs at once: a lone client never waits. When one transaction finishes, the first waiting operation leads the
/// next batch, so no caller's answer waits for others' batches.
///
/// Each operation still gets its own answer: `process` returns one result per item, so a bad item (a stale lease
/// token) fails alone. Should a shared transaction fail as a whole, nothing of it was written, and each of its
/// items runs again alone.
final class TransactionBatcher<Item: Sendable, Output: Sendable>: Sendable {
    /// Runs items in one transaction, returning one result per item, in order.
    typealias Process = @Sendable ([Item]) async throws(ProvenanceError) -> [Result<Output, ProvenanceError>]

    private struct Waiter: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Turn, Never>
    }

    private enum Turn: Sendable {
        /// Lead a batch of the caller's own item and these.
        case lead([Waiter])
        /// Another batch ran the item.
        case done(Result<Output, ProvenanceError>)
    }

    private struct State: Sendable {
        var running = 0
        var waiting: [Waiter] = []
    }

    /// Batches that may run at once.
    let concurrency: Int
    /// The most items one batch takes.
    let maximumBatch: Int
    private let state = Mutex(State())

    /// Creates a batcher.
    init(concurrency: Int, maximumBatch: Int) {
        self.concurrency = max(concurrency, 1)
        self.maximumBatch = max(maximumBatch, 1)
    }

    /// Runs `item` through `process`, alone or with others.
    func run(_ item: Item, process: @escaping Process) async throws(ProvenanceError) -> Output {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leads: Bool = state.withLock { state in
                guard state.running < concurrency else {
                    state.waiting.append(Waiter(item: item, continuation: continuation))
                    return false
                }
                state.running += 1
                return true
            }
            if leads { continuation.resume(returning: .lead([])) }
        }
        switch turn {
        case .done(let result):
            return try result.get()
        case .lead(let others):
            let results = await runBatch([item] + others.map(\.item), process: process)
            for (offset, waiter) in others.enumerated() { waiter.continuation.resume(returning: .done(results[offset + 1])) }
            handOff()
            return try results[0].get()
        }
    }

    /// Runs a batch; if it fails as a whole, each item alone.
    private func runBatch(_ items: [Item], process: @escaping Process) async -> [Result<Output, ProvenanceError>] {
        // A shared batch works for several clients: one that hangs up must not cancel the others' work.
        let shared: Result<[Result<Output, ProvenanceError>], ProvenanceError> =
            await RequestCancellation.$current.withValue(items.count > 1 ? nil : RequestCancellation.current) {
                do throws(ProvenanceError) {
                    return .success(try await process(items))
                } catch {
                    return .failure(error)
                }
            }
        switch shared {
        case .success(let results):
            precondition(results.count == items.count, "a batch answers every item")
            return results
        case .failure(let error):
            guard items.count > 1 else { return [.failure(error)] }
            var results: [Result<Output, ProvenanceError>] = []
            for item in items {
                do throws(ProvenanceError) {
                    results.append(contentsOf: try await process([item]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// Gives the slot to the next batch (its first waiter leads it), or frees it.
    private func handOff() {
        let next: (leader: Waiter, others: [Waiter])? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            let batch = Array(state.waiting.prefix(maximumBatch))
            state.waiting.removeFirst(batch.count)
            return (batch[0], Array(batch.dropFirst()))
        }
        if let next { next.leader.continuation.resume(returning: .lead(next.others)) }
    }
}
