/// Name resolution and type checking: attribute paths to `FilterAttribute`s and literals to `FilterValue`s of the
/// attribute's type.
extension FilterParser {
    /// Resolves an attribute path (`name`, `contexts_a.properties.p.int_value`, ...) for the listed kind.
    func resolveAttribute(_ token: FilterToken) throws(ProvenanceError) -> FilterAttribute {
        guard case .word(let parts) = token.kind else { throw expected("an attribute") }
        let head = parts[0]
        guard let neighbourhood = Self.neighbourhood(prefixing: head.text) else {
            return FilterAttribute(scope: .node, field: try nodeField(parts[...], of: kind, scope: nil))
        }
        guard neighbourhood.listedKinds.contains(kind) else {
            throw error("\(head.text) is not available when listing \(kind.plural)", at: token)
        }
        guard parts.count > 1 else {
            throw Filter.error(field, "expected '.' and a field after '\(head.text)'", column: head.endColumn)
        }
        let alias = FilterAlias(
            neighbourhood: neighbourhood, name: String(head.text.dropFirst(neighbourhood.rawValue.count + 1)))
        let field: FilterField
        if let joined = neighbourhood.joinedKind {
            field = try nodeField(parts.dropFirst(), of: joined, scope: head.text)
        } else {
            field = try eventField(parts.dropFirst(), scope: head.text)
        }
        return FilterAttribute(scope: .neighbour(alias), field: field)
    }

    /// The neighbourhood whose prefix (and `_`) starts `word` followed by a non-empty alias; the longest prefix
    /// wins, so `parent_contexts_x` is never read as a context aliased `x` under some shorter prefix.
    static func neighbourhood(prefixing word: String) -> FilterNeighbourhood? {
        FilterNeighbourhood.allCases
            .sorted { $0.rawValue.count > $1.rawValue.count }
            .first { word.hasPrefix($0.rawValue + "_") && word.count > $0.rawValue.count + 1 }
    }

    /// A field of a node of `nodeKind`; `scope` is the neighbour prefix the parts follow, if any.
    private func nodeField(_ parts: ArraySlice<FilterToken.Part>, of nodeKind: NodeKind, scope: String?)
        throws(ProvenanceError) -> FilterField
    {
        let first = parts[parts.startIndex]
        if !first.backquoted, first.text == "properties" || first.text == "custom_properties" {
            return try property(parts, custom: first.text == "custom_properties", scope: scope)
        }
        let known: FilterField? =
            switch first.text {
            case "id": .id
            case "type": .typeName
            case "type_id": .typeID
            case "name": .name
            case "external_id": .externalID
            case "create_time_since_epoch": .createTime
            case "last_update_time_since_epoch": .updateTime
            case "uri": nodeKind.hasURI ? .uri : nil
            case "state", "last_known_state": first.text == nodeKind.stateField ? .state : nil
            default: nil
            }
        guard !first.backquoted, parts.count == 1 else { throw unknownAttribute(parts, scope: scope) }
        if let known { return known }
        if ["uri", "state", "last_known_state"].contains(first.text) {
            let hint = nodeKind.stateField.map { first.text == "uri" ? "" : "; use '\($0)'" } ?? ""
            throw Filter.error(
                field, "'\(first.text)' is not an attribute of \(nodeKind.plural)\(hint)", column: first.column)
        }
        throw unknownAttribute(parts, scope: scope)
    }

    /// `properties.NAME.int_value` and the like (NAME plain or backquoted).
    private func property(_ parts: ArraySlice<FilterToken.Part>, custom: Bool, scope: String?)
        throws(ProvenanceError) -> FilterField
    {
        let prefix = parts[parts.startIndex]
        guard parts.count > 1 else {
            throw Filter.error(
                field, "expected '.' and a property name after '\(prefix.text)'", column: prefix.endColumn)
        }
        let name = parts[parts.startIndex + 1]
        let listed = Self.propertyValueChoices
        guard parts.count > 2 else {
            throw Filter.error(
                field, "expected '.' and one of \(listed) after '\(name.written)'", column: name.endColumn)
        }
        let selector = parts[parts.startIndex + 2]
        guard !selector.backquoted, let value = FilterPropertyValue(rawValue: selector.text) else {
            throw Filter.error(
                field, "unknown property value '\(selector.text)'; expected \(listed)", column: selector.column)
        }
        guard parts.count == 3 else { throw unknownAttribute(parts, scope: scope) }
        return .property(name: name.text, custom: custom, value: value)
    }

    /// "int_value, double_value, string_value or bool_value", for messages.
    private static let propertyValueChoices: String = {
        let names = FilterPropertyValue.allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }()

    /// `type` or `milliseconds_since_epoch` of an event.
    private func eventField(_ parts: ArraySlice<FilterToken.Part>, scope: String) throws(ProvenanceError)
        -> FilterField
    {
        let first = parts[parts.startIndex]
        switch (parts.count, first.backquoted, first.text) {
        case (1, false, "type"): return .eventType
        case (1, false, "milliseconds_since_epoch"): return .eventTime
        default:
            let path = parts.map(\.written).joined(separator: ".")
            throw Filter.error(
                field, "unknown attribute '\(path)' of \(scope); events have type and milliseconds_since_epoch",
                column: first.column)
        }
    }

    private func unknownAttribute(_ parts: ArraySlice<FilterToken.Part>, scope: String?) -> ProvenanceError {
        let path = parts.map(\.written).joined(separator: ".")
        let owner = scope.map { " of \($0)" } ?? ""
        return Filter.error(field, "unknown attribute '\(path)'\(owner)", column: parts[parts.startIndex].column)
    }

    /// Converts a literal to the attribute's type, or explains why it does not fit. `name` is the attribute as
    /// written.
    func typedValue(_ token: FilterToken, for attribute: FilterAttribute, named name: String)
        throws(ProvenanceError) -> FilterValue
    {
        let type = attribute.field.valueType
        switch (type, token.kind) {
        case (.int, .number(isInteger: true)):
            guard let value = Int64(token.text) else {
                throw error("\(token.text) is out of range for a 64-bit integer", at: token)
            }
            return .int(value)
        case (.double, .number):
            guard let value = Double(token.text), value.isFinite else {
                throw error("\(token.text) is out of range for a double", at: token)
            }
            return .double(value)
        case (.string, .string(let value)):
            return .string(value)
        case (.bool, .word) where token.isKeyword("TRUE") || token.isKeyword("FALSE"):
            return .bool(token.isKeyword("TRUE"))
        case (.enumeration, _):
            return try enumerationValue(token, for: attribute, named: name)
        default:
            let described =
                switch type {
                case .int: "an integer"
                case .double: "a number"
                case .string: "a string"
                case .bool: "a boolean"
                case .enumeration: "an enumeration"
                }
            throw error("'\(name)' is \(described); \(token.text) is not \(described)", at: token)
        }
    }

    /// A state (of the attribute's own node kind) or an event type, written as a name (bare or quoted, any case)
    /// or as its number; stored as the number.
    private func enumerationValue(_ token: FilterToken, for attribute: FilterAttribute, named name: String)
        throws(ProvenanceError) -> FilterValue
    {
        let owner: NodeKind
        if case .neighbour(let alias) = attribute.scope, let joined = alias.neighbourhood.joinedKind {
            owner = joined
        } else {
            owner = kind
        }
        let isEvent = attribute.field == .eventType
        let names = isEvent ? EventType.allCases.map(\.name) : owner.stateNames
        let what = isEvent ? "event type" : "\(owner.rawValue) state"
        let valid = "expected one of \(names.joined(separator: ", ")) or a number from 0 to \(names.count - 1)"
        let written: String
        switch token.kind {
        case .number(isInteger: true):
            guard let number = Int64(token.text), number >= 0, number < names.count else {
                throw error("unknown \(what) \(token.text); \(valid)", at: token)
            }
            return .int(number)
        case .string(let text): written = text
        case .word(let parts) where parts.count == 1: written = parts[0].text
        default:
            let article = "aeiou".contains(what.first ?? "x") ? "an" : "a"
            throw error(
                "'\(name)' is \(article) \(what); \(token.text) is not \(article) \(what) name or number", at: token)
        }
        let value = isEvent ? EventType(name: written)?.rawValue : owner.state(named: written)
        guard let value else { throw error("unknown \(what) '\(written)'; \(valid)", at: token) }
        return .int(Int64(value))
    }
}

extension FilterToken.Part {
    /// The part as it would be written (backquoted if it was).
    fileprivate var written: String { backquoted ? "`\(text)`" : text }

    /// The column just after the part.
    fileprivate var endColumn: Int { column + written.count }
}
