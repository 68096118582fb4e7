import Foundation
import Testing

@testable import ProvenanceCore
@testable import ProvenanceStore

/// Every state the store writes goes through `StateTransitionSQL`: its statements are transitions of
/// `StateMachine`, guarded by the states they may come from.
@Suite struct StateTransitionTests {
    /// The store's sources, but for the helper itself and the benchmark's queue baseline (a schema of its own).
    static func storeSources() throws -> [(file: String, text: String)] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/ProvenanceStore").standardized
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            .filter { $0.hasSuffix(".swift") && !["StateTransitionSQL.swift", "QueueBaseline.swift"].contains($0) }
            .map { ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func noStatementOfTheStoreWritesAStateButThroughTheHelper() throws {
        let sources = try Self.storeSources()
        #expect(sources.count > 20)
        var updates = 0
        for (file, text) in sources {
            // Each UPDATE of an engine table, up to its WHERE: its SET list.
            for match in text.matches(of: /UPDATE (runs|tasks|attempts)\b[\s\S]*?(WHERE|FROM unnest|FROM done|FROM components)/) {
                updates += 1
                let setList = String(match.output.0)
                #expect(setList.firstMatch(of: /\bstate\s*=/) == nil, "\(file) writes a state by hand: \(setList.prefix(160))")
            }
            for match in text.matches(of: /INSERT INTO (runs|tasks|attempts) \([^)]*\bstate\b[\s\S]*?(RETURNING|FROM unnest)/) {
                #expect(match.output.0.contains("StateTransitionSQL.initial"), "\(file) inserts a row in a state of its own")
            }
        }
        #expect(updates >= 15, "the scan found the engine's updates")
    }

    @Test func theGuardsAreTheTablesSources() {
        #expect(StateTransitionSQL.from(TaskState.queued, on: .ready, alias: "t") == "t.state IN (0)")
        #expect(StateTransitionSQL.from(TaskState.canceled, on: .cancel) == "state IN (0, 1, 2)")
        #expect(StateTransitionSQL.from(TaskState.canceled, on: .cancel, only: [.pending, .queued]) == "state IN (0, 1)")
        #expect(StateTransitionSQL.from(among: TaskAdvance.runEndings, alias: "r") == "r.state IN (0, 1, 4)")
        #expect(StateTransitionSQL.set(TaskState.queued, on: .fail, .lose) == "state = 1")
        let running = StateTransitionSQL.set(RunState.running, on: .lease)
        #expect(running.hasPrefix("state = 1, history = history || jsonb_build_array("))
        #expect(running.contains("'event', 'lease'"))
    }
}
