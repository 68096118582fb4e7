import ProvenanceCore
import Testing

/// A command's settings come from one table: the default, overridden by the environment, overridden by the flag;
/// a bad value names the flag or the variable it came from.
@Suite struct SettingsTableTests {
    struct Example: Sendable {
        var port = 8080
        var timeout: Duration = .seconds(30)
        var url: String? = nil
        var verbose = false
    }

    static let table = SettingsTable<Example>(defaults: { Example() }, [
        .integer("port", \.port, in: 0...65535, help: "A port."),
        .duration("timeout", \.timeout, allowsZero: true, help: "A timeout."),
        .optionalText("url", \.url, valueName: "URL", help: "A URL."),
        .flag("verbose", \.verbose, help: "Talk more."),
    ])

    @Test func flagsWinOverTheEnvironmentWhichWinsOverTheDefault() throws {
        let defaults = try Self.table.resolve(arguments: [], environment: [:])
        #expect(defaults.port == 8080 && defaults.timeout == .seconds(30) && defaults.url == nil && !defaults.verbose)
        let fromEnvironment = try Self.table.resolve(
            arguments: [], environment: ["PROVENANCE_PORT": "9000", "PROVENANCE_TIMEOUT": "250ms"])
        #expect(fromEnvironment.port == 9000 && fromEnvironment.timeout == .milliseconds(250))
        let fromFlags = try Self.table.resolve(
            arguments: ["--port", "9100", "--timeout=0", "--url", "postgres://x", "--verbose", "true"],
            environment: ["PROVENANCE_PORT": "9000"])
        #expect(fromFlags.port == 9100 && fromFlags.timeout == .zero && fromFlags.url == "postgres://x" && fromFlags.verbose)
    }

    @Test func badValuesNameWhereTheyCameFrom() {
        func message(_ arguments: [String], _ environment: [String: String] = [:]) -> String {
            do {
                _ = try Self.table.resolve(arguments: arguments, environment: environment)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message(["--port", "http"]) == "--port: expected a whole number from 0 to 65535, got 'http'")
        #expect(message([], ["PROVENANCE_PORT": "70000"]) == "PROVENANCE_PORT: expected a whole number from 0 to 65535, got '70000'")
        #expect(message(["--timeout", "soon"]).hasPrefix("--timeout: expected a duration such as 500ms"))
        #expect(message(["--prot", "1"]) == "--prot: unknown option; --help lists them")
        #expect(message(["--port"]) == "--port: needs a value")
        #expect(message(["8080"]).hasPrefix("8080: unexpected argument"))
    }

    @Test func durationsReadAndPrintInTheSameUnits() {
        for text in ["250ms", "30s", "5m", "1h", "0"] {
            #expect(SettingDuration.parse(text).map(SettingDuration.describe) == text)
        }
        #expect(SettingDuration.parse("90s").map(SettingDuration.describe) == "90s")
        #expect(SettingDuration.parse("-1s") == nil)
        #expect(SettingDuration.parse("1.5s") == nil)
    }

    @Test func helpAndTheReadmeTableShowEachSettingOnceWithItsDefault() {
        #expect(Self.table.helpText.contains("--timeout DURATION: A timeout. [PROVENANCE_TIMEOUT; default 30s]"))
        #expect(Self.table.markdownTable.contains("| `--url` | `PROVENANCE_URL` | `none` | A URL. |"))
    }
}
