import ProvenanceCore
import SwiftProtobuf

/// What MLMD's ArtifactType, ExecutionType and ContextType messages share, so that one translation serves all
/// three kinds.
protocol MLMDTypeMessage: SwiftProtobuf.Message {
    associatedtype BaseType: SwiftProtobuf.Enum where BaseType.RawValue == Int
    static var kind: NodeKind { get }
    var id: Int64 { get set }
    var hasID: Bool { get }
    var name: String { get set }
    var hasName: Bool { get }
    var version: String { get set }
    var hasVersion: Bool { get }
    var description_p: String { get set }
    var hasDescription_p: Bool { get }
    var externalID: String { get set }
    var hasExternalID: Bool { get }
    var properties: [String: MlMetadata_PropertyType] { get set }
    var baseType: BaseType { get set }
    var hasBaseType: Bool { get }
}

extension MlMetadata_ArtifactType: MLMDTypeMessage {
    static var kind: NodeKind { .artifact }
}

extension MlMetadata_ExecutionType: MLMDTypeMessage {
    static var kind: NodeKind { .execution }
}

extension MlMetadata_ContextType: MLMDTypeMessage {
    static var kind: NodeKind { .context }
}

extension MLMDTypeMessage {
    /// The message of a stored type.
    init(_ type: NodeType) {
        self.init()
        id = type.id.rawValue
        name = type.name
        if let version = type.version { self.version = version }
        if let description = type.description { description_p = description }
        if let externalID = type.externalID { self.externalID = externalID }
        properties = type.properties.mapValues { MlMetadata_PropertyType(rawValue: Int($0.rawValue)) ?? .unknown }
        if let base = type.baseType, let index = Self.kind.baseTypeNames.firstIndex(of: base),
            let value = BaseType(rawValue: index)
        {
            baseType = value
        }
    }

    /// The type a client wants stored; `field` names the message in errors.
    func nodeType(field: String) throws(ProvenanceError) -> NodeType {
        var schema: [String: PropertyType] = [:]
        for (property, value) in properties {
            guard value != .unknown, let type = PropertyType(rawValue: Int16(value.rawValue)) else {
                throw .invalid("\(field).properties.\(property)", "property type must not be UNKNOWN")
            }
            schema[property] = type
        }
        var base: String?
        if hasBaseType && baseType.rawValue != 0 {
            guard Self.kind.baseTypeNames.indices.contains(baseType.rawValue) else {
                throw .invalid("\(field).base_type", "unknown base type \(baseType.rawValue)")
            }
            base = Self.kind.baseTypeNames[baseType.rawValue]
        }
        return NodeType(
            id: TypeID(hasID ? id : 0), kind: Self.kind, name: name, version: hasVersion ? version : nil,
            description: hasDescription_p ? description_p : nil, externalID: hasExternalID ? externalID : nil,
            baseType: base, properties: schema)
    }
}
