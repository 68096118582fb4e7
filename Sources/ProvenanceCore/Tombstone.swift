/// What is left of a deleted artifact, execution or context: what it was, who deleted it and when. Its events stay,
/// so a lineage walk passes through it and reports it as deleted instead of silently stopping.
public struct Tombstone: Sendable, Hashable {
    public var kind: NodeKind
    public var id: Int64
    public var typeID: TypeID
    public var name: String?
    public var uri: String?
    /// When it was deleted, in microseconds since the epoch.
    public var deleteTime: Int64
    /// Who deleted it (the principal's name).
    public var deletedBy: String

    public init(
        kind: NodeKind, id: Int64, typeID: TypeID, name: String?, uri: String?, deleteTime: Int64, deletedBy: String
    ) {
        self.kind = kind
        self.id = id
        self.typeID = typeID
        self.name = name
        self.uri = uri
        self.deleteTime = deleteTime
        self.deletedBy = deletedBy
    }
}
