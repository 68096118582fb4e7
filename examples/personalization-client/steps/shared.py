"""What the steps of this copy share: the standard-library example's step functions (the same code, so the two
copies cannot drift apart), and a bridge from what those functions say of their outputs to the step helper."""

import os
import sys

from provenance_client import step as current_step

step = current_step

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "personalization", "steps"))


def report(outputs):
    """Says through the step helper what a step function said of its outputs (state, properties, metrics)."""
    for name, said in outputs.items():
        output = step.outputs[name]
        for key, value in said.get("custom_properties", {}).items():
            output.set_property(key, value)
        for key, value in said.get("metrics", {}).items():
            output.set_metric(key, value)
        if "state" in said:
            output.set_state(said["state"])


class StepMetrics:
    """The training function's metric log, streamed through the step helper."""

    def log(self, name, value, step=None):
        current_step.log_metric(name, value, step=step)
