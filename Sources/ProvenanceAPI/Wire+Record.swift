import ProvenanceCore

/// The two composite writes: executions:record (MLMD's PutExecution) and lineage:record (PutLineageSubgraph).
public enum WireRecord {
    /// REST defaults reuse existing contexts and artifacts by key: recording a step of a pipeline that already
    /// has its pipeline context, or that reads a known dataset, is the common case, not an error.
    public static func options(_ reader: JSONObjectReader) throws(ProvenanceError) -> LineageWriteOptions {
        let options = try reader.object("options")
        try options?.rejectUnknown(["reuse_context_if_already_exist", "reuse_artifact_if_already_exist_by_external_id"])
        return LineageWriteOptions(
            reuseContextIfAlreadyExists: try options?.bool("reuse_context_if_already_exist") ?? true,
            reuseArtifactIfAlreadyExistsByExternalID: try options?.bool("reuse_artifact_if_already_exist_by_external_id") ?? true)
    }

    /// `{"execution": {...}, "inputs": [...], "outputs": [...], "contexts": [...]}`. An input or output is an
    /// artifact, or `{"artifact": {...}, "event_type": "...", "path": [...]}` to choose the event.
    /// The field names say where each node came from, so errors name `execution`, `inputs[0]` or `outputs[1]`.
    public static func executionRecord(_ json: JSON) throws(ProvenanceError) -> (LineageWrite, LineageWriteFieldNames) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["execution", "inputs", "outputs", "contexts", "options"])
        guard let execution = reader.value("execution") else { throw .invalid("execution", "is required") }
        var write = LineageWrite(options: try options(reader))
        write.executions = [try WireNode.write(execution, kind: .execution, path: "execution")]
        var inputCount = 0
        for (direction, defaultType) in [("inputs", EventType.input), ("outputs", EventType.output)] {
            for (offset, entry) in (try reader.array(direction) ?? []).enumerated() {
                let path = "\(direction)[\(offset)]"
                let (artifact, type, steps) = try artifactWithEvent(entry, path: path, defaultType: defaultType)
                guard direction == "inputs" ? type.isInput : type.isOutput else {
                    throw .invalid(path + ".event_type", "\(type.name) is not an \(direction.dropLast()) event type")
                }
                write.events.append(EventEdge(artifactIndex: write.artifacts.count, executionIndex: 0, type: type, path: steps))
                write.artifacts.append(artifact)
            }
            if direction == "inputs" { inputCount = write.artifacts.count }
        }
        for (offset, context) in (try reader.array("contexts") ?? []).enumerated() {
            write.contexts.append(try WireNode.write(context, kind: .context, path: "contexts[\(offset)]"))
        }
        var names = LineageWriteFieldNames()
        names.executions = "execution"
        names.artifacts = "inputs"
        names.nodePath = { [inputCount] kind, offset in
            switch kind {
            case .execution: "execution"
            case .artifact: offset < inputCount ? "inputs[\(offset)]" : "outputs[\(offset - inputCount)]"
            case .context: "contexts[\(offset)]"
            }
        }
        return (write, names)
    }

    private static func artifactWithEvent(_ json: JSON, path: String, defaultType: EventType) throws(ProvenanceError)
        -> (NodeWrite, EventType, [EventStep])
    {
        guard json["artifact"] != nil else {
            return (try WireNode.write(json, kind: .artifact, path: path), defaultType, [])
        }
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknown(["artifact", "event_type", "path"])
        let artifact = try WireNode.write(reader.value("artifact")!, kind: .artifact, path: path + ".artifact")
        return (artifact, try WireEvent.type(reader, "event_type") ?? defaultType, try WireEvent.path(reader))
    }

    /// The executions:record response: ids like MLMD's PutExecutionResponse (inputs then outputs).
    public static func executionRecordResponse(_ result: LineageWriteResult) -> JSON {
        [
            "execution_id": .int(result.executionIDs[0].rawValue),
            "artifact_ids": .array(result.artifactIDs.map { .int($0.rawValue) }),
            "context_ids": .array(result.contextIDs.map { .int($0.rawValue) }),
        ]
    }

    /// `{"artifacts", "executions", "contexts", "events", "attributions"?, "associations"?, "options"?}`.
    /// Without explicit attributions/associations every node joins every context, as in MLMD.
    public static func lineageRecord(_ json: JSON) throws(ProvenanceError) -> LineageWrite {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["artifacts", "executions", "contexts", "events", "attributions", "associations", "options"])
        var write = LineageWrite(options: try options(reader))
        for kind in NodeKind.allCases {
            let nodes = try (reader.array(kind.plural) ?? []).enumerated().map { offset, json throws(ProvenanceError) in
                try WireNode.write(JSONObjectReader(json, in: kind.plural, at: offset), kind: kind)
            }
            write.setNodes(nodes, of: kind)
        }
        write.events = try (reader.array("events") ?? []).enumerated().map { offset, json throws(ProvenanceError) in
            try WireEvent.edge(JSONObjectReader(json, in: "events", at: offset))
        }
        write.attributions = try links(reader, "attributions", nodeField: "artifact_index")
        write.associations = try links(reader, "associations", nodeField: "execution_index")
        return write
    }

    private static func links(_ reader: JSONObjectReader, _ key: String, nodeField: String) throws(ProvenanceError)
        -> [IndexLink]?
    {
        guard let elements = try reader.array(key) else { return nil }
        return try elements.enumerated().map { offset, json throws(ProvenanceError) in
            let link = try JSONObjectReader(json, in: key, at: offset)
            try link.rejectUnknown(["context_index", nodeField])
            guard let context = try link.int("context_index"), let node = try link.int(nodeField) else {
                throw .invalid(link.path, "needs context_index and \(nodeField)")
            }
            return IndexLink(contextIndex: Int(clamping: context), nodeIndex: Int(clamping: node))
        }
    }

    public static func lineageRecordResponse(_ result: LineageWriteResult) -> JSON {
        [
            "artifact_ids": .array(result.artifactIDs.map { .int($0.rawValue) }),
            "execution_ids": .array(result.executionIDs.map { .int($0.rawValue) }),
            "context_ids": .array(result.contextIDs.map { .int($0.rawValue) }),
        ]
    }
}
