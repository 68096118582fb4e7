import ProvenanceCore
import ProvenanceStore
import ServiceLifecycle

/// Fires schedules: every `EngineSettings.scheduleInterval`, looks at the schedules that are due (a fire due, or a
/// QUEUED tick with room) and has the store decide and record each one's fires, `scheduleConcurrency` schedules
/// at a time. It runs on every replica: each schedule is looked at under its row lock by one replica at a time
/// (the others skip it), and each fire's tick has a unique key and is written with its run, so no fire is made
/// twice and none is lost when a replica stops.
struct Scheduler: Service {
    let engine: Engine

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    var full = true
                    while full, !Task.isCancelled {
                        let due = try await engine.store.dueSchedules(limit: engine.settings.scheduleBatch)
                        full = due.count == engine.settings.scheduleBatch
                        try await look(at: due)
                    }
                } catch where !Task.isCancelled {
                    engine.logger.warning("looking at due schedules failed; trying again", metadata: ["error": "\(error)"])
                } catch {
                    return  // shutting down
                }
                try? await Task.sleep(for: engine.settings.scheduleInterval)
            }
        }
    }

    /// Looks at `schedules`, at most `scheduleConcurrency` at once; wakes waiting executors for the runs made.
    private func look(at schedules: [ScheduleID]) async throws {
        let grace = engine.settings.scheduleGrace
        let graceMicros = grace.components.seconds * 1_000_000 + grace.components.attoseconds / 1_000_000_000_000
        try await withThrowingTaskGroup(of: ScheduleLook?.self) { group in
            var pending = schedules[...]
            func startNext() {
                guard let id = pending.popFirst() else { return }
                group.addTask { [engine] in try await engine.store.lookAtSchedule(id, grace: graceMicros) }
            }
            for _ in 0..<engine.settings.scheduleConcurrency { startNext() }
            while let look = try await group.next() {
                if let look, !look.runs.isEmpty {
                    engine.waiters.wake(Int.max)
                }
                startNext()
            }
        }
    }
}
