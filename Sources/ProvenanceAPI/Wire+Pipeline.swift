import ProvenanceCore

/// Components and pipelines on the wire. A spec travels in its own JSON form (see `ComponentSpec.json`,
/// `PipelineSpec.json`), as the body of a registration and under `spec` in answers.
public enum WirePipeline {
    /// `{"id", "name", "version", "execution_type_id", "create_time_since_epoch", "spec"}`.
    public static func json(_ component: StoredComponent) -> JSON {
        [
            "id": .int(component.id.rawValue), "name": .string(component.spec.name), "version": .string(component.spec.version),
            "execution_type_id": .int(component.executionTypeID.rawValue),
            "create_time_since_epoch": .int(component.createTime / 1000), "spec": component.spec.json,
        ]
    }

    /// Reads a component answer.
    public static func component(_ json: JSON) throws(ProvenanceError) -> StoredComponent {
        let reader = try JSONObjectReader(json, path: "")
        guard let spec = reader.value("spec") else { throw .invalid("spec", "is missing from the answer") }
        return StoredComponent(
            id: ComponentID(try required(reader, "id")), spec: try ComponentSpec(json: spec),
            executionTypeID: TypeID(try required(reader, "execution_type_id")),
            createTime: try required(reader, "create_time_since_epoch") * 1000)
    }

    /// `{"name", "version", "version_id", "context_id", "create_time_since_epoch", "spec"}`: `version` is the
    /// digest that names the version.
    public static func json(_ version: StoredPipelineVersion) -> JSON {
        [
            "name": .string(version.spec.name), "version": .string(version.digest),
            "version_id": .int(version.versionID.rawValue), "context_id": .int(version.contextID.rawValue),
            "create_time_since_epoch": .int(version.createTime / 1000), "spec": version.spec.json,
        ]
    }

    /// Reads a pipeline version answer.
    public static func version(_ json: JSON) throws(ProvenanceError) -> StoredPipelineVersion {
        let reader = try JSONObjectReader(json, path: "")
        guard let spec = reader.value("spec") else { throw .invalid("spec", "is missing from the answer") }
        return StoredPipelineVersion(
            pipelineID: PipelineID(0), versionID: PipelineVersionID(try required(reader, "version_id")),
            digest: try reader.requiredString("version"), spec: try PipelineSpec(json: spec),
            contextID: ContextID(try required(reader, "context_id")), createTime: try required(reader, "create_time_since_epoch") * 1000)
    }

    /// `{"name", "version_count", "latest": version}`.
    public static func json(_ pipeline: StoredPipeline) -> JSON {
        ["name": .string(pipeline.name), "version_count": .int(Int64(pipeline.versionCount)), "latest": json(pipeline.latest)]
    }

    /// Reads a pipeline answer.
    public static func pipeline(_ json: JSON) throws(ProvenanceError) -> StoredPipeline {
        let reader = try JSONObjectReader(json, path: "")
        guard let latest = reader.value("latest") else { throw .invalid("latest", "is missing from the answer") }
        return StoredPipeline(
            name: try reader.requiredString("name"), latest: try version(latest),
            versionCount: Int(try required(reader, "version_count")))
    }

    /// An integer member an answer must have.
    static func required(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> Int64 {
        guard let value = try reader.int(key) else { throw .invalid(reader.field(key), "is missing from the answer") }
        return value
    }
}
