import ProvenanceCore
import Testing

@Suite struct JSONParserTests {
    @Test func integerAndFractionLiteralsStayDistinct() throws {
        let json = try JSONParser.parse(#"{"a": 5, "b": 5.0, "c": -9223372036854775808, "d": 1e3}"#)
        #expect(json["a"] == .int(5))
        #expect(json["b"] == .double(5.0))
        #expect(json["c"] == .int(Int64.min))
        #expect(json["d"] == .double(1000))
    }

    @Test(arguments: [Int64.min, -1_000_000_007, -10, -1, 0, 7, 10, 1_795_344_310_767, Int64.max])
    func writerWritesIntegersExactly(number: Int64) throws {
        #expect(JSONWriter.string(.int(number)) == String(number))
        #expect(try JSONParser.parse(JSONWriter.string(.array([.int(number)]))) == .array([.int(number)]))
    }

    @Test func writerKeepsDoublesDouble() throws {
        let text = JSONWriter.string(["x": .double(5), "y": .int(5), "s": .string("a\"b\n\u{1}")])
        #expect(text == #"{"x":5.0,"y":5,"s":"a\"b\n\u0001"}"#)
        #expect(try JSONParser.parse(text)["x"] == .double(5))
    }

    @Test func unicodeEscapesAndSurrogatePairsDecode() throws {
        #expect(try JSONParser.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    @Test func stringsWithAndWithoutEscapesDecodeAlike() throws {
        #expect(try JSONParser.parse(#"["plain é", "tab\tthen more", "\"quoted\"", ""]"#)
            == .array([.string("plain é"), .string("tab\tthen more"), .string("\"quoted\""), .string("")]))
    }

    @Test func invalidUTF8AndRawControlCharactersAreRejected() {
        for bytes: [UInt8] in [[0x22, 0x61, 0xFF, 0x22], [0x22, 0x61, 0x5C, 0x6E, 0xC3, 0x22], [0x22, 0x61, 0x0A, 0x22]] {
            #expect(throws: ProvenanceError.self) { try JSONParser.parse(bytes) }
        }
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, "line 1, column 9"),
        ("{\n\"a\" 1}", "line 2, column 5"),
        (#"{"a": 1, "a": 2}"#, "duplicate member"),
        ("[1, 2", "expected ',' or ']'"),
        ("99999999999999999999", "does not fit in 64 bits"),
        (#""\ud800""#, "unpaired UTF-16 surrogate"),
        ("01", "leading zeros"),
        ("", "unexpected end of input"),
    ])
    func malformedInputIsRejectedWithItsPosition(input: String, expected: String) {
        #expect {
            try JSONParser.parse(input)
        } throws: { error in
            guard let error = error as? ProvenanceError else { return false }
            return error.code == .invalidArgument && error.message.contains(expected)
        }
    }

    @Test func duplicateMembersAreFoundInSmallAndLargeObjects() throws {
        for size in [2, 11, 12, 13, 40] {
            let members = (0..<size).map { "\"k\($0)\": \($0)" }
            #expect(throws: Never.self) { try JSONParser.parse("{" + members.joined(separator: ",") + "}") }
            for duplicated in [0, size - 1] {
                let text = "{" + (members + ["\"k\(duplicated)\": true"]).joined(separator: ",") + "}"
                #expect(throws: ProvenanceError.self, "object of \(size) members repeating k\(duplicated)") {
                    try JSONParser.parse(text)
                }
            }
        }
    }

    @Test func nestingDeeperThanTheLimitIsRejected() {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: ProvenanceError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func base64RoundTrips() {
        for bytes in [[], [0], [1, 2], [1, 2, 3], Array(0...255)] as [[UInt8]] {
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.decode("not base64!") == nil)
    }
}
