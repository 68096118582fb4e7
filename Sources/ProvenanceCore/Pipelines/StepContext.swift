/// What a running step may know of itself, written by its executor to a JSON file the step finds at
/// `$PROVENANCE_STEP_FILE` (the Python client's `step` helper reads it): its run, task and attempt, its resolved
/// parameters, its inputs (artifact id, type, URI) and where each output goes, so a step needs no argument parsing
/// and no call to the server to learn them.
///
/// `{"namespace", "run_id", "task_id", "attempt", "step", "component", "execution_id", "parameters": {...},
/// "inputs": {NAME: {"artifact_id", "type", "uri"}}, "outputs": {NAME: {"type", "uri"}}}`; an optional input
/// that is absent is left out.
extension Lease {
    public func stepContext(artifactRoot: String) -> JSON {
        let inputs: [(key: String, value: JSON)] = self.inputs.sorted { $0.name < $1.name }.map { input in
            var members: [(key: String, value: JSON)] = [
                (key: "artifact_id", value: .int(input.artifactID.rawValue)), (key: "type", value: .string(input.type)),
            ]
            if let uri = input.uri { members.append((key: "uri", value: .string(uri))) }
            return (key: input.name, value: .object(members))
        }
        let outputs: [(key: String, value: JSON)] = self.outputs.sorted { $0.name < $1.name }.map { output in
            (key: output.name, value: .object([
                (key: "type", value: .string(output.type)),
                (key: "uri", value: .string(outputURI(output, artifactRoot: artifactRoot))),
            ]))
        }
        return .object([
            (key: "namespace", value: .string(namespace)), (key: "run_id", value: .int(runID.rawValue)),
            (key: "task_id", value: .int(token.taskID.rawValue)), (key: "attempt", value: .int(Int64(token.attempt))),
            (key: "step", value: .string(step)), (key: "component", value: .string(component.description)),
            (key: "execution_id", value: .int(executionID.rawValue)),
            (key: "parameters", value: .object(parameters.keys.sorted().map { (key: $0, value: parameters[$0]!) })),
            (key: "inputs", value: .object(inputs)), (key: "outputs", value: .object(outputs)),
        ])
    }
}
