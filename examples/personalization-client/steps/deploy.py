"""Serves a blessed model and makes it the LIVE one, through the step's own client."""

from shared import report, step

import deploy_model

model = step.inputs["model"]
current = step.inputs.get("current")
report(deploy_model.deploy(
    model.uri, model.artifact_id, step.inputs["evaluation"].uri, current.artifact_id if current else None,
    step.parameters["customer"], step.parameters["serving_dir"], step.outputs["pushed"].uri,
    lambda artifact_id, state: step.client.artifacts.update(artifact_id, state=state)))
