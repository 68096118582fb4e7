"""Components of a small churn pipeline, written as typed functions (the suite's pipeline-in-Python test)."""

import json
from typing import Optional

from provenance_client import Dataset, Input, Model, Output, component


@component(execution_type="ExampleGen")
def make_examples(examples: Output[Dataset], rows: int = 10, positive_every: int = 3) -> None:
    """Writes synthetic examples."""
    with open(examples.uri, "w") as handle:
        for i in range(rows):
            handle.write(json.dumps({"x": i, "y": int(i % positive_every == 0)}) + "\n")
    examples.set_property("rows", rows)


@component(execution_type="Trainer")
def fit(examples: Input[Dataset], model: Output[Model], warm_start: Optional[Input[Model]] = None,
        learning_rate: float = 0.1) -> None:
    """Fits the share of positives."""
    assert examples.uri is not None
    with open(examples.uri) as handle:
        labels = [json.loads(line)["y"] for line in handle]
    share = sum(labels) / len(labels)
    with open(model.uri, "w") as handle:
        json.dump({"share": share, "learning_rate": learning_rate, "warm": warm_start is not None}, handle)
    model.set_metric("share", share)
    model.set_property("rows_seen", examples.properties["rows"])
