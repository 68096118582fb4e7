import Foundation
import Synchronization

/// Which namespaces hold tombstones, so a lineage walk looks for deleted nodes only where there can be some: a
/// namespace that has one always will (tombstones are kept), and a namespace found to hold none is asked again after
/// `recheckAfter` (a delete on another replica shows within that time; on this one at once).
final class TombstoneWatch: Sendable {
    static let recheckAfter: Duration = .seconds(2)

    private let state = Mutex<(holding: Set<Int64>, clearAt: [Int64: ContinuousClock.Instant])>(([], [:]))

    /// Whether namespace `id` holds tombstones, if known.
    func holds(_ id: Int64) -> Bool? {
        state.withLock { state in
            if state.holding.contains(id) { return true }
            guard let checked = state.clearAt[id], checked.duration(to: .now) < Self.recheckAfter else { return nil }
            return false
        }
    }

    /// Records what the database said of namespace `id`.
    func record(_ id: Int64, holds: Bool) {
        state.withLock { state in
            if holds {
                state.holding.insert(id)
                state.clearAt[id] = nil
            } else {
                state.clearAt[id] = .now
            }
        }
    }
}
