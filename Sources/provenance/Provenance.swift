import ArgumentParser

/// The `provenance` command: a thin front over `buildServer(config:)` and the store.
@main
struct Provenance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provenance",
        abstract: "A metadata and lineage server for machine-learning pipelines (MLMD's data model, on PostgreSQL).",
        subcommands: [Serve.self, Migrate.self, Version.self, Bench.self],
        defaultSubcommand: Serve.self)
}
