/// A YAML value as the contract tests need it.
public indirect enum YAMLValue: Equatable, Sendable {
    case scalar(String)
    case list([YAMLValue])
    case map([(key: String, value: YAMLValue)])
    case null

    public static func == (lhs: YAMLValue, rhs: YAMLValue) -> Bool {
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.map(let a), .map(let b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        case (.null, .null): true
        default: false
        }
    }

    /// The member `key` of a mapping.
    public subscript(key: String) -> YAMLValue? {
        guard case .map(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The keys of a mapping, in order.
    public var keys: [String] {
        guard case .map(let members) = self else { return [] }
        return members.map(\.key)
    }

    /// The scalar text, if this is a scalar.
    public var text: String? {
        guard case .scalar(let text) = self else { return nil }
        return text
    }

    /// The scalars of a list.
    public var texts: [String] {
        guard case .list(let items) = self else { return [] }
        return items.compactMap(\.text)
    }
}

/// Reads the block-style subset of YAML that api/openapi.yaml is written in: indented mappings, `- ` sequences,
/// flow lists of scalars (`[a, b]`), folded or literal block scalars, quoted scalars and whole-line comments.
/// It is a test helper for our own file, not a general YAML parser; anything else it meets is an error.
public enum MiniYAML {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Line {
        let number: Int
        let indent: Int
        let text: String
    }

    public static func parse(_ document: String) throws -> YAMLValue {
        var lines: [Line] = []
        for (offset, raw) in document.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = raw.prefix(while: { $0 == " " }).count
            let text = String(raw.dropFirst(indent))
            if text.isEmpty || text.hasPrefix("#") { continue }
            lines.append(Line(number: offset + 1, indent: indent, text: text))
        }
        var position = 0
        let value = try block(lines, &position, indent: 0)
        guard position == lines.count else {
            throw ParseError(description: "line \(lines[position].number): unexpected indentation")
        }
        return value
    }

    private static func block(_ lines: [Line], _ position: inout Int, indent: Int) throws -> YAMLValue {
        guard position < lines.count, lines[position].indent == indent else { return .null }
        if lines[position].text.hasPrefix("- ") {
            var items: [YAMLValue] = []
            while position < lines.count, lines[position].indent == indent, lines[position].text.hasPrefix("- ") {
                let rest = String(lines[position].text.dropFirst(2))
                if splitKey(rest) != nil {
                    // "- key: value" opens a mapping whose entries sit two columns further in.
                    var rewritten = lines
                    rewritten[position] = Line(number: lines[position].number, indent: indent + 2, text: rest)
                    items.append(try mapping(rewritten, &position, indent: indent + 2))
                } else {
                    items.append(.scalar(unquote(rest)))
                    position += 1
                }
            }
            return .list(items)
        }
        return try mapping(lines, &position, indent: indent)
    }

    private static func mapping(_ lines: [Line], _ position: inout Int, indent: Int) throws -> YAMLValue {
        var members: [(key: String, value: YAMLValue)] = []
        while position < lines.count, lines[position].indent == indent {
            let line = lines[position]
            guard let (key, rest) = splitKey(line.text) else {
                throw ParseError(description: "line \(line.number): expected 'key: value', got '\(line.text)'")
            }
            position += 1
            let value: YAMLValue
            if rest.isEmpty {
                let nested = position < lines.count && lines[position].indent > indent
                value = nested ? try block(lines, &position, indent: lines[position].indent) : .null
            } else if rest == ">" || rest == "|" {
                var parts: [String] = []
                while position < lines.count, lines[position].indent > indent {
                    parts.append(lines[position].text)
                    position += 1
                }
                value = .scalar(parts.joined(separator: rest == ">" ? " " : "\n"))
            } else if rest.hasPrefix("[") && rest.hasSuffix("]") {
                let inner = rest.dropFirst().dropLast()
                value = .list(inner.split(separator: ",").map { .scalar(unquote(String($0).trimmingSpaces())) })
            } else {
                value = .scalar(unquote(rest))
            }
            members.append((key: key, value: value))
        }
        return .map(members)
    }

    /// `key: value` or `key:`; a line ending in ':' is a key alone, even if the key itself holds a colon.
    private static func splitKey(_ text: String) -> (String, String)? {
        if text.hasPrefix("'") || text.hasPrefix("\"") {
            let quote = text.first!
            guard let close = text.dropFirst().firstIndex(of: quote) else { return nil }
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            return (String(text[text.index(after: text.startIndex)..<close]), String(after.dropFirst()).trimmingSpaces())
        }
        if text.hasSuffix(":") { return (String(text.dropLast()), "") }
        guard let range = text.range(of: ": ") else { return nil }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]).trimmingSpaces())
    }

    private static func unquote(_ text: String) -> String {
        guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else { return text }
        return String(text.dropFirst().dropLast())
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
