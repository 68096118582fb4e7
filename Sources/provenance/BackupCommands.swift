import ArgumentParser
import ProvenanceServer

/// `provenance backup` and `restore`: the embedded cluster's database to a file and back.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the embedded cluster's database to FILE (pg_dump; also while the server runs).",
        discussion: ServerSettings.database.discussion)

    @Argument(help: "Where to write the backup.") var file: String
    @OptionGroup var settings: SettingsArguments

    func run() async throws {
        try await backupDatabase(config: try settings.configuration(ServerSettings.database), to: file)
        print("backed up to \(file)")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the embedded cluster's database with a backup (stop the server first); every id is kept.",
        discussion: ServerSettings.database.discussion)

    @Argument(help: "The backup to restore.") var file: String
    @OptionGroup var settings: SettingsArguments

    func run() async throws {
        try await restoreDatabase(config: try settings.configuration(ServerSettings.database), from: file)
        print("restored from \(file)")
    }
}
