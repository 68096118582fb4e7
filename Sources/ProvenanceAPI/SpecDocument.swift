import ProvenanceCore
import Yams

/// A spec (a component or a pipeline) as a client sends it: JSON, or YAML (by its content type, or by not
/// starting with `{`), read into the same JSON value so both travel through one reader.
public enum SpecDocument {
    /// The JSON value of `bytes`, a JSON or YAML document. A YAML error says where (line and column).
    public static func parse(_ bytes: [UInt8], contentType: String?) throws(ProvenanceError) -> JSON {
        let firstCharacter = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        let isYAML = contentType.map { $0.contains("yaml") } ?? (firstCharacter != UInt8(ascii: "{"))
        guard isYAML else { return try JSONParser.parse(bytes) }
        return try yaml(String(decoding: bytes, as: UTF8.self))
    }

    /// The JSON value of a YAML document.
    public static func yaml(_ text: String) throws(ProvenanceError) -> JSON {
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .invalid("", "malformed YAML: \(error)")
        } catch {
            throw .invalid("", "malformed YAML: \(error)")
        }
        guard let node else { throw .invalid("", "the document is empty; expected a spec") }
        var walk = YAMLWalk()
        return try walk.value(node, path: "")
    }

    /// The documents of a file of specs: one JSON document, or YAML documents separated by `---` (empty ones
    /// left out).
    public static func documents(_ bytes: [UInt8]) throws(ProvenanceError) -> [JSON] {
        let firstCharacter = bytes.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if firstCharacter == UInt8(ascii: "{") { return [try JSONParser.parse(bytes)] }
        var documents: [JSON] = []
        do {
            for node in try Yams.compose_all(yaml: String(decoding: bytes, as: UTF8.self)) {
                if node.null != nil { continue }
                var walk = YAMLWalk()
                documents.append(try walk.value(node, path: ""))
            }
        } catch let error as ProvenanceError {
            throw error
        } catch {
            throw .invalid("", "malformed YAML: \(error)")
        }
        return documents
    }
}

/// Turns a composed YAML document into JSON, refusing what a spec never needs and an attacker would use.
///
/// Yams resolves an alias while it composes (the alias becomes the anchored node itself), so a 700-byte document
/// of nested aliases composes at once but stands for billions of nodes: turning it into JSON would never end. An
/// aliased node is the same node met again, at the same place in the text: the walk stops at the first node it
/// meets twice. Text nodes that are empty are left out of that check (an empty value has no text of its own, and
/// aliasing one is harmless). The walk also stops past `maximumNodes`, and at NaN or infinite numbers, which JSON
/// cannot carry.
struct YAMLWalk {
    /// The most nodes a spec may have.
    static let maximumNodes = 100_000

    private var seen: Set<Place> = []
    private var count = 0

    private struct Place: Hashable {
        let kind: Int
        let line: Int
        let column: Int
    }

    mutating func value(_ node: Yams.Node, path: String) throws(ProvenanceError) -> JSON {
        count += 1
        guard count <= Self.maximumNodes else {
            throw .invalid(path, "the YAML document has more than \(Self.maximumNodes) values")
        }
        if let mark = node.mark {
            let kind: Int? =
                switch node {
                case .scalar(let scalar): scalar.string.isEmpty ? nil : 0
                case .mapping: 1
                case .sequence: 2
                case .alias: 3
                }
            if let kind, !seen.insert(Place(kind: kind, line: mark.line, column: mark.column)).inserted {
                throw .invalid(
                    path, "YAML anchors and aliases are not allowed in specs (an alias at line \(mark.line) repeats the value there)")
            }
        }
        switch node {
        case .scalar(let scalar):
            // A quoted scalar is text; a plain one is whatever YAML resolves it to.
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let number = node.int { return .int(Int64(number)) }
            if let number = node.float {
                guard number.isFinite else {
                    throw .invalid(path, "'\(scalar.string)' is not a number JSON can carry; write a finite number, or quote it for text")
                }
                return .double(number)
            }
            return .string(scalar.string)
        case .mapping(let mapping):
            var members: [(key: String, value: JSON)] = []
            for (key, value) in mapping {
                guard let name = key.string else { throw .invalid(path, "a YAML mapping key must be text") }
                members.append((key: name, value: try self.value(value, path: Validation.join(path, name))))
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [JSON] = []
            for (index, element) in sequence.enumerated() { elements.append(try value(element, path: "\(path)[\(index)]")) }
            return .array(elements)
        case .alias:
            throw .invalid(path, "YAML anchors and aliases are not allowed in specs")
        }
    }
}
