import Logging
import ProvenanceClient
import ProvenanceCore
import ServiceLifecycle
import Synchronization

/// `provenance executor`: attaches to a server over HTTP (never to its database: it runs on other machines),
/// long-polls for steps that fit its free capacity and labels, runs each as a process under its lease, renews
/// the leases with heartbeats (stopping a step whose run is cancelled, or whose lease it lost), and reports how
/// each ended.
///
/// On graceful shutdown (SIGTERM) it takes no more steps, lets running ones finish for `shutdownGrace`, then stops
/// the rest and gives their leases back.
public final class ExecutorAgent: Service, Sendable {
    private let configuration: ExecutorConfiguration
    private let logger: Logger
    private let held: HeldLeases
    private let registered = Mutex<(id: ExecutorID, heartbeat: Duration)?>(nil)

    /// How long to wait before trying again when the server cannot be reached.
    static let retryInterval: Duration = .seconds(1)

    /// Creates an agent.
    public init(configuration: ExecutorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.held = HeldLeases(capacity: configuration.capacity)
    }

    /// Runs until shut down: registration, the lease loop, heartbeats, and the steps.
    public func run() async throws {
        let client = ProvenanceClient(
            baseURL: configuration.server, token: configuration.token, caFile: configuration.caFile,
            connections: configuration.slots + 4)
        do {
            try await work(client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func work(_ client: ProvenanceClient) async throws {
        guard try await register(client) else { return }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.heartbeats(client) }
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let available = held.available
                guard available.slots > 0 else {
                    await cancelWhenGracefulShutdown { await self.held.waitForFreedSlot() }
                    continue
                }
                let leases: [Lease]
                do {
                    leases = try await cancelWhenGracefulShutdown {
                        try await self.lease(client, available: available)
                    }
                } catch {
                    if Task.isShuttingDownGracefully || Task.isCancelled { break }
                    try? await Task.sleep(for: Self.retryInterval)
                    continue
                }
                for lease in leases {
                    let control = StepControl()
                    held.add(lease, control: control, resources: lease.resources)
                    logger.info("running step", metadata: [
                        "run": "\(lease.runID)", "step": "\(lease.step)", "task": "\(lease.token.taskID)",
                        "attempt": "\(lease.token.attempt)",
                    ])
                    group.addTask {
                        await StepRun(
                            lease: lease, control: control, client: client, configuration: self.configuration, logger: self.logger
                        ).run()
                        self.held.remove(lease.token)
                    }
                }
            }
            await drain()
            group.cancelAll()
        }
    }

    /// Registers (again, after a server lost it), retrying while the server cannot be reached; false if the
    /// executor was shut down first.
    private func register(_ client: ProvenanceClient) async throws -> Bool {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let answer = try await client.registerExecutor(
                    name: configuration.name, labels: configuration.labels, capacity: configuration.capacity)
                let executor = answer.executor
                registered.withLock { $0 = (executor.id, answer.heartbeatInterval) }
                logger.info("attached", metadata: ["server": "\(configuration.server)", "executor": "\(executor.id)"])
                return true
            } catch {
                guard error.code == .unavailable else { throw error }
                logger.warning("cannot reach the server; trying again", metadata: ["error": "\(error.message)"])
                try? await Task.sleep(for: Self.retryInterval)
            }
        }
        return false
    }

    private func lease(_ client: ProvenanceClient, available: ExecutorCapacity) async throws -> [Lease] {
        guard let executor = registered.withLock({ $0?.id }) else { return [] }
        do {
            return try await client.lease(
                executor: executor, available: available, maximum: available.slots, wait: configuration.pollWait)
        } catch {
            if error.code == .notFound {
                // The server no longer knows this executor (its database was reset, say): attach again.
                _ = try await register(client)
                return []
            }
            if error.code != .unavailable { logger.warning("lease request failed", metadata: ["error": "\(error.message)"]) }
            throw error
        }
    }

    /// Renews the leases held every heartbeat interval; stops steps whose run is cancelled or whose lease is lost.
    private func heartbeats(_ client: ProvenanceClient) async {
        while !Task.isCancelled {
            let (executor, interval) = registered.withLock { $0 } ?? (ExecutorID(0), .seconds(1))
            try? await Task.sleep(for: interval)
            let tokens = held.tokens
            guard !tokens.isEmpty, executor.rawValue > 0 else { continue }
            do {
                for status in try await client.heartbeat(executor: executor, tokens: tokens) {
                    if status.leaseExpires == nil {
                        held.control(status.token)?.stop(.leaseLost)
                    } else if status.cancel {
                        held.control(status.token)?.stop(.canceled)
                    }
                }
            } catch {
                logger.warning("heartbeat failed; trying again", metadata: ["error": "\(error.message)"])
            }
        }
    }

    /// On shutdown: lets running steps finish for the grace period, then stops the rest (their leases are given
    /// back) and waits for them to report.
    private func drain() async {
        guard held.count > 0 else { return }
        logger.notice("shutting down: letting running steps finish", metadata: [
            "steps": "\(held.count)", "grace": "\(SettingDuration.describe(configuration.shutdownGrace))",
        ])
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while held.count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        held.stopAll(.shutdown)
        while held.count > 0 { try? await Task.sleep(for: .milliseconds(100)) }
    }
}
