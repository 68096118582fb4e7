import ArgumentParser
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "One line per customer of a pipeline: status (blocked, failing, stale first), latest run, last success, next fire.")

    @OptionGroup var options: ClientOptions
    @Argument(help: "The pipeline.") var pipeline: String
    @Option(help: "The run label that names a customer.") var label = "customer"
    @Option(help: "How old a last success may be for a customer without a schedule (e.g. 48h).") var staleAfter: String?

    func run() async throws {
        var query = QueryString()
        query.append("pipeline", pipeline)
        query.append("label", label)
        if let staleAfter { query.append("stale_after", staleAfter) }
        let fleet = try await options.withClient { client in try await client.get(client.namespaced("/fleet?" + query.encoded)) }
        if options.json { return options.printJSON(fleet) }
        var table = TextTable([label.uppercased(), "STATUS", "LATEST RUN", "LAST SUCCESS", "NEXT FIRE", "WHY"])
        for entry in fleet.arrayValue("entries") {
            func run(_ key: String) -> String {
                guard case .int(let id)? = entry[key]?["id"], case .string(let state)? = entry[key]?["state"] else { return "-" }
                let age: String = if case .int(let ms)? = entry[key]?["age_ms"] { " \(TimeText.duration(from: 0, to: ms * 1000)) ago" } else { "" }
                return "\(id) \(state)\(age)"
            }
            let next: String = if case .string(let time)? = entry["next_fire"]?["time"] { time } else { "-" }
            let why: String = if case .string(let reason)? = entry["blocked_reason"] { reason } else { "" }
            let key: String = if case .string(let text)? = entry["key"] { text } else { "" }
            let status: String = if case .string(let text)? = entry["status"] { text.uppercased() } else { "" }
            table.add([key, status, run("latest_run"), run("last_success"), next, why])
        }
        table.print(empty: "no runs of \(pipeline) carry a \(label) label yet")
    }
}

extension JSON {
    /// The elements of array member `key` (none when absent).
    fileprivate func arrayValue(_ key: String) -> [JSON] {
        if case .array(let elements)? = self[key] { return elements }
        return []
    }
}
