import ProvenanceStore
import ServiceLifecycle

/// Ends the attempts whose leases expired, wakes executors when a retry's backoff ends, and ends runs whose last
/// tasks ended while their check did not run (a server stopped in between), and wakes the `DeferredReleaser` (for
/// tasks a stopped replica left), every `EngineSettings.reaperInterval`.
/// It runs on every replica: attempts another replica is settling are skipped, never settled twice.
struct LeaseReaper: Service {
    let engine: Engine

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    var reaped = 0
                    repeat {
                        let result = try await engine.store.reapExpiredLeases(limit: engine.settings.reapBatch)
                        reaped = result.reaped
                        if result.queued > 0 { engine.waiters.wake(result.queued) }
                    } while reaped > 0
                    if try await engine.store.backoffEnded(within: engine.settings.reaperInterval * 2) {
                        engine.waiters.wake(Int.max)
                    }
                    _ = try await engine.store.finishStrandedRuns()
                    engine.releaseWakeups.wake()
                } catch where !Task.isCancelled {
                    engine.logger.warning("reaping expired leases failed; trying again", metadata: ["error": "\(error)"])
                } catch {
                    return  // shutting down
                }
                try? await Task.sleep(for: engine.settings.reaperInterval)
            }
        }
    }
}
