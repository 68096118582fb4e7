import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import Testing

/// The composite write's placeholders and its bindings are made from the same named lists; this checks the two
/// agree in number for both statements, and that every named parameter is used.
@Suite struct LineageWriteBindingTests {
    static func highestPlaceholder(_ sql: String) -> Int {
        var highest = 0
        var digits = ""
        var inPlaceholder = false
        for character in sql + " " {
            if inPlaceholder, character.isNumber {
                digits.append(character)
                continue
            }
            if inPlaceholder { highest = max(highest, Int(digits) ?? 0) }
            inPlaceholder = character == "$"
            digits = ""
        }
        return highest
    }

    @Test func eachStatementHasExactlyOneBindingPerPlaceholder() {
        let parameters = LineageWriteParameters(
            namespaceID: 1, reuseContexts: true, reuseArtifacts: false, attributionContexts: [0], attributionNodes: [0],
            associationContexts: [], associationNodes: [], nodes: [:], events: EventColumns([]))
        #expect(Self.highestPlaceholder(LineageWriteSQL.newNodesOnly) == parameters.bindings(updates: false).count)
        #expect(Self.highestPlaceholder(LineageWriteSQL.general) == parameters.bindings(updates: true).count)
        for parameter in LineageWriteParameter.allCases {
            #expect(LineageWriteSQL.newNodesOnly.contains("\(parameter.placeholder)"), "\(parameter) is used")
        }
    }
}
