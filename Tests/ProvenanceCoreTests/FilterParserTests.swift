import ProvenanceCore
import Testing

/// The condition `text` parses to when listing `kind`.
private func parse(_ text: String, _ kind: NodeKind = .artifact) throws -> FilterCondition {
    try Filter.parse(text, kind: kind).condition
}

/// The message (without the field prefix) of the error `text` fails with, or nil when it parses.
private func failure(_ text: String, _ kind: NodeKind = .artifact) -> String? {
    do throws(ProvenanceError) {
        _ = try Filter.parse(text, kind: kind)
        return nil
    } catch {
        #expect(error.code == .invalidArgument)
        return error.message.hasPrefix("filter: ") ? String(error.message.dropFirst(8)) : error.message
    }
}

private func node(_ field: FilterField) -> FilterAttribute { FilterAttribute(scope: .node, field: field) }

private func neighbour(_ neighbourhood: FilterNeighbourhood, _ alias: String, _ field: FilterField)
    -> FilterAttribute
{
    FilterAttribute(scope: .neighbour(FilterAlias(neighbourhood: neighbourhood, name: alias)), field: field)
}

private func property(_ name: String, custom: Bool = false, _ value: FilterPropertyValue) -> FilterAttribute {
    node(.property(name: name, custom: custom, value: value))
}

private func id(_ value: Int64) -> FilterCondition { .compare(node(.id), .equal, .int(value)) }

/// Expects `text` to fail with exactly `message` (after the field prefix) when listing `kind`.
private func expectFailure(
    _ text: String, _ kind: NodeKind, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(failure(text, kind) == message, sourceLocation: sourceLocation)
}

/// Expects `text` to fail with exactly `message` when listing artifacts.
private func expectFailure(_ text: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    expectFailure(text, .artifact, message, sourceLocation: sourceLocation)
}

@Suite struct FilterParserTests {
    @Test func everyComparisonOperatorParses() throws {
        let operators: [(String, FilterComparison)] = [
            ("=", .equal), ("!=", .notEqual), ("<>", .notEqual), ("<", .less), (">", .greater),
            ("<=", .lessOrEqual), (">=", .greaterOrEqual),
        ]
        for (text, comparison) in operators {
            #expect(try parse("id \(text) 5") == .compare(node(.id), comparison, .int(5)))
            #expect(try parse("id\(text)5") == .compare(node(.id), comparison, .int(5)))
        }
    }

    @Test func andBindsTighterThanOrAndChainsAssociateLeft() throws {
        #expect(try parse("id = 1 OR id = 2 AND id = 3") == .or(id(1), .and(id(2), id(3))))
        #expect(try parse("id = 1 AND id = 2 OR id = 3") == .or(.and(id(1), id(2)), id(3)))
        #expect(try parse("id = 1 OR id = 2 OR id = 3") == .or(.or(id(1), id(2)), id(3)))
        #expect(try parse("id = 1 AND id = 2 AND id = 3") == .and(.and(id(1), id(2)), id(3)))
    }

    @Test func notBindsTightest() throws {
        #expect(try parse("NOT id = 1 AND id = 2") == .and(.not(id(1)), id(2)))
        #expect(try parse("NOT NOT id = 1") == .not(.not(id(1))))
        #expect(try parse("NOT (id = 1 OR id = 2)") == .not(.or(id(1), id(2))))
    }

    @Test func parenthesesOverridePrecedence() throws {
        #expect(try parse("(id = 1 OR id = 2) AND id = 3") == .and(.or(id(1), id(2)), id(3)))
        #expect(try parse("((id = 1))") == id(1))
        #expect(try parse("id = 1 AND (id = 2 OR (id = 3))") == .and(id(1), .or(id(2), id(3))))
    }

    @Test func keywordsIgnoreLetterCase() throws {
        #expect(
            try parse("id = 1 or not id = 2 and name is null")
                == .or(id(1), .and(.not(id(2)), .isNull(node(.name), negated: false))))
        #expect(try parse("name not like 'a%'") == .like(node(.name), pattern: "a%", negated: true))
        #expect(try parse("properties.b.bool_value = true") == .compare(property("b", .bool), .equal, .bool(true)))
    }

    @Test func nodeFieldsResolvePerKind() throws {
        let common: [(String, FilterField, String)] = [
            ("id", .id, "1"), ("type", .typeName, "'T'"), ("type_id", .typeID, "1"), ("name", .name, "'n'"),
            ("external_id", .externalID, "'e'"), ("create_time_since_epoch", .createTime, "1"),
            ("last_update_time_since_epoch", .updateTime, "1"),
        ]
        for kind in NodeKind.allCases {
            for (text, field, literal) in common {
                guard case .compare(let attribute, _, _) = try parse("\(text) = \(literal)", kind) else {
                    Issue.record("\(text) did not parse to a comparison")
                    continue
                }
                #expect(attribute == node(field))
            }
        }
        #expect(try parse("uri = 's3://b'") == .compare(node(.uri), .equal, .string("s3://b")))
        #expect(try parse("state = LIVE") == .compare(node(.state), .equal, .int(2)))
        #expect(try parse("last_known_state = COMPLETE", .execution) == .compare(node(.state), .equal, .int(3)))
    }

    @Test func eachNeighbourhoodJoinsForTheKindsThatHaveIt() throws {
        let cases: [(String, NodeKind, FilterCondition)] = [
            ("contexts_a.name = 'p'", .artifact, .compare(neighbour(.contexts, "a", .name), .equal, .string("p"))),
            ("contexts_run1.id = 3", .execution, .compare(neighbour(.contexts, "run1", .id), .equal, .int(3))),
            ("events_e.type = INPUT", .artifact, .compare(neighbour(.events, "e", .eventType), .equal, .int(3))),
            (
                "events_e.milliseconds_since_epoch > 5", .execution,
                .compare(neighbour(.events, "e", .eventTime), .greater, .int(5))
            ),
            (
                "parent_contexts_x.name = 'p'", .context,
                .compare(neighbour(.parentContexts, "x", .name), .equal, .string("p"))
            ),
            (
                "child_contexts_c.type = 'Run'", .context,
                .compare(neighbour(.childContexts, "c", .typeName), .equal, .string("Run"))
            ),
            (
                "artifacts_a.uri LIKE 'gs://%'", .context,
                .like(neighbour(.artifacts, "a", .uri), pattern: "gs://%", negated: false)
            ),
            ("artifacts_a.state = LIVE", .context, .compare(neighbour(.artifacts, "a", .state), .equal, .int(2))),
            (
                "executions_e.last_known_state = COMPLETE", .context,
                .compare(neighbour(.executions, "e", .state), .equal, .int(3))
            ),
            (
                "contexts_parent_contexts_x.id = 1", .artifact,
                .compare(neighbour(.contexts, "parent_contexts_x", .id), .equal, .int(1))
            ),
        ]
        for (text, kind, expected) in cases {
            #expect(try parse(text, kind) == expected, "\(text)")
        }
    }

    @Test func propertiesAndCustomPropertiesWithPlainAndBackquotedNames() throws {
        #expect(try parse("properties.n.int_value = 3") == .compare(property("n", .int), .equal, .int(3)))
        #expect(
            try parse("custom_properties.acc.double_value > 0.5")
                == .compare(property("acc", custom: true, .double), .greater, .double(0.5)))
        #expect(
            try parse("properties.`my prop.v2`.string_value = 'x'")
                == .compare(property("my prop.v2", .string), .equal, .string("x")))
        #expect(
            try parse("custom_properties.`ünï (code)`.bool_value = FALSE")
                == .compare(property("ünï (code)", custom: true, .bool), .equal, .bool(false)))
        #expect(try parse("properties.1st.int_value = 1") == .compare(property("1st", .int), .equal, .int(1)))
        let runID = neighbour(.contexts, "c", .property(name: "run id", custom: true, value: .string))
        #expect(
            try parse("contexts_c.custom_properties.`run id`.string_value IS NOT NULL")
                == .isNull(runID, negated: true))
    }

    @Test func enumNamesMayBeBareQuotedOrNumeric() throws {
        for literal in ["LIVE", "live", "'LIVE'", "\"Live\"", "2"] {
            #expect(try parse("state = \(literal)") == .compare(node(.state), .equal, .int(2)))
        }
        #expect(try parse("last_known_state != 'failed'", .execution) == .compare(node(.state), .notEqual, .int(4)))
        #expect(
            try parse("events_e.type IN (INPUT, 'output', 1)")
                == .in(neighbour(.events, "e", .eventType), [.int(3), .int(4), .int(1)], negated: false))
    }

    @Test func inAndNotIn() throws {
        #expect(try parse("id IN (1, 2, -3)") == .in(node(.id), [.int(1), .int(2), .int(-3)], negated: false))
        #expect(try parse("name NOT IN ('a')") == .in(node(.name), [.string("a")], negated: true))
        #expect(
            try parse("properties.d.double_value IN (1, 2.5)")
                == .in(property("d", .double), [.double(1), .double(2.5)], negated: false))
    }

    @Test func likeAndNotLike() throws {
        #expect(try parse("name LIKE 'train_%'") == .like(node(.name), pattern: "train_%", negated: false))
        #expect(try parse("type NOT LIKE \"%Model\"") == .like(node(.typeName), pattern: "%Model", negated: true))
        #expect(try parse("name LIKE '100\\%'") == .like(node(.name), pattern: "100\\%", negated: false))
    }

    @Test func isNullAndIsNotNull() throws {
        #expect(try parse("external_id IS NULL") == .isNull(node(.externalID), negated: false))
        #expect(try parse("properties.p.int_value IS NOT NULL") == .isNull(property("p", .int), negated: true))
    }

    @Test func numbersTakeTheAttributesType() throws {
        let double = node(.property(name: "d", custom: false, value: .double))
        #expect(try parse("properties.d.double_value = 1") == .compare(double, .equal, .double(1)))
        #expect(try parse("properties.d.double_value = 1.5") == .compare(double, .equal, .double(1.5)))
        #expect(try parse("properties.d.double_value = 1e3") == .compare(double, .equal, .double(1000)))
        #expect(try parse("properties.d.double_value < -2.5E-1") == .compare(double, .less, .double(-0.25)))
        #expect(try parse("properties.d.double_value > .5") == .compare(double, .greater, .double(0.5)))
        #expect(try parse("id > -5") == .compare(node(.id), .greater, .int(-5)))
        #expect(try parse("id = +7") == .compare(node(.id), .equal, .int(7)))
        #expect(try parse("id = 9223372036854775807") == .compare(node(.id), .equal, .int(.max)))
    }

    @Test func quotesInsideStrings() throws {
        #expect(try parse("name = 'it''s'") == .compare(node(.name), .equal, .string("it's")))
        #expect(try parse("name = \"say \"\"hi\"\"\"") == .compare(node(.name), .equal, .string("say \"hi\"")))
        #expect(try parse("name = 'it\\'s'") == .compare(node(.name), .equal, .string("it's")))
        #expect(try parse("name = 'C:\\\\'") == .compare(node(.name), .equal, .string("C:\\")))
        #expect(try parse("name = \"it's\"") == .compare(node(.name), .equal, .string("it's")))
        #expect(try parse("name = ''") == .compare(node(.name), .equal, .string("")))
    }

    @Test func aliasesListsEachNeighbourOnceInOrderOfFirstUse() throws {
        let filter = try Filter.parse(
            "contexts_a.name = 'x' AND (events_e.type = INPUT OR contexts_a.id = 1)"
                + " AND NOT contexts_b.id = 2 AND id = 3",
            kind: .artifact)
        #expect(filter.kind == .artifact)
        #expect(filter.aliases == [
            FilterAlias(neighbourhood: .contexts, name: "a"), FilterAlias(neighbourhood: .events, name: "e"),
            FilterAlias(neighbourhood: .contexts, name: "b"),
        ])
        #expect(try Filter.parse("name = 'x'", kind: .context).aliases.isEmpty)
    }

    @Test func unknownAttributesAndFieldsNameTheirColumn() {
        expectFailure("nmae = 'x'", "unknown attribute 'nmae' at column 1")
        expectFailure("id = 1 AND contexts_a.nmae = 'x'", "unknown attribute 'nmae' of contexts_a at column 23")
        expectFailure("name.first = 'x'", "unknown attribute 'name.first' at column 1")
        expectFailure("contexts_a.uri = 'x'", "'uri' is not an attribute of contexts at column 12")
        expectFailure("uri = 'x'", .execution, "'uri' is not an attribute of executions at column 1")
        expectFailure(
            "state = LIVE", .execution, "'state' is not an attribute of executions; use 'last_known_state' at column 1")
        expectFailure(
            "events_e.name = 'x'",
            "unknown attribute 'name' of events_e; events have type and milliseconds_since_epoch at column 10")
        expectFailure("contexts_a = 1", "expected '.' and a field after 'contexts_a' at column 11")
        expectFailure(
            "properties.x = 1",
            "expected '.' and one of int_value, double_value, string_value or bool_value after 'x' at column 13")
        expectFailure(
            "properties.x.text_value = 1",
            "unknown property value 'text_value'; expected int_value, double_value, string_value or bool_value"
                + " at column 14")
        expectFailure("properties.`x = 1", "unterminated backquoted name at column 12")
        expectFailure("name. = 'x'", "expected a name after '.' at column 6")
    }

    @Test func neighbourhoodsOutsideTheirKindsAreRejected() {
        expectFailure(
            "contexts_a.name = 'x'", .context, "contexts_a is not available when listing contexts at column 1")
        expectFailure(
            "id = 1 OR events_e.type = INPUT", .context, "events_e is not available when listing contexts at column 11")
        expectFailure(
            "parent_contexts_p.name = 'x'", .artifact,
            "parent_contexts_p is not available when listing artifacts at column 1")
        expectFailure(
            "artifacts_a.id = 1", .execution, "artifacts_a is not available when listing executions at column 1")
    }

    @Test func literalsOfTheWrongTypeAreRejected() {
        expectFailure("uri = 5", "'uri' is a string; 5 is not a string at column 7")
        expectFailure("id = 1.5", "'id' is an integer; 1.5 is not an integer at column 6")
        expectFailure("id = '1'", "'id' is an integer; '1' is not an integer at column 6")
        expectFailure(
            "properties.b.bool_value = 1", "'properties.b.bool_value' is a boolean; 1 is not a boolean at column 27")
        expectFailure(
            "properties.b.bool_value < TRUE",
            "'<' is not allowed on boolean attribute 'properties.b.bool_value' at column 25")
        expectFailure(
            "properties.d.double_value = 'x'",
            "'properties.d.double_value' is a number; 'x' is not a number at column 29")
        expectFailure("id LIKE 'x'", "LIKE needs a string attribute; 'id' is not a string at column 4")
        expectFailure("name LIKE 5", "expected a quoted pattern after LIKE, found '5' at column 11")
        expectFailure("id IN (1, 'a')", "'id' is an integer; 'a' is not an integer at column 11")
        expectFailure(
            "id = 9223372036854775808", "9223372036854775808 is out of range for a 64-bit integer at column 6")
        expectFailure("name = NULL", "NULL is not a value; use IS NULL or IS NOT NULL at column 8")
        expectFailure(
            "state = 1.5", "'state' is an artifact state; 1.5 is not an artifact state name or number at column 9")
    }

    @Test func unknownEnumNamesListTheValidOnes() {
        expectFailure(
            "state = LIVEE",
            "unknown artifact state 'LIVEE'; expected one of UNKNOWN, PENDING, LIVE, MARKED_FOR_DELETION, DELETED, "
                + "ABANDONED, REFERENCE or a number from 0 to 6 at column 9")
        expectFailure(
            "last_known_state = 'DONE'", .execution,
            "unknown execution state 'DONE'; expected one of UNKNOWN, NEW, RUNNING, COMPLETE, FAILED, CACHED, "
                + "CANCELED or a number from 0 to 6 at column 20")
        expectFailure(
            "state = 7",
            "unknown artifact state 7; expected one of UNKNOWN, PENDING, LIVE, MARKED_FOR_DELETION, DELETED, "
                + "ABANDONED, REFERENCE or a number from 0 to 6 at column 9")
        expectFailure(
            "events_e.type = READ",
            "unknown event type 'READ'; expected one of UNKNOWN, DECLARED_OUTPUT, DECLARED_INPUT, INPUT, OUTPUT, "
                + "INTERNAL_INPUT, INTERNAL_OUTPUT, PENDING_OUTPUT or a number from 0 to 7 at column 17")
        let joinedState = failure("artifacts_a.state = COMPLETE", .context)
        #expect(joinedState?.hasPrefix("unknown artifact state 'COMPLETE'") == true)
    }

    @Test func syntaxErrorsPointAtTheOffendingToken() {
        expectFailure("name =", "expected a value after '=' at column 7")
        expectFailure("name = AND id = 1", "expected a value after '=', found 'AND' at column 8")
        expectFailure("name = 'abc", "unterminated string at column 8")
        expectFailure("(id = 1 OR id = 2", "expected ')' at column 18")
        expectFailure("(id = 1 x", "expected ')', found 'x' at column 9")
        expectFailure("id = 1 x", "unexpected 'x' at column 8")
        expectFailure("id = 1)", "unexpected ')' at column 7")
        expectFailure("id = 1 'a'", "unexpected 'a' at column 8")
        expectFailure("name = 'a' AND", "expected a condition at column 15")
        expectFailure("()", "expected a condition, found ')' at column 2")
        expectFailure("NOT", "expected a condition at column 4")
        expectFailure("TRUE = 1", "expected a condition, found 'TRUE' at column 1")
        expectFailure("id 5", "expected an operator after 'id', found '5' at column 4")
        expectFailure("name NOT = 'x'", "expected LIKE or IN after NOT, found '=' at column 10")
        expectFailure("name IS 'x'", "expected NULL after IS, found 'x' at column 9")
        expectFailure("id IN 1", "expected '(' after IN, found '1' at column 7")
        expectFailure("id IN ()", "IN needs at least one value at column 8")
        expectFailure("id IN (1 2)", "expected ',' or ')', found '2' at column 10")
        expectFailure("id IN (1,)", "expected a value after ',', found ')' at column 10")
        expectFailure("id = 1 & id = 2", "unexpected character '&' at column 8")
        expectFailure("id = 5abc", "malformed number '5abc' at column 6")
        expectFailure("id == 1", "expected a value after '=', found '=' at column 5")
    }

    @Test func columnsCountCharactersNotBytes() {
        expectFailure("name = 'é😀' AND nmae = 1", "unknown attribute 'nmae' at column 17")
    }

    @Test func emptyAndOversizedFiltersAreRejected() {
        expectFailure("", "empty filter")
        expectFailure("  \n\t ", "empty filter")
        let long = "name = '" + String(repeating: "x", count: Filter.maximumLength) + "'"
        expectFailure(long, "filter is longer than 10000 characters")
    }

    @Test func nestingDeeperThanTheLimitIsAnErrorNotACrash() throws {
        let limit = Filter.maximumDepth
        let deepest = String(repeating: "(", count: limit) + "id = 1" + String(repeating: ")", count: limit)
        #expect(try parse(deepest) == id(1))
        let tooDeep = String(repeating: "(", count: limit + 1) + "id = 1" + String(repeating: ")", count: limit + 1)
        expectFailure(tooDeep, "filter nests deeper than 100 levels at column 101")
        expectFailure(
            String(repeating: "NOT ", count: limit + 1) + "id = 1", "filter nests deeper than 100 levels at column 401")
        expectFailure(String(repeating: "(", count: 5000), "filter nests deeper than 100 levels at column 101")
    }

    @Test func aLongFlatChainWithinTheLengthLimitParses() throws {
        let terms = Array(repeating: "contexts_a.id = 1", count: 400)
        let filter = try Filter.parse(terms.joined(separator: " OR "), kind: .artifact)
        #expect(filter.aliases == [FilterAlias(neighbourhood: .contexts, name: "a")])
    }

    @Test func errorsNameTheRequestField() {
        #expect {
            try Filter.parse("nmae = 1", kind: .context, field: "filter_query")
        } throws: { error in
            let error = error as? ProvenanceError
            return error?.message == "filter_query: unknown attribute 'nmae' at column 1"
                && error?.details == ["field": "filter_query"]
        }
    }
}

/// The limits that keep one filter from costing the database more than any request should.
@Suite struct FilterLimitTests {
    @Test func moreNeighbourhoodAliasesThanTheLimitIsAnErrorAtTheFirstOneOver() throws {
        let limit = Filter.maximumAliases
        let within = (1...limit).map { "contexts_a\($0).name = 'x'" }.joined(separator: " AND ")
        #expect(try Filter.parse(within, kind: .artifact).aliases.count == limit)
        let over = within + " AND events_e.type = INPUT"
        #expect {
            try Filter.parse(over, kind: .artifact)
        } throws: { error in
            let message = (error as? ProvenanceError)?.message ?? ""
            return message.contains("at most \(limit) neighbourhood aliases")
                && message.hasSuffix("at column \(within.count + 6)")
        }
        // One alias used many times is one join.
        let reused = Array(repeating: "contexts_a.name = 'x'", count: 50).joined(separator: " OR ")
        #expect(try Filter.parse(reused, kind: .artifact).aliases.count == 1)
    }

    @Test func aLikePatternEndingInALoneEscapeCharacterIsRejectedWhereItIs() throws {
        #expect {
            try Filter.parse(#"name LIKE 'ab\\'"#, kind: .artifact)
        } throws: { error in
            (error as? ProvenanceError)?.message
                == #"filter: a LIKE pattern cannot end with the escape character '\'; write '\\' for a backslash at column 11"#
        }
        // An escaped backslash, and an escaped wildcard, are fine.
        _ = try Filter.parse(#"name LIKE 'ab\\\\'"#, kind: .artifact)
        _ = try Filter.parse(#"name NOT LIKE 'a\%b'"#, kind: .artifact)
    }

    @Test func aNulCharacterIsRejectedAtItsColumn() {
        #expect {
            try Filter.parse("name = 'a\u{0}b'", kind: .artifact)
        } throws: { error in
            (error as? ProvenanceError)?.message == "filter: a NUL character (U+0000) cannot appear in a filter at column 10"
        }
    }
}
