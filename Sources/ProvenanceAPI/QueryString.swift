import Foundation
import ProvenanceCore

/// A URL's query string as the API reads and writes it: `name=value` pairs joined by `&`, form-encoded (`+` or
/// `%20` a space, `%XX` a byte), so `curl --data-urlencode` and Python's `requests` both work. Of a name given
/// twice, the first counts.
public struct QueryString: Sendable, Equatable {
    /// The pairs in order, decoded.
    public private(set) var names: [String] = []
    public private(set) var values: [String] = []

    /// An empty query.
    public init() {}

    /// Parses the part of a URL after `?` (nil: none). Malformed percent-encoding stays as written, so the
    /// parameter's own check reports it.
    public init(parsing raw: String?) {
        for pair in (raw ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            append(Self.formDecoded(parts[0]), parts.count > 1 ? Self.formDecoded(parts[1]) : "")
        }
    }

    /// The value of `name`; one holding a NUL character (`%00`) is refused naming it, as nothing stored can hold one.
    public func value(_ name: String) throws(ProvenanceError) -> String? {
        guard let index = names.firstIndex(of: name) else { return nil }
        try Validation.checkText(values[index], field: name)
        return values[index]
    }

    /// The integer value of `name`.
    public func integer(_ name: String) throws(ProvenanceError) -> Int64? {
        guard let text = try value(name) else { return nil }
        guard let number = Int64(text) else { throw .invalid(name, "expected an integer, got '\(text)'") }
        return number
    }

    /// Adds a pair.
    public mutating func append(_ name: String, _ value: String) {
        names.append(name)
        values.append(value)
    }

    /// The query as a URL carries it (without the `?`).
    public var encoded: String {
        zip(names, values).map { "\(Self.formEncoded($0))=\(Self.formEncoded($1))" }.joined(separator: "&")
    }

    private static func formDecoded(_ text: Substring) -> String {
        let spaced = String(text.replacing("+", with: " "))
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Everything but unreserved characters percent-encoded.
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func formEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
