"""Scores the new model against the LIVE one on the held-out days; blesses it only if it is better."""

from shared import report, step

import validate_model

baseline = step.inputs.get("baseline")
report(validate_model.validate(step.inputs["model"].uri, step.inputs["holdout"].uri, baseline.uri if baseline else "",
                               step.parameters["min_auc"], step.outputs["evaluation"].uri))
