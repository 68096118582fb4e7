import Synchronization

/// Why a running step is being stopped before it ended by itself.
enum StopReason: Sendable, Equatable {
    /// It ran past its component's timeout.
    case timeout
    /// Its run is being cancelled.
    case canceled
    /// The executor no longer holds its lease (it expired, say, while the executor was paused): someone else may
    /// run it now, so it must stop and report nothing.
    case leaseLost
    /// The executor is shutting down and gives the lease back.
    case shutdown
}

/// The way to stop one running step, shared by the step and the executor's heartbeat and shutdown.
final class StepControl: Sendable {
    private let reason = Mutex<StopReason?>(nil)
    private let signal = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    /// Asks the step to stop, for `reason` (the first reason given stands).
    func stop(_ reason: StopReason) {
        let first = self.reason.withLock { current in
            guard current == nil else { return false }
            current = reason
            return true
        }
        if first { signal.continuation.yield() }
    }

    /// Why the step was stopped, if it was.
    var stopReason: StopReason? { reason.withLock { $0 } }

    /// Returns once the step is asked to stop, or (stopping it for that) once `timeout` passes.
    func waitForStop(timeout: Duration?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = self.signal.stream.makeAsyncIterator()
                _ = await iterator.next()
            }
            if let timeout {
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self.stop(.timeout) }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
