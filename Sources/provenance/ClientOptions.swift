import ArgumentParser
import Foundation
import ProvenanceClient
import ProvenanceCore

/// Where the client commands (`pipelines`, `runs`, `artifacts`) find the server, and how they print.
struct ClientOptions: ParsableArguments {
    @Option(help: "The server's base URL (or PROVENANCE_SERVER).")
    var server: String = ProcessInfo.processInfo.environment["PROVENANCE_SERVER"] ?? "http://127.0.0.1:8080"

    @Option(help: "The namespace (or PROVENANCE_NAMESPACE).")
    var namespace: String = ProcessInfo.processInfo.environment["PROVENANCE_NAMESPACE"] ?? Namespace.defaultName

    @Option(help: "The API token (prefer PROVENANCE_TOKEN: a flag shows in the process list).")
    var token: String?

    @Option(help: "CA certificates (PEM) to verify an https server with (or PROVENANCE_CA_FILE).")
    var caFile: String = ProcessInfo.processInfo.environment["PROVENANCE_CA_FILE"] ?? ""

    @Flag(help: "Print the server's JSON answer instead of a summary.")
    var json = false

    /// Runs `body` with a client of the server, closing it afterwards; a `ProvenanceError` becomes the command's
    /// error message (and a non-zero exit).
    func withClient<Result>(_ body: (ProvenanceClient) async throws -> Result) async throws -> Result {
        let client = ProvenanceClient(
            baseURL: server, namespace: namespace, token: token ?? ProcessInfo.processInfo.environment["PROVENANCE_TOKEN"],
            caFile: caFile.isEmpty ? nil : caFile, connections: 2)
        do {
            let result = try await body(client)
            try? await client.shutdown()
            return result
        } catch let error as ProvenanceError {
            try? await client.shutdown()
            throw CommandFailure(error.message)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Prints `json` as the server wrote it (pretty).
    func printJSON(_ json: JSON) {
        print(JSONWriter.pretty(json))
    }
}

/// A command that did not do what was asked, with the reason to print.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// `k=v` pairs given as repeated options.
enum KeyValueArguments {
    /// The pairs of `arguments`, each `key=value`; `option` names the option in errors.
    static func parse(_ arguments: [String], option: String) throws -> [String: String] {
        var pairs: [String: String] = [:]
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("\(option) takes key=value, got '\(argument)'")
            }
            pairs[String(parts[0])] = String(parts[1])
        }
        return pairs
    }
}
