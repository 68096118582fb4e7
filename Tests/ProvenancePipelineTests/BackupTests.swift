import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// `provenance backup` and `restore` on the embedded cluster, as an operator runs them: a backup taken while the
/// server serves, restored into another data directory, gives a server with every id kept and new ids after them.
@Suite struct BackupTests {
    @Test func aBackupRestoredElsewhereKeepsEveryIdAndTheNextOnesFollow() async throws {
        let scratch = TestCluster.scratchDirectory("backup/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // The embedded cluster may run as another user (initdb refuses root): let it reach its data directory.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch)
        let backup = scratch + "/provenance.dump"
        var ids: [Int64] = []
        try await withServer(dataDirectory: scratch + "/original") { client in
            _ = try await client.post(client.namespaced("/types"), json: ["kind": "artifact", "name": "Dataset"])
            for index in 1...3 {
                let artifact = try await client.post(
                    client.namespaced("/artifacts"), json: ["type": "Dataset", "uri": .string("s3://data/\(index)")])
                ids.append(artifact["id"]?.intValue ?? 0)
            }
            let made = try await ProvenanceProcess.run(["backup", backup, "--data-dir", scratch + "/original"])
            #expect(made.status == 0, "\(made.output)")
        }
        let restored = try await ProvenanceProcess.run(["restore", backup, "--data-dir", scratch + "/restored"])
        #expect(restored.status == 0, "\(restored.output)")
        try await withServer(dataDirectory: scratch + "/restored") { client in
            let listed = try await client.get(client.namespaced("/artifacts?order_by=id"))
            let artifacts = listed["artifacts"]?.arrayValue ?? []
            #expect(artifacts.compactMap { $0["id"]?.intValue } == ids)
            #expect(artifacts.compactMap { $0["uri"]?.stringValue } == ["s3://data/1", "s3://data/2", "s3://data/3"])
            let next = try await client.post(client.namespaced("/artifacts"), json: ["type": "Dataset", "uri": "s3://data/4"])
            #expect(next["id"]?.intValue == (ids.last ?? 0) + 1)
        }
        // A restore under a running server is refused, and an external database is not the command's to restore.
        try await withServer(dataDirectory: scratch + "/restored") { _ in
            let refused = try await ProvenanceProcess.run(["restore", backup, "--data-dir", scratch + "/restored"])
            #expect(refused.status != 0)
            #expect(refused.output.contains("in use by another provenance server"), "\(refused.output)")
        }
    }

    /// Runs `provenance serve` on `dataDirectory` (no local executor) with a client of it, then stops it.
    private func withServer(dataDirectory: String, _ body: (ProvenanceClient) async throws -> Void) async throws {
        let serve = try ProvenanceProcess([
            "serve", "--data-dir", dataDirectory, "--http-port", "0", "--grpc-port", "0", "--local-executor", "false",
        ])
        var port = 0
        do {
            try await eventually("the server to listen", limit: .seconds(120)) {
                let output = serve.output
                if let range = output.range(of: #"address=http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(output[range].split(separator: ":").last!) ?? 0
                }
                return port > 0
            }
            let client = ProvenanceClient(baseURL: "http://127.0.0.1:\(port)")
            do {
                try await body(client)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        } catch {
            print(serve.output.suffix(4000))
            await serve.stop()
            throw error
        }
        serve.send(SIGTERM)
        #expect(await serve.waitForExit() == 0)
    }
}
