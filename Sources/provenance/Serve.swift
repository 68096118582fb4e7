import ArgumentParser
import ProvenanceServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server (REST API and MLMD gRPC service) on the embedded or a given PostgreSQL.",
        discussion: ServerSettings.table.discussion)

    @OptionGroup var settings: SettingsArguments

    func run() async throws {
        var config = try settings.configuration(ServerSettings.table)
        config.executorCommand = [CurrentExecutable.path, "executor"]
        config.exitsWhenShutdownOverruns = true
        let server = try await buildServer(config: config)
        try await server.run()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply database migrations and exit.", discussion: ServerSettings.database.discussion)

    @OptionGroup var settings: SettingsArguments

    func run() async throws {
        let applied = try await migrateDatabase(config: try settings.configuration(ServerSettings.database))
        print(applied.isEmpty ? "database is up to date" : "applied: \(applied.joined(separator: ", "))")
    }
}
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("provenance \(ProvenanceVersion.current)")
    }
}
