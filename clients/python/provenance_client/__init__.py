"""The Python client of Provenance, a metadata and lineage server for machine-learning pipelines.

    from provenance_client import Client
    client = Client()                      # PROVENANCE_SERVER, PROVENANCE_TOKEN, PROVENANCE_NAMESPACE
    run = client.runs.run("personalization", {"customer": "acme"})
"""

from .client import Client
from .components import Artifact, Component, Dataset, Input, Metrics, Model, Output, artifact_type, component
from .errors import Conflict, NotFound, PermissionDenied, ProvenanceError, Unauthenticated, Unavailable
from .metrics import point
from .pipeline import Pipeline, StepHandle
from .step_helper import Step, StepInput, StepOutput, step
from .stream import StreamEvent
from .transport import JSON, Transport

__all__ = [
    "Artifact", "Component", "Dataset", "Input", "Metrics", "Model", "Output", "Pipeline", "StepHandle",
    "artifact_type", "component",
    "Client", "Conflict", "JSON", "NotFound", "PermissionDenied", "ProvenanceError", "Step", "StepInput", "StepOutput",
    "StreamEvent", "Transport", "Unauthenticated", "Unavailable", "point", "step",
]
