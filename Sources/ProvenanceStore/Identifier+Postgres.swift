import NIOCore
import PostgresNIO
import ProvenanceCore

/// Typed ids travel to and from PostgreSQL as the `int8` they wrap, alone and in arrays, so the store binds and
/// decodes `TaskID`, `RunID` and the others directly rather than through raw `Int64`s.
extension Identifier: PostgresNonThrowingEncodable, PostgresDecodable,
    PostgresArrayEncodable, PostgresArrayDecodable, SQLArrayElement
{
    public static var psqlType: PostgresDataType { .int8 }
    public static var psqlFormat: PostgresFormat { .binary }
    public static var psqlArrayType: PostgresDataType { .int8Array }
    static var binaryLength: Int32? { 8 }
    static var elementType: PostgresDataType { .int8 }
    static var arrayType: PostgresDataType { .int8Array }

    public func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(rawValue, as: Int64.self)
    }

    public init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        self.init(try Int64(from: &buffer, type: type, format: format, context: context))
    }

    func writeBinary(into buffer: inout ByteBuffer) { buffer.writeInteger(rawValue) }
}
