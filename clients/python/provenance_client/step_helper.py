"""The step helper: what a pipeline step run by `provenance executor` knows of itself, and how it reports.

    from provenance_client import step

    rows = read(step.inputs["clickstream"].uri)
    lr = step.parameters["learning_rate"]
    for epoch in range(epochs):
        step.log_metric("loss", loss, step=epoch)          # streamed to the server while the step runs
    save(model, step.outputs["model"].uri)
    step.outputs["model"].set_property("framework", "sklearn")
    step.outputs["model"].set_metric("auc", 0.93)

The executor describes the step in the file `$PROVENANCE_STEP_FILE` (run, task, attempt, resolved parameters,
inputs, output locations). What the step says of its outputs is written to `$PROVENANCE_OUTPUTS_FILE` as it goes,
which the executor reads when the step exits. Outside an executor, using `step` raises `RuntimeError`."""

import json
import os
import time
from typing import Any, Dict, Optional

from .client import Client
from .transport import JSON


class StepInput:
    """An artifact the step reads: its id, type and URI; its properties are read from the server when asked."""

    def __init__(self, name: str, description: JSON, helper: "Step") -> None:
        self.name = name
        self.artifact_id: int = description["artifact_id"]
        self.type: str = description["type"]
        self.uri: Optional[str] = description.get("uri")
        self._helper = helper
        self._artifact: Optional[JSON] = None

    @property
    def artifact(self) -> JSON:
        """The artifact as stored (properties, custom properties, state)."""
        if self._artifact is None:
            self._artifact = self._helper.client.artifacts.get(self.artifact_id)
        return self._artifact

    @property
    def properties(self) -> Dict[str, Any]:
        """Its properties and custom properties, as plain values."""
        stored = {**self.artifact.get("properties", {}), **self.artifact.get("custom_properties", {})}
        return {key: next(iter(value.values())) if isinstance(value, dict) and len(value) == 1 else value
                for key, value in stored.items()}


class StepOutput:
    """An output the step writes: where (`uri`), and what the step says of it (properties, metrics, state, or
    another location), kept in the outputs file."""

    def __init__(self, name: str, description: JSON, helper: "Step") -> None:
        self.name = name
        self.type: str = description["type"]
        self.uri: str = description["uri"]
        self._helper = helper

    def set_property(self, name: str, value: Any) -> None:
        self._report().setdefault("custom_properties", {})[name] = value
        self._helper.write_outputs()

    def set_metric(self, name: str, value: float) -> None:
        """A metric of this output (`metrics.NAME` on the artifact)."""
        self._report().setdefault("metrics", {})[name] = float(value)
        self._helper.write_outputs()

    def set_state(self, state: str) -> None:
        """The artifact's state when the step ends (LIVE by default; PENDING, ABANDONED, ...)."""
        self._report()["state"] = state
        self._helper.write_outputs()

    def set_uri(self, uri: str) -> None:
        """Says the output lives elsewhere (an absolute path, or a URI such as `s3://bucket/model`)."""
        self._report()["uri"] = uri
        self._helper.write_outputs()

    def _report(self) -> Dict[str, Any]:
        return self._helper.reports.setdefault(self.name, {})


class Step:
    """The running step (see the module's documentation). Read lazily: importing the module outside a step is
    harmless."""

    def __init__(self, environment: Optional[Dict[str, str]] = None) -> None:
        self._environment = environment if environment is not None else dict(os.environ)
        self._context: Optional[JSON] = None
        self._client: Optional[Client] = None
        self._metrics_file: Optional[Any] = None
        self.reports: Dict[str, Dict[str, Any]] = {}
        self._inputs: Optional[Dict[str, StepInput]] = None
        self._outputs: Optional[Dict[str, StepOutput]] = None

    @property
    def context(self) -> JSON:
        if self._context is None:
            path = self._environment.get("PROVENANCE_STEP_FILE")
            if not path:
                raise RuntimeError("not running as a step of `provenance executor` (PROVENANCE_STEP_FILE is not set)")
            with open(path, encoding="utf-8") as handle:
                self._context = json.load(handle)
        return self._context

    @property
    def parameters(self) -> Dict[str, Any]:
        """The step's parameters, resolved (pipeline defaults, the run's values, templates filled in)."""
        return dict(self.context["parameters"])

    @property
    def inputs(self) -> Dict[str, StepInput]:
        if self._inputs is None:
            self._inputs = {name: StepInput(name, d, self) for name, d in self.context["inputs"].items()}
        return self._inputs

    @property
    def outputs(self) -> Dict[str, StepOutput]:
        if self._outputs is None:
            self._outputs = {name: StepOutput(name, d, self) for name, d in self.context["outputs"].items()}
        return self._outputs

    @property
    def run_id(self) -> int:
        return int(self.context["run_id"])

    @property
    def task_id(self) -> int:
        return int(self.context["task_id"])

    @property
    def attempt(self) -> int:
        return int(self.context["attempt"])

    @property
    def name(self) -> str:
        """The step's name in its pipeline."""
        return str(self.context["step"])

    @property
    def client(self) -> Client:
        """A client of the server running the step, with the attempt's credential (a writer's in the run's
        namespace while the attempt runs)."""
        if self._client is None:
            self._client = Client(self._environment.get("PROVENANCE_SERVER"), self._environment.get("PROVENANCE_TOKEN"),
                                  namespace=self.context["namespace"])
        return self._client

    def log_metric(self, name: str, value: float, step: Optional[int] = None) -> None:
        """A point of the task's series `name`, streamed to the server by the executor while the step runs."""
        if self._metrics_file is None:
            path = self._environment.get("PROVENANCE_METRICS_FILE")
            if not path:
                raise RuntimeError("not running as a step of `provenance executor` (PROVENANCE_METRICS_FILE is not set)")
            self._metrics_file = open(path, "a", encoding="utf-8")
        point: Dict[str, Any] = {"name": name, "value": float(value), "time": int(time.time() * 1000)}
        if step is not None:
            point["step"] = int(step)
        self._metrics_file.write(json.dumps(point) + "\n")
        self._metrics_file.flush()

    def write_outputs(self) -> None:
        """Writes what the step said of its outputs so far (done after every change, whole or not at all)."""
        path = self._environment.get("PROVENANCE_OUTPUTS_FILE")
        if not path:
            raise RuntimeError("not running as a step of `provenance executor` (PROVENANCE_OUTPUTS_FILE is not set)")
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"outputs": self.reports}, handle)
        os.replace(temporary, path)


step = Step()
