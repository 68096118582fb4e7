import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Real `provenance executor` processes on a server that requires tokens: an executor runs with a token of its
/// own, never hands it to its steps, is refused without one, and runs only the commands it is allowed.
@Suite struct ExecutorAuthTests {
    static let tattletale = """
        name: tattletale
        version: "1"
        outputs: {out: Dataset}
        run:
          command: [python3, -c, 'import os, urllib.request as u; t = os.environ["PROVENANCE_TOKEN"]; r = u.Request(os.environ["PROVENANCE_SERVER"] + "/api/v1/namespaces/default/artifacts", headers={"Authorization": "Bearer " + t}); print("token=" + t); print("request=" + os.environ.get("PROVENANCE_REQUEST_ID", "none")); print("status=%d" % u.urlopen(r).status); open("{{outputs.out.uri}}", "w").write("x")']
        ---
        name: tell
        steps:
          tell: {component: tattletale@1}
        """

    /// The step gets its attempt's fencing token instead, a writer's credential in the run's namespace that ends
    /// with the attempt.
    @Test func anExecutorRunsStepsWithItsOwnTokenAndItsStepsNeverSeeIt() async throws {
        try await PipelineHarness.with(authenticated: true) { harness in
            try await harness.apply(Self.tattletale)
            let token = try await harness.makeToken(role: "executor", namespaces: ["default"])
            try harness.startExecutor(token: token)
            let run = try await harness.finished(try await harness.submit("tell"))
            #expect(run.state == .succeeded)
            let lines = try await harness.client.logs(task: run.tasks[0].id).map(\.text)
            let seen = try #require(lines.first { $0.hasPrefix("token=") }).dropFirst("token=".count)
            #expect(seen != token[...] && seen.hasPrefix("\(run.tasks[0].id.rawValue).1."))
            #expect(lines.contains("status=200"), "\(lines)")
            #expect(lines.contains { $0.hasPrefix("request=") && $0 != "request=none" }, "\(lines)")
            let ended = ProvenanceClient(baseURL: "http://127.0.0.1:\(harness.port)", token: String(seen))
            do throws(ProvenanceError) {
                _ = try await ended.get("/api/v1/namespaces/default/artifacts")
                Issue.record("the token of an ended attempt still works")
            } catch {
                #expect(error.code == .unauthenticated)
                #expect(error.message.contains("not that of a running attempt"), "\(error.message)")
            }
            try await ended.shutdown()
        }
    }

    @Test func anExecutorWithoutAValidTokenStopsSayingWhy() async throws {
        try await PipelineHarness.with(authenticated: true) { harness in
            let reader = try await harness.makeToken(role: "reader", namespaces: ["default"])
            for (token, message) in [(nil, "authentication required"), (reader, "is reader; this needs executor")] {
                let executor = try harness.startExecutor(token: token)
                #expect(await executor.waitForExit() != 0)
                #expect(executor.output.contains(message), "\(executor.output)")
            }
        }
    }

    @Test func anExecutorRefusesCommandsOutsideItsAllowListAndTheStepFailsSayingWhy() async throws {
        try await PipelineHarness.with(authenticated: true) { harness in
            try await harness.apply(Self.tattletale)
            let token = try await harness.makeToken(role: "executor", namespaces: ["*"])
            try harness.startExecutor(["--allow-command", "sh,/opt/steps/"], token: token)
            let refused = try await harness.finished(try await harness.submit("tell"))
            #expect(refused.state == .failed)
            let error = try #require(refused.tasks[0].attempts.last?.error)
            #expect(error.contains("this executor runs only commands starting with 'sh', '/opt/steps/' (--allow-command)"), "\(error)")
            #expect(error.contains("refused 'python3 -c import os"), "\(error)")
        }
    }
}
