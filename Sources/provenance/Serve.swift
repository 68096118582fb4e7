import ArgumentParser
import Foundation
import ProvenanceServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (REST API and MLMD gRPC service) on the embedded or a given PostgreSQL.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "HTTP interface to bind. Env: PROVENANCE_HTTP_HOST. Default: 127.0.0.1.")
    var httpHost: String?

    @Option(help: "HTTP port. Env: PROVENANCE_HTTP_PORT. Default: 8080.")
    var httpPort: Int?

    @Option(help: "gRPC interface of the MLMD service. Env: PROVENANCE_GRPC_HOST. Default: 127.0.0.1.")
    var grpcHost: String?

    @Option(help: "gRPC port of the MLMD service. Env: PROVENANCE_GRPC_PORT. Default: 8081.")
    var grpcPort: Int?

    @Option(help: "Largest request body or gRPC message in bytes (413 / RESOURCE_EXHAUSTED above). Env: PROVENANCE_MAX_BODY_BYTES. Default: 33554432.")
    var maxBodyBytes: Int?

    @Option(help: "Database connections, opened at start and kept. Env: PROVENANCE_DATABASE_CONNECTIONS. Default: 16.")
    var databaseConnections: Int?

    func run() async throws {
        var config = ServerConfiguration()
        try database.apply(to: &config)
        let environment = ProcessInfo.processInfo.environment
        config.httpHost = httpHost ?? environment["PROVENANCE_HTTP_HOST"] ?? config.httpHost
        config.httpPort = try httpPort ?? environmentInt("PROVENANCE_HTTP_PORT") ?? config.httpPort
        config.grpcHost = grpcHost ?? environment["PROVENANCE_GRPC_HOST"] ?? config.grpcHost
        config.grpcPort = try grpcPort ?? environmentInt("PROVENANCE_GRPC_PORT") ?? config.grpcPort
        config.maximumBodyBytes = try maxBodyBytes ?? environmentInt("PROVENANCE_MAX_BODY_BYTES") ?? config.maximumBodyBytes
        config.databaseConnections =
            try databaseConnections ?? environmentInt("PROVENANCE_DATABASE_CONNECTIONS") ?? config.databaseConnections
        let server = try await buildServer(config: config)
        try await server.run()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations and exit.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        var config = ServerConfiguration()
        try database.apply(to: &config)
        let applied = try await migrateDatabase(config: config)
        print(applied.isEmpty ? "database is up to date" : "applied: \(applied.joined(separator: ", "))")
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")

    func run() {
        print("provenance \(ProvenanceVersion.current)")
    }
}
