/// A namespace: the unit of isolation. Every type and node belongs to exactly one.
public struct Namespace: Sendable, Equatable {
    /// The stored id.
    public var id: NamespaceID
    /// The unique name used in URLs.
    public var name: String
    /// Free text.
    public var description: String?
    /// Creation time, microseconds since the Unix epoch.
    public var createTime: Int64

    /// Creates a namespace value.
    public init(id: NamespaceID, name: String, description: String?, createTime: Int64) {
        self.id = id
        self.name = name
        self.description = description
        self.createTime = createTime
    }

    /// The namespace that exists from installation on.
    public static let defaultName = "default"
}
