import Crypto

/// SHA-256 digests over one canonical encoding: what decides identity (a pipeline version's content address, a
/// task's cache fingerprint, a completion's idempotency digest, a page token's binding to its query, a migration's
/// checksum) is computed here and nowhere else.
///
/// Values are fed through `CanonicalEncoding`, which writes each one with a type tag and a length, so no two
/// different sequences of values encode alike (`"a|b", "c"` and `"a", "b|c"` differ, where joined text did not),
/// and objects are written with their keys sorted, so key order never matters.
public enum Digest {
    /// The lowercase hex SHA-256 of what `build` writes.
    public static func sha256(_ build: (inout CanonicalEncoding) -> Void) -> String {
        var encoding = CanonicalEncoding()
        build(&encoding)
        return hex(SHA256.hash(data: encoding.bytes))
    }

    /// The lowercase hex SHA-256 of `text`'s UTF-8 bytes (a file's content, as a migration's).
    public static func sha256(text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// The first 8 bytes of `sha256(build)` as a number, where a token has room for no more (a page token's
    /// binding to its query, which only has to tell queries apart, not resist forgery: tokens are not secrets).
    public static func sha256Prefix64(_ build: (inout CanonicalEncoding) -> Void) -> UInt64 {
        var encoding = CanonicalEncoding()
        build(&encoding)
        return SHA256.hash(data: encoding.bytes).prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// The canonical byte encoding digests are computed over: every value is a one-byte tag, then (for variable-length
/// values) its length as 8 bytes big-endian, then its bytes. JSON objects are written with their members sorted by
/// key; `.int(5)` and `.double(5)` differ, as they do in a spec.
public struct CanonicalEncoding {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []

    private enum Tag: UInt8 {
        case null = 0x00, falseValue = 0x01, trueValue = 0x02, int = 0x03, double = 0x04, string = 0x05
        case array = 0x06, object = 0x07, absent = 0x08
    }

    init() {}

    /// Writes a string.
    public mutating func append(_ text: String) {
        tag(.string)
        let utf8 = Array(text.utf8)
        length(utf8.count)
        bytes += utf8
    }

    /// Writes a number.
    public mutating func append(_ number: Int64) {
        tag(.int)
        word(UInt64(bitPattern: number))
    }

    /// Writes a number.
    public mutating func append(_ number: Int) {
        append(Int64(number))
    }

    /// Writes a flag.
    public mutating func append(_ flag: Bool) {
        tag(flag ? .trueValue : .falseValue)
    }

    /// Writes a string, or a marker of its absence (distinct from the empty string).
    public mutating func append(_ text: String?) {
        if let text { append(text) } else { tag(.absent) }
    }

    /// Writes a number, or a marker of its absence.
    public mutating func append(_ number: Int64?) {
        if let number { append(number) } else { tag(.absent) }
    }

    /// Writes a JSON value, objects with their keys sorted.
    public mutating func append(_ json: JSON) {
        switch json {
        case .null: tag(.null)
        case .bool(let flag): append(flag)
        case .int(let number): append(number)
        case .double(let number):
            tag(.double)
            // One zero: -0.0 and 0.0 are the same value in a spec.
            word((number == 0 ? 0.0 : number).bitPattern)
        case .string(let text): append(text)
        case .array(let elements):
            tag(.array)
            length(elements.count)
            for element in elements { append(element) }
        case .object(let members):
            append(object: members)
        }
    }

    /// Writes an object given as a dictionary, its keys sorted.
    public mutating func append(_ members: [String: JSON]) {
        append(object: members.map { (key: $0.key, value: $0.value) })
    }

    /// Writes a map of names to numbers (input artifacts by name), its keys sorted.
    public mutating func append(_ members: [String: Int64]) {
        append(members.mapValues(JSON.int))
    }

    private mutating func append(object members: [(key: String, value: JSON)]) {
        tag(.object)
        length(members.count)
        for member in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            append(member.key)
            append(member.value)
        }
    }

    private mutating func tag(_ tag: Tag) {
        bytes.append(tag.rawValue)
    }

    private mutating func length(_ count: Int) {
        word(UInt64(count))
    }

    private mutating func word(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
