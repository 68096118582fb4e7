/// A typed database id: an `ArtifactID` cannot be passed where an `ExecutionID` is expected.
public struct Identifier<Tag>: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The bigint id as stored and as sent on the wire.
    public let rawValue: Int64

    /// Wraps a raw id.
    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// Tag types for `Identifier`; never instantiated.
public enum ArtifactTag {}
/// Tag for execution ids.
public enum ExecutionTag {}
/// Tag for context ids.
public enum ContextTag {}
/// Tag for type ids.
public enum TypeTag {}
/// Tag for namespace ids.
public enum NamespaceTag {}

/// The id of an artifact.
public typealias ArtifactID = Identifier<ArtifactTag>
/// The id of an execution.
public typealias ExecutionID = Identifier<ExecutionTag>
/// The id of a context.
public typealias ContextID = Identifier<ContextTag>
/// The id of an artifact, execution or context type.
public typealias TypeID = Identifier<TypeTag>
/// The id of a namespace.
public typealias NamespaceID = Identifier<NamespaceTag>
