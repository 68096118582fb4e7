import ArgumentParser
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "Apply, read, pause and resume schedules, and see their fires.",
        subcommands: [ApplySpecs.self, List.self, Get.self, Ticks.self, Pause.self, Resume.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the schedules, with their next and last fires.")

        @OptionGroup var options: ClientOptions
        @Option(help: "Only schedules of this pipeline.") var pipeline: String?

        func run() async throws {
            let schedules = try await options.withClient { try await $0.schedules(pipeline: pipeline) }
            if options.json {
                return options.printJSON(.object([(key: "schedules", value: .array(schedules.map(WireSchedule.json)))]))
            }
            var table = TextTable(["SCHEDULE", "PIPELINE", "WHEN", "STATE", "NEXT FIRE", "LAST FIRE", "ACTIVE"])
            for schedule in schedules {
                table.add([
                    schedule.spec.name, schedule.spec.pipeline, Self.when(schedule.spec), WireSchedule.state(schedule),
                    schedule.nextFire.map(schedule.spec.scheduledTimeText) ?? "-",
                    schedule.lastFire.map { "\(schedule.spec.scheduledTimeText($0.nominalTime)) run \($0.runID?.rawValue ?? 0)" } ?? "-",
                    "\(schedule.activeRuns)",
                ])
            }
            table.print(empty: "no schedules yet: apply one with `provenance schedules apply FILE`")
        }

        /// `0 2 * * * Europe/Berlin`, `every 6h` or `on new Clickstream where ...`.
        static func when(_ spec: ScheduleSpec) -> String {
            switch spec.timing {
            case .cron(let expression, let zone, _): "\(expression.text) \(zone.identifier)"
            case .interval(let micros): "every \(SettingDuration.describe(.microseconds(micros)))"
            case .artifacts(let trigger): "on new \(trigger.type)\(trigger.filter.map { " where \($0)" } ?? "")"
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a schedule: its spec, policies, next fire and recent ticks.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule's name.") var name: String

        func run() async throws {
            let (schedule, ticks) = try await options.withClient { client in
                (try await client.schedule(name), try await client.scheduleTicks(name, pageSize: 10).items)
            }
            if options.json { return options.printJSON(WireSchedule.json(schedule)) }
            let spec = schedule.spec
            print("schedule \(spec.name)  \(WireSchedule.state(schedule))  revision \(schedule.revision)")
            if let description = spec.description { print(description) }
            print("runs \(spec.pipeline)\(spec.version.map { " version \($0)" } ?? "") \(List.when(spec))")
            let catchUp = spec.timing.isArtifacts ? "" : "catch_up \(spec.catchUp.name) (limit \(spec.catchUpLimit)), "
            print("\(catchUp)overlap \(spec.overlap.name) (max_concurrency \(spec.maxConcurrency))")
            if let next = schedule.nextFire { print("next fire \(spec.scheduledTimeText(next))") }
            print("active runs \(schedule.activeRuns), queued fires \(schedule.queuedTicks)\n")
            Ticks.print(ticks, spec: spec)
        }
    }

    struct Ticks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a schedule's fires, newest first, and what became of each.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        @Option(help: "Only ticks in this state (QUEUED, FIRED, SKIPPED, FAILED).") var state: String?
        @Option(help: "How many.") var limit = 50

        func run() async throws {
            let tickState = try state.map { text in
                guard let parsed = TickState(name: text) else { throw CommandFailure("--state: unknown tick state '\(text)'") }
                return parsed
            }
            let (schedule, ticks) = try await options.withClient { client in
                (try await client.schedule(name), try await client.scheduleTicks(name, state: tickState, pageSize: limit).items)
            }
            if options.json {
                return options.printJSON(.object([(key: "ticks", value: .array(ticks.map { WireSchedule.json($0, spec: schedule.spec) }))]))
            }
            Self.print(ticks, spec: schedule.spec)
        }

        static func print(_ ticks: [ScheduleTick], spec: ScheduleSpec) {
            var table = TextTable(["NOMINAL TIME", "ARTIFACT", "STATE", "RUN", "REASON"])
            for tick in ticks {
                table.add([
                    spec.scheduledTimeText(tick.nominalTime), tick.artifactID.map { "\($0.rawValue)" } ?? "-", tick.state.name,
                    tick.runID.map { "\($0.rawValue)" } ?? "-", tick.reason ?? "",
                ])
            }
            table.print(empty: "no fires yet")
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule: it fires no more until resumed.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule's name.") var name: String

        func run() async throws {
            let schedule = try await options.withClient { try await $0.pauseSchedule(name) }
            if options.json { return options.printJSON(WireSchedule.json(schedule)) }
            print("schedule \(name) paused")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused schedule.",
            discussion: "The fires of the paused window are not made, unless --backfill hands them to the schedule's catch_up policy.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule's name.") var name: String
        @Flag(help: "Make the paused window's fires, as the catch_up policy says.") var backfill = false

        func run() async throws {
            let schedule = try await options.withClient { try await $0.resumeSchedule(name, backfill: backfill) }
            if options.json { return options.printJSON(WireSchedule.json(schedule)) }
            print("schedule \(name) resumed; next fire \(schedule.nextFire.map(schedule.spec.scheduledTimeText) ?? "none")")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a schedule and its ticks (its runs stay).")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The schedule's name.") var name: String

        func run() async throws {
            try await options.withClient { try await $0.deleteSchedule(name) }
            print("schedule \(name) deleted")
        }
    }
}
