import Foundation
import ProvenanceServer
import Testing

/// The README's table of `serve` settings is the settings table itself, printed: a setting added, renamed or given
/// another default fails here until the README says so too.
@Suite struct ReadmeSettingsTests {
    static let begin = "<!-- settings: made from ServerSettings.table; ReadmeSettingsTests keeps it in step -->"
    static let end = "<!-- /settings -->"

    @Test func theReadmeListsEverySettingWithItsDefault() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../README.md").standardizedFileURL
        let readme = try String(contentsOf: url, encoding: .utf8)
        let start = try #require(readme.range(of: Self.begin), "README.md lacks the settings table's opening marker")
        let stop = try #require(readme.range(of: Self.end), "README.md lacks the settings table's closing marker")
        let documented = readme[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = ServerSettings.table.markdownTable
        #expect(documented == expected, "replace the README's table with:\n\(expected)")
    }
}
