import Foundation
import ProvenanceTestSupport
import Testing

/// The README's walk-through, as a new user types it: `provenance serve` on its embedded database (which starts a
/// local executor), then the CLI applies the example pipeline, runs it twice, asks what trained the LIVE model, and
/// applies the example's schedules.
@Suite struct WalkThroughTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        .standardizedFileURL.path

    @Test func theExamplePipelineRunsOnTheServerAloneAndTheCLIAnswersWhatTrainedTheLiveModel() async throws {
        let scratch = TestCluster.scratchDirectory("walk-through/\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let serve = try ProvenanceProcess(
            ["serve", "--data-dir", scratch + "/postgres", "--http-port", "0", "--grpc-port", "0"], directory: Self.repository)
        var port = 0
        do {
            try await eventually("the server to listen and its executor to attach", limit: .seconds(120)) {
                let output = serve.output
                if let range = output.range(of: #"address=http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(output[range].split(separator: ":").last!) ?? 0
                }
                return port > 0 && output.contains("[ProvenanceExecutor] attached")
            }
            let server = ["--server", "http://127.0.0.1:\(port)"]
            var token: String?
            func cli(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                try await ProvenanceProcess.run(
                    arguments + server, directory: Self.repository, environment: token.map { ["PROVENANCE_TOKEN": $0] } ?? [:])
            }
            let applied = try await cli(["pipelines", "apply", "examples/personalization/pipeline.yaml"])
            #expect(applied.status == 0, "\(applied.output)")
            #expect(applied.output.contains("component train-ranker@1: registered"))
            #expect(applied.output.contains("pipeline personalization: version "))

            let serving = ["--param", "serving_dir=\(scratch)/serving"]
            let first = try await cli(["runs", "submit", "personalization", "--param", "customer=acme", "--wait"] + serving)
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("run 1 SUCCEEDED"))
            let blessed = try await cli(["runs", "logs", "1", "validate"])
            #expect(blessed.output.contains("blessed: first model"), "\(blessed.output)")
            #expect(FileManager.default.fileExists(atPath: scratch + "/serving/acme/model.json"))

            let trained = try await cli(["artifacts", "provenance", "--type", "Model", "--state", "LIVE"])
            #expect(trained.status == 0, "\(trained.output)")
            #expect(trained.output.contains("upstream dataset artifacts:"))
            #expect(trained.output.contains("/runs/1/generate/attempt-1/clickstream"))
            #expect(trained.output.contains("/runs/1/prepare/attempt-1/train"))
            #expect(trained.output.contains("made by: Trainer"))

            // The first admin token, made on the database while the server runs: from then on the CLI needs it,
            // and the local executor goes on with a token of its own.
            let made = try await ProvenanceProcess.run(
                ["tokens", "create", "--admin", "--data-dir", scratch + "/postgres"], directory: Self.repository)
            #expect(made.status == 0, "\(made.output)")
            token = made.output.split(separator: "\n").first { $0.hasPrefix("prov_") }.map(String.init)
            #expect(made.output.contains("admin in *, with no expiry"))
            try await eventually("the server to require a token") {
                let refused = try await ProvenanceProcess.run(["runs", "list"] + server, directory: Self.repository)
                return refused.status != 0 && refused.output.contains("authentication required")
            }
            let tokens = try await ProvenanceProcess.run(["tokens", "list", "--data-dir", scratch + "/postgres"], directory: Self.repository)
            #expect(tokens.output.contains("local-executor (server)"), "\(tokens.output)")
            #expect(!tokens.output.contains(token ?? "none"))

            let second = try await cli(
                ["runs", "submit", "personalization", "--param", "customer=acme", "--param", "seed=8", "--param", "days=21", "--wait"] + serving)
            #expect(second.status == 0, "\(second.output)")
            #expect(second.output.contains("train read  warm_start: Model"))
            let warm = try await cli(["runs", "logs", "2", "train"])
            #expect(warm.output.contains("warm start from "), "\(warm.output)")

            let listed = try await cli(["runs", "list"])
            #expect(listed.output.split(separator: "\n").count == 3, "\(listed.output)")
            let mistake = try await cli(["runs", "submit", "personalization", "--param", "colour=red"])
            #expect(mistake.status != 0)
            #expect(mistake.output.contains("pipeline personalization has no parameter 'colour'"), "\(mistake.output)")
            let missing = try await cli(["runs", "get", "999"])
            #expect(missing.status != 0)
            #expect(missing.output.contains("run 999 not found"), "\(missing.output)")

            let layered = try await cli(["pipelines", "apply", "examples/personalization/layers.yaml"])
            #expect(layered.output.contains("layer gold-tier (tier=gold of personalization): created"), "\(layered.output)")
            let gold = try await cli(
                ["runs", "submit", "personalization", "--label", "tier=gold", "--label", "customer=acme", "--param", "customer=acme"])
            #expect(gold.status == 0 && gold.output.contains("run 3 submitted"), "\(gold.output)")
            let goldRun = try await cli(["runs", "get", "3"])
            #expect(goldRun.output.contains("epochs=8 (layer gold-tier)") && goldRun.output.contains("days=21 (layer acme)"), "\(goldRun.output)")
            let scheduled = try await cli(["schedules", "apply", "examples/personalization/schedules.yaml"])
            #expect(scheduled.status == 0, "\(scheduled.output)")
            #expect(scheduled.output.contains("schedule acme-nightly: created, next fire "), "\(scheduled.output)")
            #expect(scheduled.output.contains("T02:00:00+0"), "02:00 in Berlin: \(scheduled.output)")
            let schedules = try await cli(["schedules", "list"])
            #expect(schedules.output.contains("0 2 * * * Europe/Berlin") && schedules.output.contains("every 6h"), "\(schedules.output)")
            let ticks = try await cli(["schedules", "ticks", "globex-6h"])
            #expect(ticks.status == 0 && ticks.output.contains("no fires yet"), "\(ticks.output)")
            let badZone = try await cli(["schedules", "pause", "nope"])
            #expect(badZone.status != 0 && badZone.output.contains("schedule nope not found"), "\(badZone.output)")
        } catch {
            print(serve.output.suffix(6000))
            await serve.stop()
            throw error
        }
        serve.send(SIGTERM)
        #expect(await serve.waitForExit() == 0)
        #expect(serve.output.contains("starting the local executor"))
    }
}
