import Foundation
import ProvenanceAPI
import ProvenanceClient
import ProvenanceCore

/// Files of component, pipeline and schedule specs, as `pipelines apply` and `schedules apply` read them: JSON, or
/// YAML with any number of documents separated by `---`. A document with `steps` is a pipeline, one with a `level`
/// a configuration layer, one naming a `pipeline` a schedule, any other a component; components are registered
/// first, then pipelines, layers and schedules, so one file can hold a whole workflow.
struct SpecFiles {
    /// One document, where it came from, and what it is.
    enum Document {
        case component(ComponentSpec, origin: String)
        case pipeline(PipelineSpec, origin: String)
        case schedule(ScheduleSpec, origin: String)
        case layer(ConfigurationLayer, origin: String)
    }

    let documents: [Document]

    /// Reads and checks every document of `paths` (a malformed one is an error naming its file and document).
    init(paths: [String]) throws {
        var documents: [Document] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("cannot read \(path)")
            }
            let parsed: [JSON]
            do {
                parsed = try SpecDocument.documents(Array(data))
            } catch {
                throw CommandFailure("\(path): \(error.message)")
            }
            for (index, json) in parsed.enumerated() {
                let origin = parsed.count == 1 ? path : "\(path) (document \(index + 1))"
                do {
                    if json["steps"] != nil {
                        documents.append(.pipeline(try PipelineSpec(json: json), origin: origin))
                    } else if json["level"] != nil {
                        documents.append(.layer(try ConfigurationLayer(json: json), origin: origin))
                    } else if json["pipeline"] != nil {
                        documents.append(.schedule(try ScheduleSpec(json: json), origin: origin))
                    } else {
                        documents.append(.component(try ComponentSpec(json: json), origin: origin))
                    }
                } catch {
                    throw CommandFailure("\(origin): \(error.message)")
                }
            }
        }
        guard !documents.isEmpty else { throw CommandFailure("no spec found in \(paths.joined(separator: ", "))") }
        self.documents = documents
    }

    /// Registers the components, then applies the pipelines, then the schedules, printing a line for each.
    func apply(_ client: ProvenanceClient) async throws {
        for document in documents {
            guard case .component(let spec, let origin) = document else { continue }
            do {
                let applied = try await client.registerComponent(spec)
                let (component, created) = (applied.value, applied.created)
                print("component \(component.spec.reference): \(created ? "registered" : "unchanged")")
            } catch {
                throw CommandFailure("\(origin): \(error.message)")
            }
        }
        for document in documents {
            guard case .pipeline(let spec, let origin) = document else { continue }
            do {
                let applied = try await client.applyPipeline(spec)
                let (version, created) = (applied.value, applied.created)
                print("pipeline \(version.spec.name): version \(version.digest) \(created ? "created" : "unchanged")")
            } catch {
                throw CommandFailure("\(origin): \(error.message)")
            }
        }
        for document in documents {
            guard case .layer(let layer, let origin) = document else { continue }
            do {
                let applied = try await client.applyLayer(layer)
                print("layer \(layer.name) (\(layer.scope)): \(applied.created ? "created" : "applied")")
            } catch {
                throw CommandFailure("\(origin): \(error.message)")
            }
        }
        for document in documents {
            guard case .schedule(let spec, let origin) = document else { continue }
            do {
                let applied = try await client.applySchedule(spec)
                let schedule = applied.value
                let next = schedule.nextFire.map { "next fire \(schedule.spec.scheduledTimeText($0))" } ?? "no fire left"
                print("schedule \(spec.name): \(applied.created ? "created" : "revision \(schedule.revision)"), \(next)")
            } catch {
                throw CommandFailure("\(origin): \(error.message)")
            }
        }
    }
}
