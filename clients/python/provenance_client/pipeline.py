"""Pipelines built in Python from `@component` functions, KFP-style, and applied through the client.

    pipeline = Pipeline("churn", parameters={"customer": str, "epochs": (int, 4)})
    data = pipeline.add(make_data, rows=100)
    pipeline.add(train, data=data.outputs["data"], epochs=pipeline.parameter("epochs"))
    client.apply_pipeline(pipeline)           # its components, then the pipeline
    client.runs.run("churn", {"customer": "acme"})
"""

from typing import Any, Dict, List, Mapping, Optional, Sequence

from .components import PARAMETER_TYPES, Component
from .transport import JSON


class StepHandle:
    """A step added to a pipeline: `handle.outputs["model"]` names one of its outputs as another step's input."""

    def __init__(self, name: str, component: Component) -> None:
        self.name = name
        self.component = component
        self.outputs = {port: f"{name}.{port}" for port, (direction, _, _) in component.ports.items()
                        if direction == "output"}


class Pipeline:
    """A pipeline: its parameters (`{"customer": str, "epochs": (int, 4)}`, or spec entries), and its steps."""

    def __init__(self, name: str, description: Optional[str] = None,
                 parameters: Optional[Mapping[str, Any]] = None) -> None:
        self.name = name
        self.description = description
        self.parameters: Dict[str, JSON] = {}
        for key, value in (parameters or {}).items():
            if isinstance(value, dict):
                self.parameters[key] = value
            elif isinstance(value, tuple):
                self.parameters[key] = {"type": PARAMETER_TYPES[value[0]], "default": value[1]}
            else:
                self.parameters[key] = {"type": PARAMETER_TYPES[value]}
        self.steps: Dict[str, JSON] = {}
        self.components: List[Component] = []

    def parameter(self, name: str) -> str:
        """The pipeline's parameter `name`, to pass to a step."""
        if name not in self.parameters:
            raise KeyError(f"pipeline {self.name} has no parameter '{name}'")
        return "{{parameters.%s}}" % name

    def add(self, component: Component, name: Optional[str] = None, after: Sequence[StepHandle] = (),
            executor_labels: Optional[Mapping[str, str]] = None, **bindings: Any) -> StepHandle:
        """Adds a step running `component` (named after it unless `name`): inputs bound to other steps' outputs
        (`handle.outputs["data"]`) or to a selector (`{"select": {...}}`), parameters to values or to
        `pipeline.parameter(...)`."""
        step_name = name or component.name.replace("-", "_")
        if step_name in self.steps:
            raise ValueError(f"pipeline {self.name} already has a step '{step_name}'")
        inputs: Dict[str, Any] = {}
        parameters: Dict[str, Any] = {}
        for key, value in bindings.items():
            port = component.ports.get(key)
            if port and port[0] == "input":
                inputs[key] = value
            elif key in component.parameters:
                parameters[key] = value
            else:
                raise TypeError(f"{component.name} has no input or parameter '{key}'")
        missing = [p for p, (direction, _, optional) in component.ports.items()
                   if direction == "input" and not optional and p not in inputs]
        if missing:
            raise TypeError(f"step {step_name}: inputs {', '.join(missing)} of {component.name} are not bound")
        body: JSON = {"component": component.reference, "inputs": inputs, "parameters": parameters}
        if after:
            body["after"] = [handle.name for handle in after]
        if executor_labels:
            body["executor_labels"] = dict(executor_labels)
        self.steps[step_name] = body
        if all(c is not component for c in self.components):
            self.components.append(component)
        return StepHandle(step_name, component)

    @property
    def spec(self) -> JSON:
        spec: JSON = {"name": self.name, "parameters": self.parameters, "steps": self.steps}
        if self.description:
            spec["description"] = self.description
        return spec
