/// The naming rules of components, pipelines, steps, ports and parameters.
public enum PipelineNames {
    /// The longest name or version.
    public static let maximumLength = 128

    /// A component or pipeline name: 1 to 128 letters, digits, `-`, `_` or `.`, starting with a letter or digit.
    public static func checkName(_ name: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        guard !name.isEmpty, name.utf8.count <= maximumLength, let first = name.unicodeScalars.first,
            isLetterOrDigit(first), name.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || "-_.".unicodeScalars.contains($0) })
        else {
            throw .invalid(field(), "must be 1 to \(maximumLength) letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
    }

    /// A version: the same characters as a name.
    public static func checkVersion(_ version: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        try checkName(version, field: field())
    }

    /// A step, port or parameter name: an identifier (letters, digits and `_`, not starting with a digit), so that
    /// `step.output` and `{{inputs.NAME.uri}}` read unambiguously.
    public static func checkIdentifier(_ name: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        guard !name.isEmpty, name.utf8.count <= maximumLength, let first = name.unicodeScalars.first,
            !("0"..."9").contains(first),
            name.unicodeScalars.allSatisfy({ isLetterOrDigit($0) || $0 == "_" })
        else {
            throw .invalid(field(), "'\(name)' must be letters, digits and '_', not starting with a digit")
        }
    }

    /// An environment variable's name: letters, digits and `_`.
    public static func checkEnvironmentName(_ name: String, field: @autoclosure () -> String) throws(ProvenanceError) {
        try checkIdentifier(name, field: Validation.join(field(), name))
    }

    /// Ports: identifiers, each once, of a type that is a valid type name.
    public static func checkPorts(_ ports: [ArtifactPort], field: String) throws(ProvenanceError) {
        var seen: Set<String> = []
        for port in ports {
            let path = Validation.join(field, port.name)
            try checkIdentifier(port.name, field: path)
            guard seen.insert(port.name).inserted else { throw .invalid(path, "is declared twice") }
            try Validation.requireName(port.type, field: Validation.join(path, "type"))
            if let description = port.description { try Validation.checkText(description, field: Validation.join(path, "description")) }
        }
    }

    /// Parameters: identifiers, each once, with defaults of their type.
    public static func checkParameters(_ parameters: [ParameterSpec], field: String) throws(ProvenanceError) {
        var seen: Set<String> = []
        for parameter in parameters {
            let path = Validation.join(field, parameter.name)
            try checkIdentifier(parameter.name, field: path)
            guard seen.insert(parameter.name).inserted else { throw .invalid(path, "is declared twice") }
            if let value = parameter.defaultValue, parameter.type.coerce(value) == nil {
                throw .invalid(
                    Validation.join(path, "default"), "expected a value of type \(parameter.type.rawValue), got \(value.kindName)")
            }
            if let value = parameter.defaultValue { try checkJSONText(value, field: Validation.join(path, "default")) }
        }
    }

    /// Rejects text PostgreSQL cannot store anywhere inside a JSON value.
    public static func checkJSONText(_ value: JSON, field: @autoclosure () -> String) throws(ProvenanceError) {
        switch value {
        case .string(let text): try Validation.checkText(text, field: field())
        case .array(let elements): for element in elements { try checkJSONText(element, field: field()) }
        case .object(let members):
            for member in members {
                try Validation.checkText(member.key, field: field())
                try checkJSONText(member.value, field: field())
            }
        case .null, .bool, .int, .double: break
        }
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
