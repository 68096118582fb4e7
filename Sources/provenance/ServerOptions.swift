import ArgumentParser
import Foundation
import Logging
import ProvenanceServer

/// Flags shared by the commands that reach the database; each has an environment twin.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (postgres://user:password@host:port/db). Default: the embedded cluster. Env: PROVENANCE_DATABASE_URL.")
    var databaseURL: String?

    @Option(help: "Data directory of the embedded PostgreSQL cluster. Env: PROVENANCE_DATA_DIR.")
    var dataDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. Env: PROVENANCE_LOG_LEVEL.")
    var logLevel: String?

    func apply(to config: inout ServerConfiguration) throws {
        let environment = ProcessInfo.processInfo.environment
        config.databaseURL = databaseURL ?? environment["PROVENANCE_DATABASE_URL"]
        config.dataDirectory = dataDir ?? environment["PROVENANCE_DATA_DIR"] ?? config.dataDirectory
        if let level = logLevel ?? environment["PROVENANCE_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else { throw ValidationError("unknown log level '\(level)'") }
            config.logLevel = parsed
        }
    }
}

/// Reads an integer environment variable, failing loudly on garbage.
func environmentInt(_ name: String) throws -> Int? {
    guard let text = ProcessInfo.processInfo.environment[name] else { return nil }
    guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, got '\(text)'") }
    return value
}
