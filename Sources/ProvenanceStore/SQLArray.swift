import NIOCore
import PostgresNIO

/// A type whose non-NULL values `SQLArray` can hold, written in PostgreSQL's binary format.
protocol SQLArrayElement: Sendable {
    /// The element type's OID, as the array header names it.
    static var elementType: PostgresDataType { get }
    /// The array type's OID, as the parameter's type.
    static var arrayType: PostgresDataType { get }
    /// Appends the value's binary form (without its length).
    func writeBinary(into buffer: inout ByteBuffer)
    /// The length of every value's binary form, for types whose values all have the same.
    static var binaryLength: Int32? { get }
}

extension SQLArrayElement {
    static var binaryLength: Int32? { nil }
}

extension Int64: SQLArrayElement {
    static var binaryLength: Int32? { 8 }
    static var elementType: PostgresDataType { .int8 }
    static var arrayType: PostgresDataType { .int8Array }
    func writeBinary(into buffer: inout ByteBuffer) { buffer.writeInteger(self) }
}

extension Int32: SQLArrayElement {
    static var binaryLength: Int32? { 4 }
    static var elementType: PostgresDataType { .int4 }
    static var arrayType: PostgresDataType { .int4Array }
    func writeBinary(into buffer: inout ByteBuffer) { buffer.writeInteger(self) }
}

extension Int16: SQLArrayElement {
    static var binaryLength: Int32? { 2 }
    static var elementType: PostgresDataType { .int2 }
    static var arrayType: PostgresDataType { .int2Array }
    func writeBinary(into buffer: inout ByteBuffer) { buffer.writeInteger(self) }
}

extension Bool: SQLArrayElement {
    static var binaryLength: Int32? { 1 }
    static var elementType: PostgresDataType { .bool }
    static var arrayType: PostgresDataType { .boolArray }
    func writeBinary(into buffer: inout ByteBuffer) { buffer.writeInteger(self ? 1 : 0, as: UInt8.self) }
}

extension String: SQLArrayElement {
    static var elementType: PostgresDataType { .text }
    static var arrayType: PostgresDataType { .textArray }
    func writeBinary(into buffer: inout ByteBuffer) { buffer.writeString(self) }
}

/// A one-dimensional array parameter that may hold NULLs (which postgres-nio's own array encoding cannot), built
/// element by element straight into its binary wire form. Statements take rows as several such arrays and
/// `unnest` them together, so no row is ever parsed from text on either side.
struct SQLArray<Element: SQLArrayElement>: PostgresNonThrowingEncodable, Sendable {
    private var elements = ByteBuffer()
    private(set) var count = 0
    private var hasNulls = false

    init() {}

    init(_ values: some Collection<Element>) {
        elements.reserveCapacity(values.count * Int(4 + (Element.binaryLength ?? 12)))
        for value in values { append(value) }
    }

    /// Appends `value`, or a NULL element.
    mutating func append(_ value: Element?) {
        count += 1
        guard let value else {
            hasNulls = true
            elements.writeInteger(Int32(-1))
            return
        }
        if let length = Element.binaryLength {
            elements.writeInteger(length)
            value.writeBinary(into: &elements)
            return
        }
        let lengthIndex = elements.writerIndex
        elements.writeInteger(Int32(0))
        value.writeBinary(into: &elements)
        elements.setInteger(Int32(elements.writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    /// Appends the elements of `other`.
    mutating func append(_ other: SQLArray) {
        count += other.count
        hasNulls = hasNulls || other.hasNulls
        elements.writeImmutableBuffer(other.elements)
    }

    static var psqlType: PostgresDataType { Element.arrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        buffer.writeInteger(Int32(count == 0 ? 0 : 1))
        buffer.writeInteger(Int32(hasNulls ? 1 : 0))
        buffer.writeInteger(Element.elementType.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))
        buffer.writeImmutableBuffer(elements)
    }
}
