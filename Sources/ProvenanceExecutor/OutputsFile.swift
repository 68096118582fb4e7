import Foundation
import ProvenanceCore

/// The file a step may write (its path is `{{outputs_file}}`, and `PROVENANCE_OUTPUTS_FILE` in its environment) to
/// say more about its outputs than where they are:
///
/// ```json
/// {"outputs": {"model": {"properties": {"accuracy": 0.93}, "custom_properties": {"framework": "stdlib"},
///                        "metrics": {"auc": 0.91}, "state": "LIVE", "uri": "s3://elsewhere/model"}}}
/// ```
///
/// `properties` must be declared by the output's artifact type; `custom_properties` are free; each metric becomes
/// the custom property `metrics.NAME` (a DOUBLE); `state` is the artifact's state (LIVE by default); `uri` replaces
/// the path the executor assigned (for a step that wrote elsewhere). Every member is optional, and so is the file.
enum OutputsFile {
    /// The largest outputs file taken (4 MiB); a larger one fails the attempt, saying so.
    static let maximumBytes = 4 * 1024 * 1024

    /// The reports of `lease`'s outputs: each at its assigned path under `artifactRoot`, with what the file at
    /// `path` (if the step wrote one) adds. A malformed file, or one naming an output the component does not
    /// declare, is an error the attempt fails with.
    static func reports(_ lease: Lease, artifactRoot: String, path: String) throws(ProvenanceError) -> [String: OutputReport] {
        var reports: [String: OutputReport] = [:]
        for output in lease.outputs {
            reports[output.name] = OutputReport(uri: lease.outputURI(output, artifactRoot: artifactRoot))
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maximumBytes {
            throw .invalid("outputs file", "is \(size) bytes; at most \(maximumBytes) bytes (4 MiB) are taken: keep large data in the outputs themselves")
        }
        guard let data = FileManager.default.contents(atPath: path) else { return reports }
        let reader = try JSONObjectReader(try JSONParser.parse(Array(data)), path: "outputs file")
        try reader.rejectUnknown(["outputs"])
        for member in try reader.members("outputs") ?? [] {
            let entry = try JSONObjectReader(member.value, path: "outputs file: outputs.\(member.key)")
            try entry.rejectUnknown(["properties", "custom_properties", "metrics", "state", "uri"])
            guard var report = reports[member.key] else {
                let declared = lease.outputs.map(\.name).joined(separator: ", ")
                throw .invalid(entry.path, "names no output of \(lease.component) (its outputs: \(declared.isEmpty ? "none" : declared))")
            }
            for property in try entry.members("properties") ?? [] { report.properties[property.key] = .json(property.value) }
            for property in try entry.members("custom_properties") ?? [] { report.customProperties[property.key] = .json(property.value) }
            for metric in try entry.members("metrics") ?? [] {
                guard case .double(let number)? = ParameterType.double.coerce(metric.value) else {
                    throw .invalid(entry.field("metrics") + "." + metric.key, "a metric is a number")
                }
                report.customProperties["metrics.\(metric.key)"] = .typed(.double(number))
            }
            if let state = try entry.string("state") {
                guard let number = NodeKind.artifact.state(named: state) else {
                    throw .invalid(entry.field("state"), "unknown artifact state '\(state)'")
                }
                report.state = Int16(number)
            }
            if let uri = try entry.string("uri") {
                try OutputReport.checkURI(uri, field: entry.field("uri"))
                report.uri = uri
            }
            reports[member.key] = report
        }
        return reports
    }
}
