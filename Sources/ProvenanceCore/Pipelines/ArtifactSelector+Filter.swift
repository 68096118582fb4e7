extension ArtifactSelector {
    /// The filter's template (its only placeholders are pipeline parameters; `field` names it in errors).
    func filterTemplate(field: String) throws(ProvenanceError) -> CommandTemplate? {
        guard let filter else { return nil }
        let template = try CommandTemplate(parsing: filter, path: field)
        for reference in template.references {
            guard case .parameter = reference else {
                throw .invalid(field, "a selector's filter may only use {{parameters.NAME}} placeholders")
            }
        }
        return template
    }

    /// The selector with the run's values of the parameters its filter names bound to it (checked: the filter
    /// must parse with them).
    public func resolved(parameters: [String: JSON], field: String) throws(ProvenanceError) -> ArtifactSelector {
        guard let template = try filterTemplate(field: field), !template.references.isEmpty else { return self }
        var resolved = self
        for case .parameter(let name) in template.references {
            guard let value = parameters[name] else { throw .invalid(field, "'{{parameters.\(name)}}' has no value") }
            resolved.boundParameters[name] = value
        }
        _ = try resolved.boundFilter(field: field)
        return resolved
    }

    /// The parsed filter with the bound parameters in it as values.
    ///
    /// Numbers and booleans are written into the filter's text (their text is ours, made from a typed value, and
    /// cannot change the filter's shape). Text parameters stay placeholders while the filter is parsed, so they can
    /// only sit inside a quoted literal, and are put into the parsed literals afterwards: a value holding quotes,
    /// backslashes or `OR uri = ...` is only ever text to compare with (in a LIKE pattern, text matched literally).
    public func boundFilter(field: String) throws(ProvenanceError) -> Filter? {
        guard let template = try filterTemplate(field: field) else { return nil }
        let text = template.render { reference in
            guard case .parameter(let name) = reference else { return "" }
            switch boundParameters[name] {
            case .int?, .double?, .bool?: return boundParameters[name]!.commandLineText
            default: return "{{parameters.\(name)}}"
            }
        }
        var filter = try Filter.parse(text, kind: .artifact, field: field)
        filter.condition = filter.condition.mappingText { literal, isPattern in
            guard literal.contains("{{"), let placeholders = try? CommandTemplate(parsing: literal, path: field) else {
                return literal
            }
            return placeholders.render { reference in
                guard case .parameter(let name) = reference, let value = boundParameters[name] else { return "" }
                let text = value.commandLineText
                return isPattern ? Self.likeLiteral(text) : text
            }
        }
        return filter
    }

    /// `text` as a LIKE pattern that matches it exactly (its `%`, `_` and `\` escaped).
    static func likeLiteral(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

extension FilterCondition {
    /// The condition with every text literal and LIKE pattern passed through `transform` (told which it is).
    func mappingText(_ transform: (String, _ isPattern: Bool) -> String) -> FilterCondition {
        func value(_ value: FilterValue) -> FilterValue {
            if case .string(let text) = value { return .string(transform(text, false)) }
            return value
        }
        switch self {
        case .and(let left, let right): return .and(left.mappingText(transform), right.mappingText(transform))
        case .or(let left, let right): return .or(left.mappingText(transform), right.mappingText(transform))
        case .not(let inner): return .not(inner.mappingText(transform))
        case .compare(let attribute, let comparison, let literal): return .compare(attribute, comparison, value(literal))
        case .like(let attribute, let pattern, let negated):
            return .like(attribute, pattern: transform(pattern, true), negated: negated)
        case .in(let attribute, let values, let negated): return .in(attribute, values.map(value), negated: negated)
        case .isNull: return self
        }
    }
}
