import ProvenanceCore
import Synchronization

/// Component definitions by id, read once: a registered component version never changes, and every lease and
/// every outcome needs its task's definition, so parsing and checking its JSON each time would be waste.
final class ComponentSpecCache: Sendable {
    private let specs = Mutex<[Int64: ComponentSpec]>([:])

    /// The definition of component `id`, parsed from `text` (its stored JSON) the first time.
    func spec(id: Int64, text: String) throws -> ComponentSpec {
        if let cached = specs.withLock({ $0[id] }) { return cached }
        let spec = try ComponentSpec(json: try JSONParser.parse(text))
        specs.withLock { $0[id] = spec }
        return spec
    }
}
