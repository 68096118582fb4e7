import Foundation
import ProvenanceCore

extension EmbeddedPostgres {
    /// Writes the `provenance` database of the running cluster to `file` (pg_dump's custom format: every table,
    /// sequence position and index, so a restore keeps every id and the next ones continue after them). It is a
    /// consistent snapshot, taken while the server may be serving.
    public func backup(to file: String) throws(ProvenanceError) {
        try runClient("pg_dump", connection + ["--format=custom", "--file", file, Self.database])
    }

    /// Replaces the `provenance` database of the running cluster (which no server may be using) with the one in
    /// `file`, made by `backup`.
    public func restore(from file: String) throws(ProvenanceError) {
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ProvenanceError(.invalidArgument, "cannot read the backup \(file)")
        }
        try runClient("dropdb", connection + ["--if-exists", Self.database])
        try runClient("createdb", connection + [Self.database])
        try runClient("pg_restore", connection + ["--exit-on-error", "--no-owner", "--dbname", Self.database, file])
    }

    /// How the client programs reach the cluster: its socket, as the `provenance` role.
    private var connection: [String] {
        ["--host", socketDirectory, "--port", String(port), "--username", Self.role]
    }

    /// Runs a PostgreSQL client program as this process's user (it reaches the cluster through its socket, and
    /// reads and writes the caller's files); a failure carries the program's output.
    private func runClient(_ program: String, _ arguments: [String]) throws(ProvenanceError) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("provenance-\(program)-\(UInt32.random(in: 0...UInt32.max)).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status: Int32
        do {
            status = try ChildProcess.run("\(binDirectory)/\(program)", arguments, outputPath: outputPath)
        } catch {
            throw ProvenanceError(.unavailable, "\(program) could not start: \(error)")
        }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw ProvenanceError(
                .unavailable, "\(program) failed (exit \(status)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
