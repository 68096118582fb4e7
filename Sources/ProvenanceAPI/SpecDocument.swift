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
        return try value(node)
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
                documents.append(try value(node))
            }
        } catch let error as ProvenanceError {
            throw error
        } catch {
            throw .invalid("", "malformed YAML: \(error)")
        }
        return documents
    }

    private static func value(_ node: Yams.Node) throws(ProvenanceError) -> JSON {
        switch node {
        case .scalar(let scalar):
            // A quoted scalar is text; a plain one is whatever YAML resolves it to.
            guard scalar.style == .plain || scalar.style == .any else { return .string(scalar.string) }
            if node.null != nil { return .null }
            if let flag = node.bool { return .bool(flag) }
            if let number = node.int { return .int(Int64(number)) }
            if let number = node.float { return .double(number) }
            return .string(scalar.string)
        case .mapping(let mapping):
            var members: [(key: String, value: JSON)] = []
            for (key, value) in mapping {
                guard let name = key.string else { throw .invalid("", "a YAML mapping key must be text") }
                members.append((key: name, value: try self.value(value)))
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [JSON] = []
            for element in sequence { elements.append(try value(element)) }
            return .array(elements)
        case .alias:
            throw .invalid("", "YAML aliases are not supported in specs")
        }
    }
}
