import ArgumentParser

/// The `provenance` command: the server (`serve`), an executor (`executor`), and client verbs over the REST API
/// (`pipelines`, `components`, `runs`, `schedules`, `artifacts`), all thin fronts over the library modules.
struct Provenance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provenance",
        abstract: "A metadata and lineage server for machine-learning pipelines (MLMD's data model, on PostgreSQL).",
        subcommands: [
            Serve.self, ExecutorCommand.self, PipelinesCommand.self, ComponentsCommand.self, RunsCommand.self, SchedulesCommand.self, FleetCommand.self,
            ArtifactsCommand.self, TokensCommand.self, Migrate.self, Backup.self, Restore.self, Version.self, Bench.self,
        ],
        defaultSubcommand: Serve.self)
}

@main
enum Main {
    static func main() async {
        // Swift concurrency keeps its own global executor. Running tasks on NIO's event loops instead (NIO's
        // executor takeover) made every hop to the generic executor a queued event-loop job: postgres-nio's row
        // iterator hops once per row, and a 500-node lineage subgraph spent a third of its server time switching.
        await Provenance.main()
    }
}
