import Foundation
import ProvenanceCore
import SwiftProtobuf

/// MLMD's `Value` message and our property values, both ways. Structs travel as our JSON (their JSON form is
/// what REST shows), protos as type URL and bytes, so every value written over gRPC reads back identical.
enum MLMDValue {
    /// The property value a `Value` message carries; a message with no value set is an error naming `field` (in
    /// MLMD's words, which clients match).
    static func propertyValue(_ message: MlMetadata_Value, name: String, field: String) throws(ProvenanceError)
        -> PropertyValue
    {
        switch message.value {
        case .intValue(let value)?: return .int(value)
        case .doubleValue(let value)?: return .double(value)
        case .stringValue(let value)?: return .string(value)
        case .boolValue(let value)?: return .bool(value)
        case .structValue(let value)?: return .structValue(json(value))
        case .protoValue(let value)?: return .proto(typeURL: value.typeURL, value: [UInt8](value.value))
        case nil:
            throw .invalid(
                field,
                "Found unmatched property type: \(name): the value sets none of int_value, double_value, string_value, bool_value, struct_value, proto_value")
        }
    }

    /// A property map of a request, each value typed.
    static func propertyInputs(_ map: [String: MlMetadata_Value], field: String) throws(ProvenanceError)
        -> [String: PropertyInput]
    {
        var inputs: [String: PropertyInput] = [:]
        for (name, value) in map {
            inputs[name] = .typed(try propertyValue(value, name: name, field: "\(field).\(name)"))
        }
        return inputs
    }

    /// The `Value` message of a stored property value.
    static func message(_ value: PropertyValue) -> MlMetadata_Value {
        var message = MlMetadata_Value()
        switch value {
        case .int(let value): message.intValue = value
        case .double(let value): message.doubleValue = value
        case .string(let value): message.stringValue = value
        case .bool(let value): message.boolValue = value
        case .structValue(let json): message.structValue = protobufStruct(json)
        case .proto(let typeURL, let bytes):
            var any = Google_Protobuf_Any()
            any.typeURL = typeURL
            any.value = Data(bytes)
            message.protoValue = any
        }
        return message
    }

    /// The messages of a stored property map.
    static func messages(_ map: [String: PropertyValue]) -> [String: MlMetadata_Value] {
        map.mapValues(message)
    }

    /// A `google.protobuf.Struct` as a JSON object.
    static func json(_ value: Google_Protobuf_Struct) -> JSON {
        .object(value.fields.sorted { $0.key < $1.key }.map { (key: $0.key, value: json($0.value)) })
    }

    private static func json(_ value: Google_Protobuf_Value) -> JSON {
        switch value.kind {
        case .nullValue?, nil: .null
        case .numberValue(let number)?: .double(number)
        case .stringValue(let string)?: .string(string)
        case .boolValue(let bool)?: .bool(bool)
        case .structValue(let object)?: json(object)
        case .listValue(let list)?: .array(list.values.map(json))
        }
    }

    /// A JSON object as a `google.protobuf.Struct`; any other JSON becomes a struct with no fields (stored
    /// structs are always objects).
    static func protobufStruct(_ json: JSON) -> Google_Protobuf_Struct {
        var result = Google_Protobuf_Struct()
        if case .object(let members) = json {
            for member in members { result.fields[member.key] = protobufValue(member.value) }
        }
        return result
    }

    private static func protobufValue(_ json: JSON) -> Google_Protobuf_Value {
        var value = Google_Protobuf_Value()
        switch json {
        case .null: value.nullValue = .nullValue
        case .bool(let bool): value.boolValue = bool
        case .int(let int): value.numberValue = Double(int)
        case .double(let double): value.numberValue = double
        case .string(let string): value.stringValue = string
        case .array(let elements):
            var list = Google_Protobuf_ListValue()
            list.values = elements.map(protobufValue)
            value.listValue = list
        case .object: value.structValue = protobufStruct(json)
        }
        return value
    }
}
