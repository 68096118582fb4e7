/// Field checks shared by every adapter, so HTTP and gRPC reject the same things with the same words.
public enum Validation {
    /// The longest name, URI or external id accepted (MLMD's columns are similar in size).
    public static let maximumTextLength = 4096

    /// The most ids one read by id may name (MLMD's Get*ByID). The answer is built whole in memory; 100,000 ids took
    /// 12 s and hundreds of megabytes, so a larger read is a 400 that asks for pages.
    public static let maximumIDsPerRead = 10_000

    /// Rejects a read by id that names more than `maximumIDsPerRead` ids.
    public static func checkIDCount(_ count: Int, field: @autoclosure () -> String) throws(ProvenanceError) {
        guard count <= maximumIDsPerRead else {
            throw .invalid(field(), "names \(count) ids; one read may name at most \(maximumIDsPerRead) (read them in parts)")
        }
    }

    /// Joins a field path: `join("artifacts[0]", "name")` is `artifacts[0].name`.
    public static func join(_ path: String, _ field: String) -> String {
        path.isEmpty ? field : path + "." + field
    }

    /// Requires a non-empty name of bounded length. (Field paths here and below are built only for an error.)
    public static func requireName(_ value: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        guard !value.isEmpty else { throw .invalid(field(), "must not be empty") }
        try checkLength(value, field: field())
    }

    /// Rejects text over the maximum length, or that PostgreSQL cannot store.
    public static func checkLength(_ value: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        guard value.utf8.count <= maximumTextLength else {
            throw .invalid(field(), "is longer than \(maximumTextLength) bytes")
        }
        try checkText(value, field: field())
    }

    /// Rejects text PostgreSQL cannot store: text with a NUL character (U+0000) is refused by its text and jsonb
    /// types alike.
    public static func checkText(_ value: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        guard !value.utf8.contains(0) else { throw .invalid(field(), "must not contain a NUL character (U+0000)") }
    }

    /// Namespace names are used in URLs and in paths (an executor's work directory and artifact root): 1 to 63
    /// characters of letters, digits, '-', '_' and '.', starting with a letter or digit and without '..', so a
    /// name is always one safe path segment (never `.`, `..` or a way out of a directory).
    public static func checkNamespaceName(_ value: String, field: String = "name") throws(ProvenanceError) {
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let allowed = value.utf8.allSatisfy { byte in
            isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard let first = value.utf8.first, value.utf8.count <= 63, allowed, isAlphanumeric(first), !value.contains("..")
        else {
            throw .invalid(field, "must be 1 to 63 letters, digits, '-', '_' or '.', starting with a letter or digit, without '..'")
        }
    }
}
