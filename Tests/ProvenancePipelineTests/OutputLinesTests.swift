import Testing

@testable import ProvenanceExecutor

/// A step's output cut into log lines, whatever it looks like.
@Suite struct OutputLinesTests {
    func split(_ chunks: [[UInt8]]) -> [String] {
        var lines = OutputLines()
        var result: [String] = []
        for chunk in chunks { result += chunk.withUnsafeBytes { lines.feed($0) } }
        return result + lines.finish()
    }

    @Test func linesEndAtNewlinesCarriageReturnsAndBoth() {
        #expect(split([Array("a\nb\r\nc\rd".utf8)]) == ["a", "b", "c", "d"])
        // A \r\n split across two reads is one line break.
        #expect(split([Array("a\r".utf8), Array("\nb\n".utf8)]) == ["a", "b"])
        // tqdm's redraws: each a line.
        #expect(split([Array(" 10%|#  |\r 20%|## |\r100%|###|\n".utf8)]) == [" 10%|#  |", " 20%|## |", "100%|###|"])
    }

    @Test func aLineLongerThanTheLimitIsCutIntoPiecesAtCharacterBoundaries() {
        let long = Array(repeating: UInt8(ascii: "x"), count: 200 * 1024)
        let pieces = split([Array(long[..<70_000]), Array(long[70_000...]) + Array("\nend".utf8)])
        #expect(pieces.count == 14)
        #expect(pieces.dropLast(2).allSatisfy { $0.utf8.count == OutputLines.maximumLength })
        #expect(pieces.dropLast().map(\.utf8.count).reduce(0, +) == 200 * 1024)
        #expect(pieces.last == "end")
        // A three-byte character straddling the limit moves whole to the next piece.
        let euro = Array("€".utf8)
        let text = Array(repeating: UInt8(ascii: "a"), count: OutputLines.maximumLength - 1) + euro + Array("b".utf8)
        let cut = split([text])
        #expect(cut.count == 2)
        #expect(cut[0].utf8.count == OutputLines.maximumLength - 1)
        #expect(cut[1] == "€b")
        #expect(!cut.joined().contains("\u{FFFD}"))
    }
}
