import ProvenanceCore
import ProvenanceStore
import ServiceLifecycle

/// Applies the retention policy (`EngineSettings.retention`) every `EngineSettings.retentionInterval`: batch after
/// batch, each its own short transaction, until a pass removes nothing. It runs on every replica; an advisory lock
/// lets one sweep at a time and the others skip their turn. The engine runs it only for a policy that removes
/// something (a service that ends early would end the server's group).
struct RetentionSweeper: Service {
    let engine: Engine

    func run() async throws {
        let policy = engine.settings.retention
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    var total = RetentionSweep()
                    while !Task.isCancelled {
                        let sweep = try await engine.store.sweepRetention(policy)
                        total.runs += sweep.runs
                        total.attempts += sweep.attempts
                        total.logLines += sweep.logLines
                        total.openLineageEvents += sweep.openLineageEvents
                        if sweep.isEmpty { break }
                    }
                    if !total.isEmpty {
                        engine.logger.info(
                            "retention removed what the policy no longer keeps",
                            metadata: ["runs": "\(total.runs)", "attempts": "\(total.attempts)", "log_lines": "\(total.logLines)",
                                "openlineage_events": "\(total.openLineageEvents)",
                            ])
                    }
                } catch where !Task.isCancelled {
                    engine.logger.warning("applying the retention policy failed; trying again", metadata: ["error": "\(error)"])
                } catch {
                    return  // shutting down
                }
                try? await Task.sleep(for: engine.settings.retentionInterval)
            }
        }
    }
}
