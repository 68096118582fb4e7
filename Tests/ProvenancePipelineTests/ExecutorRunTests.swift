import Foundation
import ProvenanceClient
import ProvenanceCore
import ProvenanceTestSupport
import Testing

/// Runs driven end to end by real `provenance executor` processes: steps run as processes, their outputs and logs
/// reach the server, lineage is recorded, and every way a step can go wrong ends its attempt with a reason.
@Suite struct ExecutorRunTests {
    @Test func aRunOfRealStepsSucceedsAndRecordsItsLineageOutputsAndLogs() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all)
            // The submission's answer counts the tasks by state; the run-details document has them all.
            let submitted = try await harness.client.submitRun(RunRequest(pipeline: "chain", parameters: ["text": "alpha"]))
            #expect(submitted.tasks.isEmpty)
            #expect(submitted.taskCounts == [.queued: 1, .pending: 2])
            try harness.startExecutor(["--slots", "2"])
            let run = try await harness.finished(submitted.id)
            #expect(run.state == .succeeded)
            #expect(run.taskCounts == [.succeeded: 3])
            #expect(run.tasks.map(\.step) == ["write", "copy", "final"])
            #expect(run.tasks.allSatisfy { $0.state == .succeeded && $0.attempts.count == 1 && $0.executionID != nil })
            let final = try #require(run.tasks.last?.outputs.first)
            #expect(harness.read(try #require(final.uri)) == "alpha\n")
            // Each task read what its upstream task wrote, by artifact id.
            #expect(run.tasks[1].inputs.map(\.artifactID) == run.tasks[0].outputs.map(\.artifactID))
            #expect(run.tasks[2].inputs.map(\.artifactID) == run.tasks[1].outputs.map(\.artifactID))
            // The outputs file's metric and property reached the artifact.
            let copied = try await harness.client.get(harness.client.namespaced("/artifacts/\(run.tasks[1].outputs[0].artifactID.rawValue)"))
            #expect(copied["custom_properties"]?["metrics.bytes"] == ["double": .double(6)])
            #expect(copied["custom_properties"]?["copied"] == ["string": "yes"])
            // The successful attempt's execution has its INPUT and OUTPUT events, in the run's context.
            let executionID = try #require(run.tasks[1].executionID)
            let events = try await harness.client.get(harness.client.namespaced("/executions/\(executionID.rawValue)/events"))
            let types = Set((events["events"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue })
            #expect(types == ["INPUT", "OUTPUT"])
            let inRun = try await harness.client.get(harness.client.namespaced("/contexts/\(run.runContextID.rawValue)/executions"))
            let ids = Set((inRun["executions"]?.arrayValue ?? []).compactMap { $0["id"]?.intValue })
            #expect(ids == Set(run.tasks.compactMap { $0.executionID?.rawValue }))
            // What the step printed is kept, by attempt.
            let lines = try await harness.client.logs(task: run.tasks[0].id)
            #expect(lines.map(\.text) == ["writing alpha"])
            #expect(lines.first?.attempt == 1)
        }
    }

    @Test func aStepThatExitsNonZeroIsRetriedThenFailsWithItsExitCodeAndLastLines() async throws {
        try await PipelineHarness.with { harness in
            let journal = harness.directory + "/journal"
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("fail", parameters: "{journal: \(journal)}"))
            try harness.startExecutor()
            let run = try await harness.finished(try await harness.submit("only-fail"))
            #expect(run.state == .failed)
            let task = run.tasks[0]
            #expect(task.state == .failed)
            #expect(task.attempts.map(\.state) == [.failed, .failed])
            #expect(task.attempts.map(\.exitCode) == [3, 3])
            let error = try #require(task.attempts.last?.error)
            #expect(error.hasPrefix("exited with status 3"))
            #expect(error.contains("oops: the data is bad"))
            #expect(error.contains("progress 60") && !error.contains("progress 1\n"))
            #expect(run.tasks[1].state == .skipped)
            #expect(harness.read(journal)?.split(separator: "\n").count == 2)
            // Each attempt's lines are its own; stdout and stderr are two pipes, so only each one's order is kept.
            let second = try await harness.client.logs(task: task.id, attempt: 2)
            #expect(second.filter { $0.stream == .stderr }.map(\.text) == ["oops: the data is bad"])
            #expect(second.filter { $0.stream == .stdout }.map(\.text) == (1...60).map { "progress \($0)" })
            #expect(second.allSatisfy { $0.attempt == 2 })
        }
    }

    @Test func aStepPastItsTimeoutIsKilledAndFails() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("hang"))
            try harness.startExecutor()
            let run = try await harness.finished(try await harness.submit("only-hang"))
            let attempt = try #require(run.tasks[0].attempts.first)
            #expect(run.tasks[0].state == .failed)
            #expect(attempt.error?.hasPrefix("timed out after 1s and was killed") == true)
            #expect(attempt.error?.contains("started") == true)
        }
    }

    @Test func aStepKilledBySignalFailsNamingTheSignal() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all + "\n---\n" + TestComponents.single("crash"))
            try harness.startExecutor()
            let run = try await harness.finished(try await harness.submit("only-crash"))
            let attempt = try #require(run.tasks[0].attempts.first)
            #expect(attempt.state == .failed)
            #expect(attempt.exitCode == 137)
            #expect(attempt.error?.hasPrefix("killed by signal 9") == true)
        }
    }

    @Test func outputsThatDoNotMatchTheDeclaredOnesFailTheAttempt() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(
                TestComponents.all + "\n---\n" + TestComponents.single("forgetful") + "\n---\n" + TestComponents.single("liar"))
            try harness.startExecutor()
            let forgetful = try await harness.finished(try await harness.submit("only-forgetful"))
            let missing = try #require(forgetful.tasks[0].attempts.first?.error)
            #expect(missing.hasPrefix("exited 0 but did not write extra (at "))
            #expect(forgetful.tasks[0].outputs.isEmpty)
            let liar = try await harness.finished(try await harness.submit("only-liar"))
            let unknown = try #require(liar.tasks[0].attempts.first?.error)
            #expect(unknown.hasPrefix("the outputs file is not valid: outputs file: outputs.model: names no output of liar@1 (its outputs: out)"))
        }
    }

    @Test func anIdenticalRunIsCachedAndNoCacheRunsEveryStep() async throws {
        try await PipelineHarness.with { harness in
            let journal = harness.directory + "/journal"
            try await harness.apply(TestComponents.all)
            try harness.startExecutor()
            let parameters: [String: JSON] = ["text": "beta", "journal": .string(journal)]
            let first = try await harness.finished(try await harness.submit("chain", parameters: parameters))
            let second = try await harness.finished(try await harness.submit("chain", parameters: parameters))
            #expect(second.state == .succeeded)
            #expect(second.tasks.map(\.state) == [.cached, .cached, .cached])
            #expect(second.tasks.map(\.cachedFrom) == first.tasks.map(\.id))
            #expect(second.tasks.map { $0.outputs.map(\.artifactID) } == first.tasks.map { $0.outputs.map(\.artifactID) })
            let uncached = try await harness.finished(try await harness.submit("chain", parameters: parameters, cache: false))
            #expect(uncached.tasks.map(\.state) == [.succeeded, .succeeded, .succeeded])
            #expect(harness.read(journal)?.split(separator: "\n").count == 2)
        }
    }

    @Test func retryRerunsOnlyWhatFailedAndReusesWhatSucceeded() async throws {
        try await PipelineHarness.with { harness in
            let journal = harness.directory + "/journal", flag = harness.directory + "/flag"
            try await harness.apply(TestComponents.all + """

                ---
                name: flagged
                steps:
                  write: {component: write@1, parameters: {journal: \(journal)}}
                  check: {component: needs-flag@1, inputs: {in: write.out}, parameters: {flag: \(flag), journal: \(journal)}}
                  last: {component: copy@1, inputs: {in: check.out}}
                """)
            try harness.startExecutor()
            let id = try await harness.submit("flagged")
            let failed = try await harness.finished(id)
            #expect(failed.tasks.map(\.state) == [.succeeded, .failed, .skipped])
            #expect(failed.tasks[1].attempts.first?.error?.contains("no flag at \(flag)") == true)
            _ = FileManager.default.createFile(atPath: flag, contents: nil)
            let retried = try await harness.client.retryRun(id)
            #expect(!retried.state.isFinal)
            let done = try await harness.finished(id)
            #expect(done.state == .succeeded)
            #expect(done.tasks[0].attempts.count == 1)
            #expect(done.tasks[1].attempts.map(\.state).last == .succeeded)
            #expect(harness.read(journal)?.split(separator: "\n").count == 3)
        }
    }
}

extension ExecutorRunTests {
    @Test func aTaskWaitsForAnExecutorWithItsLabelsAndSaysSo() async throws {
        try await PipelineHarness.with { harness in
            try await harness.apply(TestComponents.all + """

                ---
                name: on-gpu
                steps:
                  step: {component: write@1, executor_labels: {gpu: a100}}
                """)
            try harness.startExecutor(["--labels", "zone=eu"])
            let id = try await harness.submit("on-gpu")
            let waiting = try await harness.waitForRun(id, "to say why it waits") {
                $0.tasks[0].waitReason == "no attached executor has the labels gpu=a100"
            }
            #expect(waiting.tasks[0].state == .queued)
            try harness.startExecutor(["--labels", "gpu=a100,zone=us"])
            let run = try await harness.finished(id)
            #expect(run.state == .succeeded)
            #expect(run.tasks[0].attempts.count == 1)
        }
    }
}
