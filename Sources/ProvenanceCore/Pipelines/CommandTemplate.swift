/// A piece of a step's command line (an argument, an environment value, the working directory) with
/// `{{placeholders}}` that the executor fills in when it runs the step.
///
/// Placeholders: `{{parameters.NAME}}`, `{{inputs.NAME.uri}}`, `{{inputs.NAME.id}}`, `{{outputs.NAME.uri}}`,
/// `{{outputs_file}}` (where the step may write its outputs' properties), `{{run.id}}`, `{{task.id}}`,
/// `{{attempt}}`, `{{step}}`. `{{{{` stands for a literal `{{`.
public struct CommandTemplate: Sendable, Equatable {
    /// One placeholder.
    public enum Reference: Sendable, Hashable {
        case parameter(String)
        case inputURI(String)
        case inputID(String)
        case outputURI(String)
        case outputsFile
        case runID
        case taskID
        case attempt
        case step
    }

    /// Literal text or a placeholder.
    public enum Segment: Sendable, Equatable {
        case text(String)
        case reference(Reference)
    }

    /// The template, in order.
    public let segments: [Segment]

    /// Parses `text`; an unknown or unclosed placeholder is an error at `path`.
    public init(parsing text: String, path: @autoclosure () -> String) throws(ProvenanceError) {
        var segments: [Segment] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            literal += rest[..<open.lowerBound]
            rest = rest[open.upperBound...]
            if rest.hasPrefix("{{") {
                literal += "{{"
                rest = rest.dropFirst(2)
                continue
            }
            guard let close = rest.firstRange(of: "}}") else {
                throw .invalid(path(), "a placeholder opened with '{{' is not closed with '}}'")
            }
            let name = String(rest[..<close.lowerBound].drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            rest = rest[close.upperBound...]
            guard let reference = Self.reference(name) else {
                throw .invalid(
                    path(),
                    "unknown placeholder '{{\(name)}}'; use parameters.NAME, inputs.NAME.uri, inputs.NAME.id, "
                        + "outputs.NAME.uri, outputs_file, run.id, task.id, attempt or step")
            }
            if !literal.isEmpty { segments.append(.text(literal)) }
            literal = ""
            segments.append(.reference(reference))
        }
        literal += rest
        if !literal.isEmpty { segments.append(.text(literal)) }
        self.segments = segments
    }

    private static func reference(_ name: String) -> Reference? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (parts.count, parts.first) {
        case (2, "parameters"): return parts[1].isEmpty ? nil : .parameter(parts[1])
        case (3, "inputs") where parts[2] == "uri": return .inputURI(parts[1])
        case (3, "inputs") where parts[2] == "id": return .inputID(parts[1])
        case (3, "outputs") where parts[2] == "uri": return .outputURI(parts[1])
        case (1, "outputs_file"): return .outputsFile
        case (2, "run") where parts[1] == "id": return .runID
        case (2, "task") where parts[1] == "id": return .taskID
        case (1, "attempt"): return .attempt
        case (1, "step"): return .step
        default: return nil
        }
    }

    /// The placeholders the template uses.
    public var references: [Reference] {
        segments.compactMap { if case .reference(let reference) = $0 { reference } else { nil } }
    }

    /// The text with each placeholder replaced by `value(reference)`.
    public func render(_ value: (Reference) -> String) -> String {
        segments.map { segment in
            switch segment {
            case .text(let text): text
            case .reference(let reference): value(reference)
            }
        }.joined()
    }
}

extension JSON {
    /// A parameter value as it appears on a command line: strings as they are, numbers and booleans as JSON
    /// writes them, objects and lists as JSON text.
    public var commandLineText: String {
        if case .string(let text) = self { return text }
        return JSONWriter.string(self)
    }
}
