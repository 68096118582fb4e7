import Synchronization

/// Cuts short operations that wait too long for a pooled connection.
///
/// The pool itself would keep a lease request queued until its circuit breaker trips, far longer than a client
/// should wait. A timer per operation would bound that, but arming and cancelling one costs more than a small
/// write itself; instead one shared ticker, running only while operations are waiting, expires the overdue ones.
final class LeaseWatchdog: Sendable {
    /// How often overdue operations are looked for (so an operation gives up between the limit and the limit plus
    /// this).
    static let tick: Duration = .milliseconds(250)

    private struct Watched {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable () -> Void
    }

    private struct State {
        var watched: [UInt64: Watched] = [:]
        var nextToken: UInt64 = 0
        var tickerRunning = false
    }

    private let state = Mutex(State())

    /// Calls `expire` once `limit` has passed, unless `unwatch` is called with the returned token first.
    func watch(limit: Duration, expire: @escaping @Sendable () -> Void) -> UInt64 {
        let deadline = ContinuousClock.now + limit
        let (token, startTicker) = state.withLock { state in
            state.nextToken += 1
            state.watched[state.nextToken] = Watched(deadline: deadline, expire: expire)
            defer { state.tickerRunning = true }
            return (state.nextToken, !state.tickerRunning)
        }
        if startTicker { Task.detached { await self.runTicker() } }
        return token
    }

    /// Stops watching the operation of `token`.
    func unwatch(_ token: UInt64) {
        _ = state.withLock { $0.watched.removeValue(forKey: token) }
    }

    /// Expires overdue operations until none is left to watch.
    private func runTicker() async {
        while true {
            try? await Task.sleep(for: Self.tick)
            let now = ContinuousClock.now
            let (overdue, keepRunning) = state.withLock { state in
                let overdue = state.watched.filter { $0.value.deadline <= now }
                for token in overdue.keys { state.watched.removeValue(forKey: token) }
                state.tickerRunning = !state.watched.isEmpty
                return (overdue.values.map(\.expire), state.tickerRunning)
            }
            for expire in overdue { expire() }
            if !keepRunning { return }
        }
    }
}

/// Where an operation stands in getting its pooled connection; set exactly once, by whichever comes first.
final class LeaseState: Sendable {
    private static let waiting = 0, leased = 1, expired = 2
    private let value = Atomic<Int>(LeaseState.waiting)

    /// Records that the connection arrived; false if the wait had already expired.
    func markLeased() -> Bool {
        value.compareExchange(expected: Self.waiting, desired: Self.leased, ordering: .acquiringAndReleasing).exchanged
    }

    /// Records that the wait expired; false if the connection had already arrived.
    func markExpired() -> Bool {
        value.compareExchange(expected: Self.waiting, desired: Self.expired, ordering: .acquiringAndReleasing).exchanged
    }

    var hasExpired: Bool { value.load(ordering: .acquiring) == Self.expired }
}
