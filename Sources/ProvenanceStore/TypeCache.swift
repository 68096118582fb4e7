import ProvenanceCore
import Synchronization

/// Types by id and by key. Types only grow (properties are added, never removed or retyped), so a cached type is
/// at worst missing a newly added property; callers refresh an entry when a check fails against it.
final class TypeCache: Sendable {
    struct Key: Hashable {
        var namespace: NamespaceID
        var kind: NodeKind
        var name: String
        var version: String?
    }

    private struct State {
        var byID: [TypeID: (namespace: NamespaceID, type: NodeType)] = [:]
        var byKey: [Key: TypeID] = [:]
    }

    private let state = Mutex(State())

    func type(_ id: TypeID) -> (namespace: NamespaceID, type: NodeType)? {
        state.withLock { $0.byID[id] }
    }

    func type(_ key: Key) -> NodeType? {
        state.withLock { state in state.byKey[key].flatMap { state.byID[$0]?.type } }
    }

    func store(_ type: NodeType, namespace: NamespaceID) {
        state.withLock { state in
            state.byID[type.id] = (namespace, type)
            state.byKey[Key(namespace: namespace, kind: type.kind, name: type.name, version: type.version)] = type.id
        }
    }
}
