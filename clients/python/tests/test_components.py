"""A whole pipeline written in Python: `@component` functions wired by a `Pipeline`, applied through the client and
run by a real executor."""

import pathlib
import sys
import uuid

import pytest

from provenance_client import Client, Pipeline

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "steps"))
from churn_components import fit, make_examples  # noqa: E402


def test_component_specs_come_from_the_functions_type_hints() -> None:
    spec = fit.spec
    assert spec["name"] == "fit" and spec["execution_type"] == "Trainer"
    assert spec["description"] == "Fits the share of positives."
    assert spec["inputs"] == {"examples": "Dataset", "warm_start": {"type": "Model", "optional": True}}
    assert spec["outputs"] == {"model": "Model"}
    assert spec["parameters"] == {"learning_rate": {"type": "DOUBLE", "default": 0.1}}
    assert spec["run"]["command"][1:3] == ["-m", "provenance_client.run"]
    assert make_examples.spec["parameters"]["rows"] == {"type": "INT", "default": 10}


def test_a_pipeline_written_in_python_is_applied_and_run(client: Client) -> None:
    name = f"churn-{uuid.uuid4().hex[:6]}"
    pipeline = Pipeline(name, description="Churn, in Python.", parameters={"rows": (int, 12), "lr": (float, 0.5)})
    examples = pipeline.add(make_examples, rows=pipeline.parameter("rows"))
    pipeline.add(fit, examples=examples.outputs["examples"], learning_rate=pipeline.parameter("lr"))
    client.apply_pipeline(pipeline)
    run = client.runs.run(name, {"rows": 9}, timeout=120)
    fitted = next(t for t in run["tasks"] if t["step"] == "fit")
    model = client.artifacts.get(fitted["outputs"][0]["artifact_id"])
    assert model["custom_properties"]["metrics.share"] == {"double": 3 / 9}
    assert model["custom_properties"]["rows_seen"] == {"int": 9}
    with open(model["uri"]) as handle:
        assert '"learning_rate": 0.5' in handle.read()


def test_a_pipeline_refuses_unbound_inputs_and_unknown_bindings() -> None:
    pipeline = Pipeline("bad", parameters={"rows": int})
    with pytest.raises(TypeError, match="inputs examples of fit are not bound"):
        pipeline.add(fit)
    with pytest.raises(TypeError, match="no input or parameter 'epochs'"):
        pipeline.add(make_examples, epochs=3)
    with pytest.raises(KeyError):
        pipeline.parameter("missing")
