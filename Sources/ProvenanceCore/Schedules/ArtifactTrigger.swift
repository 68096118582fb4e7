/// A data trigger: the schedule fires once for each new artifact of a type (that passes a filter), with the
/// artifact's id given to the run as a pipeline parameter (a step input bound to that parameter reads it). New
/// artifacts are consumed in commit order through a cursor, so none is missed however many arrive at once, and
/// none is handed to two runs.
public struct ArtifactTrigger: Sendable, Equatable {
    /// The artifact type's name (`Clickstream`).
    public var type: String
    /// An MLMD filter on the artifact (`custom_properties.customer.string_value = 'acme'`), if any.
    public var filter: String?
    /// The pipeline parameter that receives the artifact's id.
    public var parameter: String

    /// Creates a trigger.
    public init(type: String, filter: String? = nil, parameter: String) {
        self.type = type
        self.filter = filter
        self.parameter = parameter
    }

    /// Reads `{"type", "filter", "parameter"}` at `path`, checking the filter.
    public init(json: JSON, path: String) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknown(["type", "filter", "parameter"])
        let type = try reader.requiredString("type")
        try PipelineNames.checkName(type, field: reader.field("type"))
        let parameter = try reader.requiredString("parameter")
        try PipelineNames.checkIdentifier(parameter, field: reader.field("parameter"))
        let filter = try reader.string("filter")
        if let filter { _ = try Filter.parse(filter, kind: .artifact, field: reader.field("filter")) }
        self.init(type: type, filter: filter, parameter: parameter)
    }

    /// The JSON form `init(json:path:)` reads.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "type", value: .string(type))]
        if let filter { members.append((key: "filter", value: .string(filter))) }
        members.append((key: "parameter", value: .string(parameter)))
        return .object(members)
    }

    /// The filter, parsed (checked when the trigger was read).
    public func parsedFilter() throws(ProvenanceError) -> Filter? {
        try filter.map { text throws(ProvenanceError) in try Filter.parse(text, kind: .artifact, field: "on_artifact.filter") }
    }
}

/// A new artifact a data-triggered schedule has yet to consume.
public struct ArtifactArrival: Sendable, Equatable {
    public var artifactID: ArtifactID
    /// When it was recorded, microseconds since the epoch (its tick's nominal time).
    public var time: Int64

    /// Creates an arrival.
    public init(artifactID: ArtifactID, time: Int64) {
        self.artifactID = artifactID
        self.time = time
    }
}
