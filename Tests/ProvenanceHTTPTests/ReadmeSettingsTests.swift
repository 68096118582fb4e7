import ProvenanceServer
import ProvenanceTestSupport
import Testing

/// The README's table of `serve` settings is the settings table itself, printed: a setting added, renamed or given
/// another default fails here until the README says so too.
@Suite struct ReadmeSettingsTests {
    @Test func theReadmeListsEverySettingWithItsDefault() throws {
        let documented = try #require(
            try ReadmeSection.text(
                begin: "<!-- settings: made from ServerSettings.table; ReadmeSettingsTests keeps it in step -->",
                end: "<!-- /settings -->"),
            "README.md lacks the settings table's markers")
        let expected = ServerSettings.table.markdownTable
        #expect(documented == expected, "replace the README's table with:\n\(expected)")
    }
}
