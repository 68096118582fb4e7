import ArgumentParser
import NIOCore
import NIOPosix

/// The `provenance` command: a thin front over `buildServer(config:)` and the store.
struct Provenance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provenance",
        abstract: "A metadata and lineage server for machine-learning pipelines (MLMD's data model, on PostgreSQL).",
        subcommands: [Serve.self, Migrate.self, Version.self, Bench.self],
        defaultSubcommand: Serve.self)
}

@main
enum Main {
    static func main() async {
        // Run Swift concurrency's tasks on NIO's event loops: request handlers then resume on the threads that do
        // the HTTP and PostgreSQL I/O instead of hopping to another pool and back on every await. This must
        // happen on the main thread before any task runs.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Provenance.main()
    }
}
