import ProvenanceExecutor
import ProvenanceTestSupport
import Testing

/// The README's table of `executor` settings is the executor's settings table, printed.
@Suite struct ReadmeExecutorSettingsTests {
    @Test func theReadmeListsEveryExecutorSettingWithItsDefault() throws {
        let documented = try #require(
            try ReadmeSection.text(
                begin: "<!-- executor-settings: made from ExecutorSettings.table; ReadmeExecutorSettingsTests keeps it in step -->",
                end: "<!-- /executor-settings -->"),
            "README.md lacks the executor settings table's markers")
        let expected = ExecutorSettings.table.markdownTable
        #expect(documented == expected, "replace the README's executor table with:\n\(expected)")
    }
}
