import ArgumentParser
import Foundation
import Logging
import ProvenanceCore
import ProvenanceExecutor
import ProvenanceServer
import ServiceLifecycle

struct ExecutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor",
        abstract: "Attach to a server and run the pipeline steps it leases (as processes on this machine).",
        discussion: ExecutorSettings.table.discussion)

    @OptionGroup var settings: SettingsArguments

    func run() async throws {
        let configuration = try settings.configuration(ExecutorSettings.table)
        var logger = Logger(label: "provenance-executor", factory: { ServerLogHandler(label: $0) })
        logger.logLevel = .info
        let agent = ExecutorAgent(configuration: configuration, logger: logger)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: agent)]
        if let text = ProcessInfo.processInfo.environment[LocalExecutorEnvironment.parentProcess], let parent = Int32(text) {
            services.append(.init(service: ParentWatch(parent: parent), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Steps get `shutdownGrace` to finish, then are stopped (SIGTERM, SIGKILL 5 s later) and report.
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace + .seconds(15)
        try await ServiceGroup(configuration: group).run()
    }
}

/// Ends (shutting the executor down gracefully) once the process that started it is gone: the local executor of
/// `provenance serve` must not outlive a server that was killed.
struct ParentWatch: Service {
    let parent: Int32

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if getppid() != parent { return }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
