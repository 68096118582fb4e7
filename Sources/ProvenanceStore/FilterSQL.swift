import ProvenanceCore

/// Compiles a `Filter` into a SQL condition on a node row, every literal bound as a parameter.
///
/// Conditions on the node alone become plain predicates. Conditions that mention neighbourhood aliases
/// (`contexts_a.name`, `events_e.type`) are evaluated inside one `EXISTS` over the join of all their aliases, so an
/// alias names the same neighbour everywhere in the filter, as in MLMD. Top-level AND terms that mention no alias
/// stay outside that `EXISTS`, where indexes on the node can serve them.
struct FilterSQL {
    /// The SQL alias of the node row the condition applies to.
    let node: String
    private let kind: NodeKind
    /// The neighbourhood aliases, in order of first use.
    private let aliases: [FilterAlias]
    /// The SQL alias of each neighbourhood alias (`j0`, `j1`, ...): user text never reaches the SQL text.
    private let joined: [FilterAlias: String]

    private init(node: String, kind: NodeKind, aliases: [FilterAlias]) {
        self.node = node
        self.kind = kind
        self.aliases = aliases
        joined = Dictionary(uniqueKeysWithValues: aliases.enumerated().map { ($1, "j\($0)") })
    }

    /// Appends the condition of `filter` on the row aliased `node` to `sql`.
    static func append(_ filter: Filter, node: String, to sql: inout SQLBuilder) {
        let compiler = FilterSQL(node: node, kind: filter.kind, aliases: filter.aliases)
        var local: [FilterCondition] = []
        var joinedTerms: [FilterCondition] = []
        for term in filter.condition.conjuncts {
            if term.mentionsAlias { joinedTerms.append(term) } else { local.append(term) }
        }
        sql.append("(")
        for (offset, term) in local.enumerated() {
            if offset > 0 { sql.append(" AND ") }
            compiler.condition(term, into: &sql)
        }
        if !joinedTerms.isEmpty {
            if !local.isEmpty { sql.append(" AND ") }
            compiler.exists(joinedTerms, into: &sql)
        }
        sql.append(")")
    }

    /// `EXISTS (SELECT 1 FROM <each alias joined to the node> WHERE <terms>)`.
    private func exists(_ terms: [FilterCondition], into sql: inout SQLBuilder) {
        var from: [String] = []
        var links: [String] = []
        for alias in aliases {
            let (source, link) = join(alias.neighbourhood, as: joined[alias]!)
            from.append(source)
            links.append(link)
        }
        sql.append("EXISTS (SELECT 1 FROM \(from.joined(separator: ", ")) WHERE \(links.joined(separator: " AND "))")
        for term in terms {
            sql.append(" AND ")
            condition(term, into: &sql)
        }
        sql.append(")")
    }

    /// The FROM item of a neighbourhood under SQL alias `a` and its join condition to the node.
    private func join(_ neighbourhood: FilterNeighbourhood, as a: String) -> (String, String) {
        let n = node
        switch (neighbourhood, kind) {
        case (.contexts, .artifact):
            return ("attributions \(a)_l JOIN contexts \(a) ON \(a).id = \(a)_l.context_id", "\(a)_l.artifact_id = \(n).id")
        case (.contexts, _):
            return ("associations \(a)_l JOIN contexts \(a) ON \(a).id = \(a)_l.context_id", "\(a)_l.execution_id = \(n).id")
        case (.events, .artifact):
            return ("events \(a)", "\(a).artifact_id = \(n).id")
        case (.events, _):
            return ("events \(a)", "\(a).execution_id = \(n).id")
        case (.parentContexts, _):
            return ("parent_contexts \(a)_l JOIN contexts \(a) ON \(a).id = \(a)_l.parent_id", "\(a)_l.child_id = \(n).id")
        case (.childContexts, _):
            return ("parent_contexts \(a)_l JOIN contexts \(a) ON \(a).id = \(a)_l.child_id", "\(a)_l.parent_id = \(n).id")
        case (.artifacts, _):
            return ("attributions \(a)_l JOIN artifacts \(a) ON \(a).id = \(a)_l.artifact_id", "\(a)_l.context_id = \(n).id")
        case (.executions, _):
            return ("associations \(a)_l JOIN executions \(a) ON \(a).id = \(a)_l.execution_id", "\(a)_l.context_id = \(n).id")
        }
    }

    private func condition(_ condition: FilterCondition, into sql: inout SQLBuilder) {
        switch condition {
        case .and(let left, let right), .or(let left, let right):
            sql.append("(")
            self.condition(left, into: &sql)
            if case .and = condition { sql.append(" AND ") } else { sql.append(" OR ") }
            self.condition(right, into: &sql)
            sql.append(")")
        case .not(let inner):
            sql.append("NOT ")
            self.condition(inner, into: &sql)
        case .compare(let attribute, let comparison, let value):
            compare(attribute, comparison, value, into: &sql)
        case .like(let attribute, let pattern, let negated):
            let placeholder = sql.bind(pattern, as: "text")
            predicate(attribute, "\(negated ? "NOT LIKE" : "LIKE") \(placeholder)", into: &sql)
        case .in(let attribute, let values, let negated):
            if negated { sql.append("NOT ") }
            sql.append("(")
            for (offset, value) in values.enumerated() {
                if offset > 0 { sql.append(" OR ") }
                compare(attribute, .equal, value, into: &sql)
            }
            sql.append(")")
        case .isNull(let attribute, let negated):
            let test = negated ? "IS NOT NULL" : "IS NULL"
            switch attribute.field {
            case .typeName, .createTime, .updateTime, .eventTime:
                sql.append("(\(column(attribute, into: &sql)) \(test))")
            default:
                sql.append("(\(expression(attribute, into: &sql)) \(test))")
            }
        }
    }

    private func compare(_ attribute: FilterAttribute, _ comparison: FilterComparison, _ value: FilterValue, into sql: inout SQLBuilder) {
        switch attribute.field {
        case .createTime, .updateTime, .eventTime:
            guard case .int(let milliseconds) = value else { return sql.append("false") }
            timeRange(column(attribute, into: &sql), comparison, milliseconds, into: &sql)
        default:
            let placeholder = bind(value, into: &sql)
            predicate(attribute, "\(comparison == .notEqual ? "<>" : comparison.rawValue) \(placeholder)", into: &sql)
        }
    }

    /// `attribute <test>`, where the type name is matched through the types table.
    private func predicate(_ attribute: FilterAttribute, _ test: String, into sql: inout SQLBuilder) {
        if case .typeName = attribute.field {
            sql.append("(\(column(attribute, into: &sql)) IN (SELECT t.id FROM types t WHERE t.name \(test)))")
        } else {
            sql.append("(\(expression(attribute, into: &sql)) \(test))")
        }
    }

    /// Millisecond comparisons on a microsecond timestamp, written as ranges so an index on the column serves them.
    private func timeRange(_ column: String, _ comparison: FilterComparison, _ milliseconds: Int64, into sql: inout SQLBuilder) {
        func at(_ value: Int64) -> String {
            "('epoch'::timestamptz + \(sql.bind(value, as: "int8")) * interval '1 millisecond')"
        }
        switch comparison {
        case .equal: sql.append("(\(column) >= \(at(milliseconds)) AND \(column) < \(at(milliseconds &+ 1)))")
        case .notEqual: sql.append("(\(column) < \(at(milliseconds)) OR \(column) >= \(at(milliseconds &+ 1)))")
        case .less: sql.append("(\(column) < \(at(milliseconds)))")
        case .lessOrEqual: sql.append("(\(column) < \(at(milliseconds &+ 1)))")
        case .greater: sql.append("(\(column) >= \(at(milliseconds &+ 1)))")
        case .greaterOrEqual: sql.append("(\(column) >= \(at(milliseconds)))")
        }
    }

    private func bind(_ value: FilterValue, into sql: inout SQLBuilder) -> String {
        switch value {
        case .int(let value): sql.bind(value, as: "int8")
        case .double(let value): sql.bind(value, as: "float8")
        case .string(let value): sql.bind(value, as: "text")
        case .bool(let value): sql.bind(value, as: "bool")
        }
    }

    /// The SQL alias of the row an attribute belongs to.
    private func row(_ attribute: FilterAttribute) -> String {
        switch attribute.scope {
        case .node: node
        case .neighbour(let alias): joined[alias]!
        }
    }

    /// The stored column of an attribute (the type id for the type name, the timestamp for times).
    private func column(_ attribute: FilterAttribute, into sql: inout SQLBuilder) -> String {
        let r = row(attribute)
        switch attribute.field {
        case .typeName, .typeID: return "\(r).type_id"
        case .createTime: return "\(r).create_time"
        case .updateTime: return "\(r).update_time"
        case .eventTime: return "\(r).time"
        default: return expression(attribute, into: &sql)
        }
    }

    /// The SQL expression of an attribute's value, in the type its literals are bound as (a property's name is a
    /// bound parameter too).
    private func expression(_ attribute: FilterAttribute, into sql: inout SQLBuilder) -> String {
        let r = row(attribute)
        switch attribute.field {
        case .id: return "\(r).id"
        case .typeID, .typeName, .createTime, .updateTime, .eventTime: return column(attribute, into: &sql)
        case .name: return "\(r).name"
        case .externalID: return "\(r).external_id"
        case .uri: return "\(r).uri"
        case .state: return "\(r).state"
        case .eventType: return "\(r).type"
        case .property(let name, let custom, let value):
            let map = "\(r).\(custom ? "custom_properties" : "properties") -> \(sql.bind(name, as: "text"))"
            switch value {
            case .int: return "(\(map) ->> 'int')::int8"
            case .double: return "(\(map) ->> 'double')::float8"
            case .string: return "(\(map) ->> 'string')"
            case .bool: return "(\(map) ->> 'bool')::bool"
            }
        }
    }
}

extension FilterCondition {
    /// The terms of a top-level AND chain (the condition itself if it is not an AND).
    var conjuncts: [FilterCondition] {
        if case .and(let left, let right) = self { return left.conjuncts + right.conjuncts }
        return [self]
    }

    /// Whether any attribute of the condition belongs to a neighbourhood alias.
    var mentionsAlias: Bool {
        var found = false
        visitAttributes { if case .neighbour = $0.scope { found = true } }
        return found
    }
}
