import Foundation
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// What a step prints and reports, however large or odd, as a real executor handles it: the step's own result
/// stands, the log keeps what fits, and nothing the step started outlives its attempt.
@Suite struct StepOutputTests {
    @Test func aStepPrintingAHugeLineAndProgressBarsSucceedsAndLeavesNoProcessBehind() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("noisy"))
            try harness.startExecutor()
            let run = try await harness.finished(try await harness.submit("only-noisy"))
            #expect(run.state == .succeeded, "\(run.tasks.map { $0.attempts.map { $0.error ?? "" } })")
            let lines = try await harness.client.logs(task: run.tasks[0].id)
            let pieces = lines.filter { $0.text.hasPrefix("x") }
            #expect(pieces.map(\.text.utf8.count).reduce(0, +) == 204_800, "the 200 KiB line is stored whole, in pieces")
            #expect(pieces.allSatisfy { $0.text.utf8.count <= 16 * 1024 })
            #expect(lines.map(\.text).contains(" 50%"))
            #expect(lines.map(\.text).contains("100%"))

            // The step left `sleep 600` running in the background, its output elsewhere: it is gone with the attempt.
            let attemptDirectory = harness.directory + "/work/default/runs/\(run.id.rawValue)/step/attempt-1"
            let pidText = try String(contentsOfFile: attemptDirectory + "/background.pid", encoding: .utf8)
            let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
            try await eventually("the step's background process to be gone") { !Self.isAlive(pid) }
        }
    }

    @Test func outputsTooLargeOrRefusedByTheServerFailTheAttemptWithTheReason() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(
                TestComponents.all + "\n---\n" + TestComponents.single("bloated") + "\n---\n" + TestComponents.single("undeclared"))
            try harness.startExecutor()
            let bloated = try await harness.finished(try await harness.submit("only-bloated"))
            #expect(bloated.tasks[0].state == .failed)
            let tooLarge = try #require(bloated.tasks[0].attempts.first)
            #expect(tooLarge.state == .failed, "not lost to an expired lease")
            #expect(tooLarge.error?.contains("outputs file: is 5242880 bytes; at most 4194304 bytes (4 MiB) are taken") == true, "\(tooLarge.error ?? "")")

            let undeclared = try await harness.finished(try await harness.submit("only-undeclared"))
            let refused = try #require(undeclared.tasks[0].attempts.first)
            #expect(refused.state == .failed)
            #expect(refused.error?.hasPrefix("the step's outputs were rejected: artifacts[0].properties.undeclared: ") == true,
                    "\(refused.error ?? "")")
        }
    }

    /// Whether process `pid` still runs (a zombie waiting for its parent to reap it has ended).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state follows the command name in parentheses: "123 (sleep) S ...".
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
