import ProvenanceCore
import Testing

/// The step file an executor writes for a step (`$PROVENANCE_STEP_FILE`): what the Python client's `step` helper reads.
@Suite struct StepContextTests {
    @Test func theStepFileNamesTheAttemptItsParametersInputsAndWhereOutputsGo() throws {
        let lease = Lease(
            token: LeaseToken(taskID: TaskID(7), attempt: 2, secret: "s"), namespace: "ranking", runID: RunID(3),
            step: "train", component: ComponentReference(name: "train-ranker", version: "1"),
            process: ProcessSpec(command: []), timeout: nil,
            inputs: [TaskArtifact(name: "train", artifactID: ArtifactID(11), type: "Dataset", uri: "/data/train")],
            outputs: [LeaseOutput(name: "model", type: "Model", path: "ranking/runs/3/train/attempt-2/model")],
            parameters: ["epochs": .int(4), "customer": .string("acme")], executionID: ExecutionID(21), leaseExpires: 0)
        let context = lease.stepContext(artifactRoot: "/artifacts")
        #expect(context["namespace"] == "ranking")
        #expect(context["run_id"] == 3 && context["task_id"] == 7 && context["attempt"] == 2)
        #expect(context["step"] == "train" && context["component"] == "train-ranker@1" && context["execution_id"] == 21)
        #expect(context["parameters"] == ["customer": "acme", "epochs": 4])
        #expect(context["inputs"]?["train"] == ["artifact_id": 11, "type": "Dataset", "uri": "/data/train"])
        #expect(context["outputs"]?["model"] == ["type": "Model", "uri": "/artifacts/ranking/runs/3/train/attempt-2/model"])
    }
}
