import ArgumentParser
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

struct PipelinesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipelines", abstract: "Apply and read pipelines.",
        subcommands: [ApplySpecs.self, List.self, Get.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the pipelines, each with its newest version.")

        @OptionGroup var options: ClientOptions

        func run() async throws {
            let pipelines = try await options.withClient { try await $0.pipelines() }
            if options.json {
                return options.printJSON(.object([(key: "pipelines", value: .array(pipelines.map(WirePipeline.json)))]))
            }
            var table = TextTable(["PIPELINE", "VERSIONS", "NEWEST", "STEPS", "CREATED"])
            for pipeline in pipelines {
                table.add([
                    pipeline.name, "\(pipeline.versionCount)", pipeline.latest.digest, "\(pipeline.latest.spec.steps.count)",
                    TimeText.date(pipeline.latest.createTime),
                ])
            }
            table.print(empty: "no pipelines yet: apply one with `provenance pipelines apply FILE`")
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a pipeline version: its parameters and steps.")

        @OptionGroup var options: ClientOptions
        @Argument(help: "The pipeline's name.") var name: String
        @Option(help: "The version's digest (the newest by default).") var version: String?

        func run() async throws {
            let stored = try await options.withClient { try await $0.pipelineVersion(name, digest: version) }
            if options.json { return options.printJSON(WirePipeline.json(stored)) }
            print("pipeline \(stored.spec.name)  version \(stored.digest)  created \(TimeText.date(stored.createTime))")
            if let description = stored.spec.description { print(description) }
            if !stored.spec.parameters.isEmpty {
                print("\nparameters:")
                for parameter in stored.spec.parameters {
                    let value = parameter.defaultValue.map { "default \(JSONWriter.string($0))" } ?? "required"
                    print("  \(parameter.name) (\(parameter.type.rawValue)): \(value)")
                }
            }
            var table = TextTable(["STEP", "COMPONENT", "WAITS FOR"])
            for step in stored.spec.steps {
                table.add([step.name, step.component.description, step.upstreamSteps.joined(separator: ", ")])
            }
            print("")
            table.print(empty: "")
        }
    }
}

struct ComponentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components", abstract: "Register components.", subcommands: [ApplySpecs.self])
}

/// `pipelines apply` and `components apply`: registers the components and applies the pipelines of spec files.
struct ApplySpecs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Register the components and apply the pipelines and schedules of spec files (JSON, or YAML with documents separated by ---).",
        discussion: """
            A document with `steps` is a pipeline, one naming a `pipeline` a schedule, any other a component; \
            components are registered first, schedules last. A component version already registered with the same \
            definition is left as it is; a pipeline spec already applied keeps its version (a changed spec is a new \
            version); a schedule is created, or replaced keeping its cursor.
            """)

    @OptionGroup var options: ClientOptions
    @Argument(help: "Spec files.") var files: [String]

    func run() async throws {
        let specs = try SpecFiles(paths: files)
        try await options.withClient { try await specs.apply($0) }
    }
}
