import ProvenanceStore
import ServiceLifecycle

/// Goes on with the ready tasks that transactions left for later (a long chain served from the cache resolves
/// `StoreOptions.releaseWaves` waves per transaction; see `PostgresStore.releaseDeferred`), in short transactions of
/// its own, until none is left. Woken when such a transaction commits on any replica (the task channel's `release`
/// notification) and on every reaper pass, so tasks a stopped replica left are taken up by another.
struct DeferredReleaser: Service {
    let engine: Engine
    /// The most tasks one of its transactions takes.
    static let batch = 1_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in engine.releaseWakeups.stream {
                do {
                    while true {
                        let (taken, queued) = try await engine.store.releaseDeferred(limit: Self.batch)
                        if queued > 0 { engine.waiters.wake(queued) }
                        if taken == 0 { break }
                    }
                } catch where !Task.isCancelled {
                    engine.logger.warning("going on with deferred tasks failed; the next pass tries again", metadata: ["error": "\(error)"])
                } catch {
                    return  // shutting down
                }
            }
        }
    }
}
