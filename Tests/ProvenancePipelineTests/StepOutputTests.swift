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

    @Test func pointsAStepWritesToItsMetricsFileReachItsTaskAndExecution() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("measured"))
            try harness.startExecutor()
            let run = try await harness.finished(try await harness.submit("only-measured"))
            #expect(run.state == .succeeded, "\(run.tasks.map { $0.attempts.map { $0.error ?? "" } })")
            let task = try #require(run.tasks.first { $0.step == "step" })
            let series = try await harness.client.get(harness.client.namespaced("/runs/\(run.id.rawValue)/metrics"))["metrics"]?.arrayValue ?? []
            let byName = Dictionary(uniqueKeysWithValues: series.compactMap { entry in entry["name"]?.stringValue.map { ($0, entry) } })
            #expect(byName["loss"]?["points"] == .int(3), "\(series)")
            #expect(byName["loss"]?["last_value"] == .double(0.7))
            #expect(byName["loss"]?["step"] == .string("step"))
            #expect(byName["auc"]?["last_value"] == .double(0.93))
            let execution = try await harness.client.get(harness.client.namespaced("/executions/\(task.executionID!.rawValue)"))
            #expect(execution["custom_properties"]?["auc"] == ["double": .double(0.93)], "\(execution)")
            // The line that is not a point is named in the step's log, and skipped; the last line, written without
            // its newline, still counts.
            let lines = try await harness.client.logs(task: task.id)
            #expect(lines.contains { $0.text.hasPrefix("[provenance] metrics file line 4: ") }, "\(lines.map(\.text))")
            #expect(!lines.contains { $0.text.contains("were refused") }, "\(lines.map(\.text))")
            #expect(!lines.contains { $0.text.contains("refused") }, "\(lines.map(\.text))")
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
