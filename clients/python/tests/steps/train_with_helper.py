"""A step that reads its input and parameters through the step helper, streams a loss curve, and describes the model
it writes."""

import json

from provenance_client import step

data = step.inputs["data"]
assert data.uri is not None, "the dataset has a location"
with open(data.uri) as handle:
    rows = [json.loads(line) for line in handle]
epochs = int(step.parameters["epochs"])
for epoch in range(epochs):
    step.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
model = step.outputs["model"]
with open(model.uri, "w") as handle:
    json.dump({"rows": len(rows)}, handle)
model.set_property("framework", "helper-test")
model.set_property("rows_seen", data.properties["rows"])
model.set_property("task", f"{step.name}/{step.task_id}/{step.attempt}")
model.set_metric("auc", 0.875)
