import Synchronization

/// Cuts short operations that wait too long for a pooled connection.
///
/// The pool itself would keep a lease request queued until its circuit breaker trips, far longer than a client
/// should wait. A timer per operation would bound that, but arming and cancelling one costs more than a small
/// write itself; instead one shared ticker, ticking only while operations are waiting, expires the overdue ones.
/// The ticker is `run()` by the store for as long as the store runs.
final class LeaseWatchdog: Sendable {
    /// How often overdue operations are looked for (so an operation gives up between the limit and the limit plus
    /// this).
    static let tick: Duration = .milliseconds(250)

    /// Why an operation stopped waiting for its connection.
    enum End: Sendable {
        /// It waited its limit out.
        case overdue
        /// The pool it waited on was replaced (the database came back after an outage): its wait would go on for
        /// a pool that may never connect again, while the new pool is ready.
        case poolReplaced
    }

    private struct Watched {
        let deadline: ContinuousClock.Instant
        let expire: @Sendable (End) -> Void
    }

    private struct State {
        var watched: [UInt64: Watched] = [:]
        var nextToken: UInt64 = 0
        var ticking = false
    }

    private let state = Mutex(State())
    /// Wakes the ticker when the first operation is watched.
    private let wakeups: (stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation) =
        AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// Calls `expire` once `limit` has passed, unless `unwatch` is called with the returned token first (or
    /// `endAll` ends every wait sooner).
    func watch(limit: Duration, expire: @escaping @Sendable (End) -> Void) -> UInt64 {
        let deadline = ContinuousClock.now + limit
        let (token, wake) = state.withLock { state in
            state.nextToken += 1
            state.watched[state.nextToken] = Watched(deadline: deadline, expire: expire)
            defer { state.ticking = true }
            return (state.nextToken, !state.ticking)
        }
        if wake { wakeups.continuation.yield() }
        return token
    }

    /// Stops watching the operation of `token`.
    func unwatch(_ token: UInt64) {
        _ = state.withLock { $0.watched.removeValue(forKey: token) }
    }

    /// Ends every watched wait now, for `end`.
    func endAll(_ end: End) {
        let ending = state.withLock { state in
            defer { state.watched.removeAll() }
            return state.watched.values.map(\.expire)
        }
        for expire in ending { expire(end) }
    }

    /// Expires overdue operations, ticking while any is watched and sleeping otherwise, until cancelled.
    func run() async {
        for await _ in wakeups.stream {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.tick)
                let now = ContinuousClock.now
                let (overdue, keepTicking) = state.withLock { state in
                    let overdue = state.watched.filter { $0.value.deadline <= now }
                    for token in overdue.keys { state.watched.removeValue(forKey: token) }
                    state.ticking = !state.watched.isEmpty
                    return (overdue.values.map(\.expire), state.ticking)
                }
                for expire in overdue { expire(.overdue) }
                if !keepTicking { break }
            }
        }
    }
}

/// Where an operation stands in getting its pooled connection; set exactly once, by whichever comes first.
final class LeaseState: Sendable {
    private static let waiting = 0, leased = 1, expired = 2, replaced = 3
    private let value = Atomic<Int>(LeaseState.waiting)

    /// Records that the connection arrived; false if the wait had already expired.
    func markLeased() -> Bool {
        value.compareExchange(expected: Self.waiting, desired: Self.leased, ordering: .acquiringAndReleasing).exchanged
    }

    /// Records that the wait ended (its limit passed, or its pool was replaced); false if the connection had
    /// already arrived.
    func markEnded(_ end: LeaseWatchdog.End) -> Bool {
        let desired = end == .overdue ? Self.expired : Self.replaced
        return value.compareExchange(expected: Self.waiting, desired: desired, ordering: .acquiringAndReleasing).exchanged
    }

    var hasExpired: Bool { value.load(ordering: .acquiring) == Self.expired }

    var wasReplaced: Bool { value.load(ordering: .acquiring) == Self.replaced }

    var wasLeased: Bool { value.load(ordering: .acquiring) == Self.leased }
}
