/// A parsed, type-checked filter in MLMD's `filter_query` language, for listing nodes of one kind.
///
/// `Filter.parse` (in Filter+Parser.swift) builds it from text; the store compiles it to parameterized SQL. Every
/// literal stays a value here (never text to splice), enum names are already resolved to their stored numbers,
/// and every attribute is known to exist for the kind being listed.
public struct Filter: Sendable, Equatable {
    /// The kind of node the filter selects.
    public var kind: NodeKind
    /// The condition.
    public var condition: FilterCondition

    public init(kind: NodeKind, condition: FilterCondition) {
        self.kind = kind
        self.condition = condition
    }

    /// The neighbourhood aliases the condition uses, in order of first use.
    public var aliases: [FilterAlias] {
        var seen: [FilterAlias] = []
        condition.visitAttributes { attribute in
            if case .neighbour(let alias) = attribute.scope, !seen.contains(alias) { seen.append(alias) }
        }
        return seen
    }
}

/// A boolean condition.
public indirect enum FilterCondition: Sendable, Equatable {
    case and(FilterCondition, FilterCondition)
    case or(FilterCondition, FilterCondition)
    case not(FilterCondition)
    /// `attribute op value` with one of = != < > <= >=.
    case compare(FilterAttribute, FilterComparison, FilterValue)
    /// `attribute [NOT] LIKE 'pattern'` (SQL LIKE: % and _).
    case like(FilterAttribute, pattern: String, negated: Bool)
    /// `attribute [NOT] IN (v1, v2, ...)`.
    case `in`(FilterAttribute, [FilterValue], negated: Bool)
    /// `attribute IS [NOT] NULL`.
    case isNull(FilterAttribute, negated: Bool)

    /// Calls `body` with every attribute the condition mentions, left to right.
    public func visitAttributes(_ body: (FilterAttribute) -> Void) {
        switch self {
        case .and(let left, let right), .or(let left, let right):
            left.visitAttributes(body)
            right.visitAttributes(body)
        case .not(let inner): inner.visitAttributes(body)
        case .compare(let attribute, _, _), .like(let attribute, _, _), .in(let attribute, _, _),
            .isNull(let attribute, _):
            body(attribute)
        }
    }
}

/// A comparison operator.
public enum FilterComparison: String, Sendable, Equatable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case greater = ">"
    case lessOrEqual = "<="
    case greaterOrEqual = ">="
}

/// A literal, already converted to the attribute's type (enum names to their stored numbers, integer literals
/// compared with a double to doubles).
public enum FilterValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
}

/// What an attribute belongs to: the listed node itself, or a neighbour joined under an alias.
public enum FilterScope: Sendable, Equatable {
    case node
    case neighbour(FilterAlias)
}

/// A neighbourhood join: `contexts_a`, `events_e`, `parent_contexts_p`... The same alias in several places of a
/// filter names the same joined neighbour (as in MLMD): `contexts_a.name = 'p' AND contexts_a.type = 'Pipeline'`
/// needs one context with both.
public struct FilterAlias: Sendable, Hashable {
    /// How the neighbour is reached.
    public var neighbourhood: FilterNeighbourhood
    /// The alias as written after the prefix (`a` in `contexts_a`).
    public var name: String

    public init(neighbourhood: FilterNeighbourhood, name: String) {
        self.neighbourhood = neighbourhood
        self.name = name
    }
}

/// The neighbourhoods a filter can join, named by their prefix in the language.
public enum FilterNeighbourhood: String, Sendable, Hashable, CaseIterable {
    /// Contexts an artifact is attributed to or an execution associated with.
    case contexts
    /// Events of an artifact or execution.
    case events
    /// Parent contexts of a context.
    case parentContexts = "parent_contexts"
    /// Child contexts of a context.
    case childContexts = "child_contexts"
    /// Artifacts attributed to a context.
    case artifacts
    /// Executions associated with a context.
    case executions

    /// The kinds of listed node that can join this neighbourhood.
    public var listedKinds: [NodeKind] {
        switch self {
        case .contexts, .events: [.artifact, .execution]
        case .parentContexts, .childContexts, .artifacts, .executions: [.context]
        }
    }

    /// The kind of the joined node, or nil for events (which are not nodes).
    public var joinedKind: NodeKind? {
        switch self {
        case .contexts, .parentContexts, .childContexts: .context
        case .artifacts: .artifact
        case .executions: .execution
        case .events: nil
        }
    }
}

/// One attribute of a node or a joined neighbour.
public struct FilterAttribute: Sendable, Equatable {
    public var scope: FilterScope
    public var field: FilterField

    public init(scope: FilterScope, field: FilterField) {
        self.scope = scope
        self.field = field
    }
}

/// The attributes of the language. `state` and `last_known_state` are both `.state` (of the node's kind).
public enum FilterField: Sendable, Equatable {
    case id
    /// The type's name (`type`).
    case typeName
    case typeID
    case name
    case externalID
    case uri
    case state
    /// Milliseconds since the epoch (`create_time_since_epoch`).
    case createTime
    /// Milliseconds since the epoch (`last_update_time_since_epoch`).
    case updateTime
    /// `properties.NAME.int_value` (custom: `custom_properties.NAME...`).
    case property(name: String, custom: Bool, value: FilterPropertyValue)
    /// An event's type (events_ scope only).
    case eventType
    /// An event's time in milliseconds since the epoch (events_ scope only).
    case eventTime

    /// The type of value the attribute holds.
    public var valueType: FilterValueType {
        switch self {
        case .id, .typeID, .createTime, .updateTime, .eventTime: .int
        case .typeName, .name, .externalID, .uri: .string
        case .state, .eventType: .enumeration
        case .property(_, _, let value):
            switch value {
            case .int: .int
            case .double: .double
            case .string: .string
            case .bool: .bool
            }
        }
    }
}

/// Which value of a property a filter reads.
public enum FilterPropertyValue: String, Sendable, Equatable, CaseIterable {
    case int = "int_value"
    case double = "double_value"
    case string = "string_value"
    case bool = "bool_value"
}

/// The type of an attribute's value, deciding which literals and operators it accepts.
public enum FilterValueType: Sendable, Equatable {
    case int
    case double
    case string
    case bool
    /// A state or event type: compared as its stored number, written as a bare name, a string or a number.
    case enumeration
}
