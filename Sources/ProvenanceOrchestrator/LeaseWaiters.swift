import ProvenanceCore
import Synchronization

/// The executors waiting in a long poll for a task, woken first come first served when tasks are queued (by this
/// replica or, through `TaskQueueListener`, by any other), or when their wait is over.
final class LeaseWaiters: Sendable {
    private struct State {
        var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        /// Waiters ended (timed out, cancelled) before they had registered.
        var ended: Set<UInt64> = []
        var nextID: UInt64 = 0
        /// Wakes that found no one waiting, kept for the next waiter (a task queued just before it came).
        var unclaimed = 0
        /// Waiters woken by queued work (not by the end of their wait), since the start.
        var woken = 0
    }

    private let state = Mutex(State())

    /// How many wait now.
    var count: Int { state.withLock { $0.waiting.count } }

    /// How many waiters queued work has woken since the start (those whose wait simply ended are not counted).
    var wokenCount: Int { state.withLock { $0.woken } }

    /// Waits until woken, or `limit` passes, or the calling task is cancelled, or `cancellation` fires.
    func wait(atMost limit: Duration, cancellation: RequestCancellation? = nil) async {
        let id: UInt64? = state.withLock { state in
            if state.unclaimed > 0 {
                state.unclaimed -= 1
                state.woken += 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        let registration = cancellation?.onCancel { self.resume(id) }
        defer { cancellation?.remove(registration) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: limit)
                self.resume(id)
            }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let endedAlready = self.state.withLock { state in
                            guard state.ended.remove(id) == nil else { return true }
                            state.waiting.append((id, continuation))
                            return false
                        }
                        if endedAlready { continuation.resume() }
                    }
                } onCancel: {
                    self.resume(id)
                }
            }
            await group.next()
            group.cancelAll()
        }
        // Whichever way it ended, nothing of this waiter stays behind.
        state.withLock { _ = $0.ended.remove(id) }
    }

    /// Wakes up to `count` waiters, oldest first (`Int.max`: all). Wakes no one waited for are kept (a few) for
    /// the next to come.
    func wake(_ count: Int) {
        let woken: [CheckedContinuation<Void, Never>] = state.withLock { state in
            let taken = Array(state.waiting.prefix(count))
            state.waiting.removeFirst(taken.count)
            state.woken += taken.count
            if count != Int.max, taken.count < count { state.unclaimed = min(state.unclaimed + count - taken.count, 64) }
            return taken.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Ends the wait of `id`: resumes it if it waits, else marks it ended for when it registers.
    private func resume(_ id: UInt64) {
        let woken: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else {
                state.ended.insert(id)
                return nil
            }
            return state.waiting.remove(at: index).continuation
        }
        woken?.resume()
    }
}
