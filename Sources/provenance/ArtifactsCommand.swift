import ArgumentParser
import ProvenanceAPI
import ProvenanceClient
import Foundation
import ProvenanceCore

struct ArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts", abstract: "Find artifacts and ask what they came from.",
        subcommands: [List.self, Provenance.self])

    /// Which artifacts: a type, a state, an MLMD filter.
    struct Selection: ParsableArguments {
        @Option(help: "Only artifacts of this type (Dataset, Model, ...).") var type: String?
        @Option(help: "Only artifacts in this state (LIVE, PENDING, ...).") var state: String?
        @Option(help: "An MLMD filter query (uri LIKE '%acme%', custom_properties.auc.double_value > 0.8, ...).")
        var filter: String?

        /// The query of `GET artifacts` for the selection, newest first.
        func query(limit: Int) -> NodeListQuery {
            var clauses: [String] = []
            if let state { clauses.append("state = \(state)") }
            if let filter { clauses.append("(\(filter))") }
            return NodeListQuery(
                type: type, filter: clauses.isEmpty ? nil : clauses.joined(separator: " AND "),
                order: ListOrder(field: .id, descending: true), pageSize: limit)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List artifacts, newest first.")

        @OptionGroup var options: ClientOptions
        @OptionGroup var selection: Selection
        @Option(help: "How many.") var limit = 20

        func run() async throws {
            let answer = try await options.withClient { try await $0.get($0.namespaced("/artifacts?" + selection.query(limit: limit).query.encoded)) }
            if options.json { return options.printJSON(answer) }
            var table = TextTable(["ID", "TYPE", "STATE", "CREATED", "URI"])
            for artifact in answer["artifacts"]?.arrayValue ?? [] {
                table.add([
                    artifact["id"]?.intValue.map(String.init) ?? "", artifact["type"]?.stringValue ?? "", artifact["state"]?.stringValue ?? "",
                    (artifact["create_time_since_epoch"]?.intValue).map { TimeText.date($0 * 1000) } ?? "",
                    artifact["uri"]?.stringValue ?? "",
                ])
            }
            table.print(empty: "no artifacts found")
        }
    }

    struct Provenance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What an artifact came from: the upstream artifacts of a base type (datasets by default), with the executions that made them.",
            discussion: """
                Give an artifact's id, or select one (the newest match): \
                `provenance artifacts provenance --type Model --state LIVE` answers "what data trained the model \
                now LIVE".
                """)

        @OptionGroup var options: ClientOptions
        @Argument(help: "The artifact's id (or select one with --type, --state, --filter).") var id: Int64?
        @OptionGroup var selection: Selection
        @Option(help: "The base type of the upstream artifacts to report (DATASET, MODEL, STATISTICS, METRICS).")
        var baseType = "DATASET"

        func run() async throws {
            try await options.withClient { client in
                var artifactID = id
                if artifactID == nil {
                    guard selection.type != nil || selection.state != nil || selection.filter != nil else {
                        throw ValidationError("give an artifact id, or select one with --type, --state or --filter")
                    }
                    let found = try await client.get(client.namespaced("/artifacts?" + selection.query(limit: 1).query.encoded))
                    guard let first = found["artifacts"]?.arrayValue?.first, let id = first["id"]?.intValue else {
                        throw CommandFailure("no artifact matches the selection")
                    }
                    artifactID = id
                }
                let report = try await client.get(
                    client.namespaced("/artifacts/\(artifactID!)/provenance?base_type=\(Query.encoded(baseType))"))
                if options.json { return options.printJSON(report) }
                let artifact = report["artifact"]
                print("artifact \(artifactID!): \(artifact?["type"]?.stringValue ?? "") \(artifact?["state"]?.stringValue ?? "") \(artifact?["uri"]?.stringValue ?? "")")
                var table = TextTable(["ID", "TYPE", "HOPS", "URI"])
                for item in report["artifacts"]?.arrayValue ?? [] {
                    let upstream = item["artifact"]
                    table.add([
                        upstream?["id"]?.intValue.map(String.init) ?? "", upstream?["type"]?.stringValue ?? "", item["hops"]?.intValue.map(String.init) ?? "",
                        upstream?["uri"]?.stringValue ?? "",
                    ])
                }
                print("upstream \(baseType.lowercased()) artifacts:")
                table.print(empty: "  none")
                let producers = report["producers"]?.arrayValue ?? []
                if !producers.isEmpty {
                    print("made by: " + producers.map { "\($0["type"]?.stringValue ?? "") \($0["id"]?.intValue.map(String.init) ?? "")" }.joined(separator: ", "))
                }
                if report["truncated"] == .bool(true) { print("(truncated: the walk hit its hop or node limit)") }
            }
        }
    }
}

/// Query-string encoding.
enum Query {
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }
}
