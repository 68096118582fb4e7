"""Runs a component function as a pipeline step: `python -m provenance_client.run FILE FUNCTION`, the command a
`@component` spec carries. Imports FILE (its directory first on the module path), finds FUNCTION, and calls it
with the running step's inputs, outputs and parameters."""

import importlib.util
import os
import sys
from typing import List

from .components import Component
from .step_helper import step


def main(arguments: List[str]) -> int:
    if len(arguments) != 2:
        print("usage: python -m provenance_client.run FILE FUNCTION", file=sys.stderr)
        return 2
    path, qualname = arguments
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("provenance_component_module", path)
    if spec is None or spec.loader is None:
        print(f"cannot import {path}", file=sys.stderr)
        return 2
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found: object = module
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, Component):
        print(f"{qualname} in {path} is not a @component", file=sys.stderr)
        return 2
    found.invoke(step)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
