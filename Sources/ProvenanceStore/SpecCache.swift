import ProvenanceCore
import Synchronization

/// Definitions that never change once stored (component versions, pipeline versions), by id, parsed once: every
/// lease and outcome needs its task's component, and every run submission its pipeline version, so parsing and
/// checking their JSON each time would be waste (a 10,000-step pipeline's spec is a megabyte).
final class SpecCache<Spec: Sendable>: Sendable {
    private let specs = Mutex<[Int64: Spec]>([:])

    /// The definition stored under `id`, if parsed before.
    func cached(_ id: Int64) -> Spec? {
        specs.withLock { $0[id] }
    }

    /// The definition stored under `id`, parsed by `parse` from `text` (its stored JSON) the first time.
    func spec(id: Int64, text: String, parse: (JSON) throws(ProvenanceError) -> Spec) throws(ProvenanceError) -> Spec {
        if let cached = cached(id) { return cached }
        let spec = try parse(try JSONParser.parse(text))
        specs.withLock { $0[id] = spec }
        return spec
    }
}
