"""Components written as typed Python functions, KFP-style.

    from provenance_client import Dataset, Input, Model, Output, component

    @component(execution_type="Trainer")
    def train(data: Input[Dataset], model: Output[Model], epochs: int = 4, learning_rate: float = 0.05) -> None:
        '''Trains a click model.'''
        ...                                   # data.uri, data.properties; write model.uri; model.set_property(...)

`train.spec` is the component spec the server takes: inputs and outputs from the `Input[...]`/`Output[...]`
annotations (an `Optional[Input[...]]` is an optional input), parameters from the `int`, `float`, `str`, `bool`,
`dict` or `list` ones (with their defaults), the description from the docstring, and a command that runs the
function in a step: `PYTHON -m provenance_client.run FILE FUNCTION`, where PYTHON is the interpreter that defined
it unless `python=` says otherwise (it needs this package). The function's module is imported by its file when the
step runs, so code that applies or runs pipelines belongs under `if __name__ == "__main__":`.
"""

import inspect
import sys
import typing
from typing import Any, Callable, Dict, Generic, List, Optional, Tuple, TypeVar, Union

from .step_helper import Step, StepInput, StepOutput
from .transport import JSON


class Artifact:
    """An artifact type for `Input[...]`/`Output[...]`; subclass with `type_name` for your own (`Clickstream`)."""

    type_name = "Artifact"


class Dataset(Artifact):
    type_name = "Dataset"


class Model(Artifact):
    type_name = "Model"


class Metrics(Artifact):
    type_name = "Metrics"


def artifact_type(name: str) -> type:
    """An artifact type named `name`, for annotations: `Clickstream = artifact_type("Clickstream")`."""
    return type(name, (Artifact,), {"type_name": name})


A = TypeVar("A", bound=Artifact)


class Input(StepInput, Generic[A]):
    """An input of a component function: `data: Input[Dataset]` (`.uri`, `.artifact_id`, `.properties`)."""


class Output(StepOutput, Generic[A]):
    """An output of a component function: `model: Output[Model]` (`.uri`, `.set_property`, `.set_metric`)."""


PARAMETER_TYPES: Dict[Any, str] = {int: "INT", float: "DOUBLE", str: "STRING", bool: "BOOL", dict: "JSON", list: "JSON"}


def _port(annotation: Any) -> Optional[Tuple[str, str, bool]]:
    """("input"|"output", artifact type, optional) of an annotation, or None for a parameter."""
    optional = False
    if typing.get_origin(annotation) is Union:
        arguments = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(arguments) == 1:
            annotation, optional = arguments[0], True
    origin = typing.get_origin(annotation)
    if origin in (Input, Output):
        (kind,) = typing.get_args(annotation)
        name = kind.type_name if isinstance(kind, type) and issubclass(kind, Artifact) else str(kind)
        return ("input" if origin is Input else "output", name, optional)
    return None


class Component:
    """A component function and its spec; calling it calls the function."""

    def __init__(self, function: Callable[..., Any], name: Optional[str], version: str,
                 execution_type: Optional[str], python: Optional[str]) -> None:
        self.function = function
        self.name = name or function.__name__.replace("_", "-")
        self.version = version
        self.execution_type = execution_type
        self.python = python or sys.executable
        self.file = inspect.getsourcefile(function) or ""
        self.ports: Dict[str, Tuple[str, str, bool]] = {}
        self.parameters: Dict[str, JSON] = {}
        hints = typing.get_type_hints(function)
        for parameter in inspect.signature(function).parameters.values():
            annotation = hints.get(parameter.name, str)
            port = _port(annotation)
            if port:
                self.ports[parameter.name] = port
                continue
            kind = PARAMETER_TYPES.get(typing.get_origin(annotation) or annotation)
            if kind is None:
                raise TypeError(f"{self.name}: parameter '{parameter.name}' has type {annotation}; expected Input[...], "
                                f"Output[...], int, float, str, bool, dict or list")
            entry: JSON = {"type": kind}
            if parameter.default is not inspect.Parameter.empty:
                entry["default"] = parameter.default
            self.parameters[parameter.name] = entry

    @property
    def reference(self) -> str:
        """`name@version`, as a pipeline step names it."""
        return f"{self.name}@{self.version}"

    @property
    def spec(self) -> JSON:
        """The component spec the server takes."""
        spec: JSON = {"name": self.name, "version": self.version}
        doc = inspect.getdoc(self.function)
        if doc:
            spec["description"] = doc.splitlines()[0]
        if self.execution_type:
            spec["execution_type"] = self.execution_type
        spec["parameters"] = self.parameters
        spec["inputs"] = {name: {"type": kind, "optional": True} if optional else kind
                          for name, (direction, kind, optional) in self.ports.items() if direction == "input"}
        spec["outputs"] = {name: kind for name, (direction, kind, _) in self.ports.items() if direction == "output"}
        spec["run"] = {"command": [self.python, "-m", "provenance_client.run", self.file, self.function.__qualname__]}
        return spec

    def invoke(self, running: Step) -> Any:
        """Calls the function with the running step's inputs, outputs and parameters."""
        arguments: Dict[str, Any] = {}
        for name, (direction, _, optional) in self.ports.items():
            if direction == "input":
                description = running.context["inputs"].get(name)
                arguments[name] = Input(name, description, running) if description else None
                if description is None and not optional:
                    raise RuntimeError(f"input '{name}' is missing")
            else:
                arguments[name] = Output(name, running.context["outputs"][name], running)
        for name in self.parameters:
            if name in running.parameters:
                arguments[name] = running.parameters[name]
        return self.function(**arguments)

    def __call__(self, *arguments: Any, **keywords: Any) -> Any:
        return self.function(*arguments, **keywords)


@typing.overload
def component(function: Callable[..., Any]) -> Component: ...


@typing.overload
def component(*, name: Optional[str] = None, version: str = "1", execution_type: Optional[str] = None,
              python: Optional[str] = None) -> Callable[[Callable[..., Any]], Component]: ...


def component(function: Optional[Callable[..., Any]] = None, *, name: Optional[str] = None, version: str = "1",
              execution_type: Optional[str] = None,
              python: Optional[str] = None) -> Union[Component, Callable[[Callable[..., Any]], Component]]:
    """Makes a function a component (see the module's documentation); `@component` or `@component(...)`."""
    def wrap(inner: Callable[..., Any]) -> Component:
        return Component(inner, name, version, execution_type, python)

    return wrap(function) if function is not None else wrap


__all__: List[str] = ["Artifact", "Component", "Dataset", "Input", "Metrics", "Model", "Output", "artifact_type",
                      "component"]
