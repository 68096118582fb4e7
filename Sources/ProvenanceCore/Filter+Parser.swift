extension Filter {
    /// The longest filter accepted, in characters.
    public static let maximumLength = 10_000
    /// The deepest nesting of parentheses and NOTs accepted; deeper input is an error, never a stack overflow.
    public static let maximumDepth = 100
    /// The most neighbourhood aliases (`contexts_a`, `events_e`, ...) one filter may use. Each joins one or two
    /// tables into the query, and PostgreSQL's planning time grows steeply with the number of joined tables:
    /// a few hundred aliases kept a backend planning for minutes.
    public static let maximumAliases = 8

    /// Parses and type-checks a filter in MLMD's `filter_query` language (a subset of a SQL WHERE clause) for
    /// listing nodes of `kind`.
    ///
    /// Errors are invalid-argument errors on `field` that say what was expected or found and the 1-based character
    /// column of the offending token, such as `unknown attribute 'nmae' at column 1`.
    public static func parse(_ text: String, kind: NodeKind, field: String = "filter") throws(ProvenanceError)
        -> Filter
    {
        let characters = Array(text)
        guard characters.count <= maximumLength else {
            throw .invalid(field, "filter is longer than \(maximumLength) characters")
        }
        if let nul = characters.firstIndex(of: "\u{0}") {
            throw error(field, "a NUL character (U+0000) cannot appear in a filter", column: nul + 1)
        }
        let tokens = try FilterLexer.tokens(of: characters, field: field)
        guard tokens.count > 1 else { throw .invalid(field, "empty filter") }
        var parser = FilterParser(tokens: tokens, kind: kind, field: field)
        return Filter(kind: kind, condition: try parser.parseFilter())
    }

    /// The error for a problem found at `column`; lexer, parser and type check all report this way.
    static func error(_ field: String, _ problem: String, column: Int) -> ProvenanceError {
        .invalid(field, "\(problem) at column \(column)")
    }
}

/// A recursive-descent parser over the tokens of one filter, type-checking each predicate as it is read.
///
/// Precedence, loosest first: OR, AND, NOT, then a parenthesized condition or a predicate.
struct FilterParser {
    /// The tokens, ending with `.end`.
    let tokens: [FilterToken]
    /// The kind of node being listed.
    let kind: NodeKind
    /// The request field errors are reported on.
    let field: String
    private var position = 0
    private var depth = 0
    /// The neighbourhood aliases met so far (to hold them to `Filter.maximumAliases`).
    private var aliases: Set<FilterAlias> = []

    /// Creates a parser positioned at the first token.
    init(tokens: [FilterToken], kind: NodeKind, field: String) {
        self.tokens = tokens
        self.kind = kind
        self.field = field
    }

    /// Parses the whole input as one condition.
    mutating func parseFilter() throws(ProvenanceError) -> FilterCondition {
        let condition = try parseOr()
        guard current.kind == .end else { throw error("unexpected \(current.quoted)", at: current) }
        return condition
    }

    private var current: FilterToken { tokens[position] }

    private mutating func advance() -> FilterToken {
        let token = tokens[position]
        if token.kind != .end { position += 1 }
        return token
    }

    /// Consumes the current token if it is `keyword`.
    private mutating func accept(_ keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        position += 1
        return true
    }

    /// An error at `token`.
    func error(_ problem: String, at token: FilterToken) -> ProvenanceError {
        Filter.error(field, problem, column: token.column)
    }

    /// "expected X" at the current token, naming what was found unless the input ended.
    func expected(_ what: String) -> ProvenanceError {
        current.kind == .end
            ? error("expected \(what)", at: current) : error("expected \(what), found \(current.quoted)", at: current)
    }

    private mutating func parseOr() throws(ProvenanceError) -> FilterCondition {
        var condition = try parseAnd()
        while accept("OR") { condition = .or(condition, try parseAnd()) }
        return condition
    }

    private mutating func parseAnd() throws(ProvenanceError) -> FilterCondition {
        var condition = try parseUnary()
        while accept("AND") { condition = .and(condition, try parseUnary()) }
        return condition
    }

    private mutating func parseUnary() throws(ProvenanceError) -> FilterCondition {
        guard current.isKeyword("NOT") else { return try parsePrimary() }
        try enter()
        defer { depth -= 1 }
        position += 1
        return .not(try parseUnary())
    }

    private mutating func parsePrimary() throws(ProvenanceError) -> FilterCondition {
        guard current.kind == .openParen else { return try parsePredicate() }
        try enter()
        defer { depth -= 1 }
        position += 1
        let condition = try parseOr()
        guard current.kind == .closeParen else { throw expected("')'") }
        position += 1
        return condition
    }

    /// Counts the attribute's alias, if it is a new one, against `Filter.maximumAliases`. (The other dimensions
    /// of a filter's cost are bounded by its length and depth.)
    private mutating func count(_ attribute: FilterAttribute, at token: FilterToken) throws(ProvenanceError) {
        guard case .neighbour(let alias) = attribute.scope, aliases.insert(alias).inserted else { return }
        if aliases.count > Filter.maximumAliases {
            throw error(
                "a filter may use at most \(Filter.maximumAliases) neighbourhood aliases (such as contexts_a or "
                    + "events_e); each joins tables into the query, so reuse one alias where one neighbour is meant",
                at: token)
        }
    }

    /// Counts one level of nesting at the current token.
    private mutating func enter() throws(ProvenanceError) {
        depth += 1
        if depth > Filter.maximumDepth {
            throw error("filter nests deeper than \(Filter.maximumDepth) levels", at: current)
        }
    }

    private mutating func parsePredicate() throws(ProvenanceError) -> FilterCondition {
        guard case .word = current.kind, !current.isAnyKeyword else { throw expected("a condition") }
        let name = current
        let attribute = try resolveAttribute(name)
        try count(attribute, at: name)
        position += 1
        let operation = current
        if case .comparison(let comparison) = operation.kind {
            position += 1
            if comparison != .equal, comparison != .notEqual, attribute.field.valueType == .bool {
                throw error("'\(operation.text)' is not allowed on boolean attribute '\(name.text)'", at: operation)
            }
            guard let value = try valueToken() else {
                throw expected("a value after '\(operation.text)'")
            }
            return .compare(attribute, comparison, try typedValue(value, for: attribute, named: name.text))
        }
        if accept("IS") {
            let negated = accept("NOT")
            guard accept("NULL") else { throw expected(negated ? "NULL after IS NOT" : "NULL after IS") }
            return .isNull(attribute, negated: negated)
        }
        let negated = accept("NOT")
        if current.isKeyword("LIKE") {
            guard attribute.field.valueType == .string else {
                throw error("LIKE needs a string attribute; '\(name.text)' is not a string", at: current)
            }
            position += 1
            guard case .string(let pattern) = current.kind else { throw expected("a quoted pattern after LIKE") }
            // PostgreSQL rejects a pattern whose last character escapes nothing, but only once a row matches up to it.
            if pattern.reversed().prefix(while: { $0 == "\\" }).count % 2 == 1 {
                throw error(
                    "a LIKE pattern cannot end with the escape character '\\'; write '\\\\' for a backslash",
                    at: current)
            }
            position += 1
            return .like(attribute, pattern: pattern, negated: negated)
        }
        if accept("IN") {
            return .in(attribute, try parseList(for: attribute, named: name.text), negated: negated)
        }
        throw expected(negated ? "LIKE or IN after NOT" : "an operator after '\(name.text)'")
    }

    /// `( value, ... )` after IN.
    private mutating func parseList(for attribute: FilterAttribute, named name: String) throws(ProvenanceError)
        -> [FilterValue]
    {
        guard current.kind == .openParen else { throw expected("'(' after IN") }
        position += 1
        if current.kind == .closeParen { throw error("IN needs at least one value", at: current) }
        var values: [FilterValue] = []
        repeat {
            guard let value = try valueToken() else {
                throw expected("a value after \(values.isEmpty ? "'('" : "','")")
            }
            values.append(try typedValue(value, for: attribute, named: name))
            guard current.kind == .comma || current.kind == .closeParen else { throw expected("',' or ')'") }
        } while advance().kind == .comma
        return values
    }

    /// Consumes and returns the current token if it can be a literal (a number, a string, or a single word that
    /// is not a keyword other than TRUE and FALSE); nil leaves it for the caller's "expected" error.
    private mutating func valueToken() throws(ProvenanceError) -> FilterToken? {
        switch current.kind {
        case .number, .string:
            return advance()
        case .word(let parts) where parts.count == 1:
            if current.isKeyword("NULL") {
                throw error("NULL is not a value; use IS NULL or IS NOT NULL", at: current)
            }
            return current.isAnyKeyword && !current.isKeyword("TRUE") && !current.isKeyword("FALSE")
                ? nil : advance()
        default:
            return nil
        }
    }
}
