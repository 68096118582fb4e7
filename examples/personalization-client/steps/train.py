"""Trains the click model, warm-started from the LIVE one when there is one, streaming its loss curve."""

from shared import StepMetrics, report, step

import train_ranker

warm_start = step.inputs.get("warm_start")
report(train_ranker.train(
    step.inputs["train"].uri, warm_start.uri if warm_start else "", step.parameters["epochs"],
    step.parameters["learning_rate"], step.parameters["customer"], step.outputs["model"].uri, StepMetrics()))
