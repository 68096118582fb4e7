import ProvenanceCore
import Synchronization

/// The leases an executor holds, with the capacity they use, and a signal each time one ends (a slot freed).
final class HeldLeases: Sendable {
    private struct Held {
        let lease: Lease
        let control: StepControl
        let resources: ResourceRequest
    }

    private let capacity: ExecutorCapacity
    private let held = Mutex<[LeaseToken: Held]>([:])
    private let freed = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    init(capacity: ExecutorCapacity) {
        self.capacity = capacity
    }

    /// What is free now.
    var available: ExecutorCapacity {
        held.withLock { held in held.values.reduce(capacity) { $0.minus($1.resources) } }
    }

    /// How many steps run.
    var count: Int { held.withLock { $0.count } }

    /// The tokens of every lease held.
    var tokens: [LeaseToken] { held.withLock { Array($0.keys) } }

    /// Records a lease taken, with what stops its step.
    func add(_ lease: Lease, control: StepControl, resources: ResourceRequest) {
        held.withLock { $0[lease.token] = Held(lease: lease, control: control, resources: resources) }
    }

    /// Records a lease ended.
    func remove(_ token: LeaseToken) {
        held.withLock { _ = $0.removeValue(forKey: token) }
        freed.continuation.yield()
    }

    /// The control of the step holding `token`.
    func control(_ token: LeaseToken) -> StepControl? { held.withLock { $0[token]?.control } }

    /// Stops every step, for `reason`.
    func stopAll(_ reason: StopReason) {
        for control in held.withLock({ $0.values.map(\.control) }) { control.stop(reason) }
    }

    /// Returns once a lease has ended since the last call (or at once if one had).
    func waitForFreedSlot() async {
        var iterator = freed.stream.makeAsyncIterator()
        _ = await iterator.next()
    }
}
