import ArgumentParser
import Foundation
import ProvenanceCore
import ProvenanceServer

/// The settings of a command, read from the command line and the environment through a settings table (the flags
/// are not declared one by one here: the table is the one list of them).
struct SettingsArguments: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var arguments: [String] = []

    /// The configuration the arguments and the environment give, by `table`.
    func configuration<Configuration>(_ table: SettingsTable<Configuration>) throws -> Configuration {
        do {
            return try table.resolve(arguments: arguments, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.message)
        }
    }
}

extension SettingsTable {
    /// `--help`'s account of the settings.
    var discussion: String { "Settings, each a flag or the environment variable named:\n\n" + helpText }
}
