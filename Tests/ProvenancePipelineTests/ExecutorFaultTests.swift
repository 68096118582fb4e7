import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Faults around real executors: killed, paused past their lease, shut down, a server restarted under them, a run
/// cancelled under a long step. No acknowledged work is lost and no task completes twice.
@Suite(.serialized) struct ExecutorFaultTests {
    /// Waits until the step `step` of run `id` runs and its process has written its pid; returns the pid.
    func runningProcess(_ harness: PipelineHarness, _ id: RunID, step: String) async throws -> Int32 {
        var pid: Int32?
        try await eventually("step \(step) to run") {
            let run = try await harness.client.run(id)
            guard let task = run.tasks.first(where: { $0.step == step }), task.state == .running,
                let attempt = task.attempts.last
            else { return false }
            let file = harness.directory + "/work/default/runs/\(id.rawValue)/\(step)/attempt-\(attempt.number)/pid"
            pid = harness.read(file).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        return pid!
    }

    /// Whether any process of the group `group` is alive (a zombie, exited but not yet reaped, is not).
    func groupAlive(_ group: Int32) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // After "pid (command) ": state, parent, process group.
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }

    @Test func aKilledExecutorsTaskIsLeasedAgainAfterItsLeaseExpiresAndCompletesOnce() async throws {
        try await PipelineHarness.with(leaseDuration: .seconds(3)) { harness in
            try await harness.apply(TestComponents.all)
            let first = try harness.startExecutor()
            let id = try await harness.submit("chain", parameters: ["sleep": 2])
            let pid = try await runningProcess(harness, id, step: "write")
            first.send(SIGKILL)
            _ = await first.waitForExit()
            try harness.startExecutor()
            let run = try await harness.finished(id)
            #expect(run.state == .succeeded)
            let write = run.tasks[0]
            #expect(write.attempts.first?.state == .lost)
            #expect(write.attempts.first?.error?.contains("lease expired") == true)
            #expect(write.attempts.filter { $0.state == .succeeded }.count == 1)
            #expect(write.attempts.last?.executorID != write.attempts.first?.executorID)
            #expect(write.outputs.first?.uri?.contains("/attempt-\(write.attempts.last!.number)/") == true)
            // The orphaned step of the killed executor wrote only its own attempt's directory.
            try await eventually("the orphaned step to end") { !groupAlive(pid) }
        }
    }

    @Test func aPausedExecutorsLateCompletionIsRefused() async throws {
        try await PipelineHarness.with(leaseDuration: .seconds(3)) { harness in
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("write", parameters: "{sleep: 1}"))
            let paused = try harness.startExecutor()
            let id = try await harness.submit("only-write")
            _ = try await runningProcess(harness, id, step: "step")
            paused.send(SIGSTOP)
            _ = try await harness.waitForRun(id, "the paused executor's lease to expire") { $0.tasks[0].attempts.first?.state == .lost }
            try harness.startExecutor()
            let run = try await harness.finished(id)
            paused.send(SIGCONT)
            // The resumed executor finds its lease gone (heartbeat) or its report refused (409): nothing is written.
            try await eventually("the resumed executor to give up its step") {
                paused.output.contains("lease lost") || paused.output.contains("could not report the step's outcome")
            }
            let after = try await harness.client.run(id)
            #expect(after.state == .succeeded)
            #expect(after.tasks[0].attempts.map(\.state) == run.tasks[0].attempts.map(\.state))
            #expect(after.tasks[0].attempts.first?.state == .lost)
            #expect(after.tasks[0].attempts.filter { $0.state == .succeeded }.count == 1)
            #expect(after.tasks[0].outputs == run.tasks[0].outputs)
            #expect(after.tasks[0].outputs.first?.uri?.contains("/attempt-1/") == false)
        }
    }

    @Test func aRunContinuesAcrossAServerRestart() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all)
            try harness.startExecutor()
            let id = try await harness.submit("chain", parameters: ["sleep": 2, "text": "kept"])
            _ = try await runningProcess(harness, id, step: "write")
            try await harness.restartServer()
            let run = try await harness.finished(id)
            #expect(run.state == .succeeded)
            #expect(run.tasks.map(\.attempts.count) == [1, 1, 1])
            #expect(harness.read(try #require(run.tasks[2].outputs.first?.uri)) == "kept\n")
        }
    }

    @Test func cancellingARunStopsItsRunningStepAndEveryProcessItStarted() async throws {
        // Heartbeats every 2 s: the executor learns of the cancel at the next one.
        try await PipelineHarness.with(leaseDuration: .seconds(6)) { harness in
            try await harness.apply(TestComponents.all)
            try harness.startExecutor()
            let id = try await harness.submit("chain", parameters: ["sleep": 600])
            let pid = try await runningProcess(harness, id, step: "write")
            let canceling = try await harness.client.cancelRun(id)
            #expect(canceling.state == .canceling)
            #expect(canceling.tasks.dropFirst().allSatisfy { $0.state == .canceled })
            let run = try await harness.finished(id)
            #expect(run.state == .canceled)
            #expect(run.tasks[0].state == .canceled)
            #expect(run.tasks[0].attempts.map(\.state) == [.canceled])
            // The shell and its `sleep 600` are gone by the time the executor reports the attempt cancelled.
            #expect(!groupAlive(pid))
        }
    }

    @Test func aShutDownExecutorFinishesAStepWithinItsGrace() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all)
            let executor = try harness.startExecutor(["--shutdown-grace", "60s"])
            let id = try await harness.submit("chain", parameters: ["sleep": 1])
            _ = try await runningProcess(harness, id, step: "write")
            executor.send(SIGTERM)
            #expect(await executor.waitForExit() == 0)
            let run = try await harness.client.run(id)
            #expect(run.tasks[0].state == .succeeded)
            #expect(run.tasks[0].attempts.count == 1)
            #expect(run.tasks[1].state == .queued)
        }
    }

    @Test func aShutDownExecutorGivesBackTheLeaseOfAStepPastItsGrace() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("patient"))
            let executor = try harness.startExecutor(["--shutdown-grace", "1s"])
            let id = try await harness.submit("only-patient")
            let pid = try await runningProcess(harness, id, step: "step")
            executor.send(SIGTERM)
            #expect(await executor.waitForExit() == 0)
            #expect(!groupAlive(pid))
            let given = try await harness.client.run(id)
            #expect(given.tasks[0].state == .queued)
            #expect(given.tasks[0].attempts.first?.state == .lost)
            try harness.startExecutor()
            let run = try await harness.finished(id)
            #expect(run.state == .succeeded)
            // A lease given back does not count against the step's attempts (it has one).
            #expect(run.tasks[0].attempts.map(\.state) == [.lost, .succeeded])
        }
    }
}
