"""The client of one Provenance server, in one namespace: every part of the REST API as methods, listings as
iterators, errors as exceptions that carry the server's code, message and field."""

import os
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from .metrics import Metrics
from .nodes import Nodes
from .paging import pages
from .runs import Runs
from .stream import EventStream
from .transport import JSON, Transport

if TYPE_CHECKING:
    from .pipeline import Pipeline


class Client:
    """`Client()` reads `PROVENANCE_SERVER` and `PROVENANCE_TOKEN`; each can be given instead. Calls time out after
    `timeout` seconds, and 503s are retried `retries` times with backoff. `namespace` (default `default`, or
    `PROVENANCE_NAMESPACE`) is where namespaced calls go; `in_namespace` gives a client of another one.

    >>> client = Client("http://127.0.0.1:8080", token="prov_...")
    >>> run = client.runs.run("personalization", {"customer": "acme"})
    >>> [a["artifact"]["uri"] for a in client.provenance(run["tasks"][2]["outputs"][0]["artifact_id"])["artifacts"]]
    """

    def __init__(self, server: Optional[str] = None, token: Optional[str] = None, namespace: Optional[str] = None,
                 timeout: float = 30.0, retries: int = 4, ca_file: Optional[str] = None,
                 transport: Optional[Transport] = None) -> None:
        self.transport = transport or Transport(server, token, timeout, retries, ca_file=ca_file)
        self.namespace = namespace or os.environ.get("PROVENANCE_NAMESPACE") or "default"
        self.base = f"/api/v1/namespaces/{self.namespace}"
        self.artifacts = Nodes(self.transport, self.base, "artifacts")
        self.executions = Nodes(self.transport, self.base, "executions")
        self.contexts = Nodes(self.transport, self.base, "contexts")
        self.runs = Runs(self.transport, self.base)
        self.metrics = Metrics(self.transport, self.base)

    def in_namespace(self, namespace: str) -> "Client":
        """A client of the same server (and connection pool) in `namespace`."""
        return Client(namespace=namespace, transport=self.transport)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def _call(self, method: str, path: str, **arguments: Any) -> Any:
        return self.transport.request(method, f"{self.base}/{path}", **arguments)

    # Who, where, and with which credentials.

    def whoami(self) -> JSON:
        return self.transport.request("GET", "/api/v1/whoami")  # type: ignore[no-any-return]

    def namespaces(self) -> List[JSON]:
        return self.transport.request("GET", "/api/v1/namespaces")["namespaces"]  # type: ignore[no-any-return]

    def create_namespace(self, name: str, description: Optional[str] = None) -> JSON:
        body = {"name": name, **({"description": description} if description else {})}
        return self.transport.request("POST", "/api/v1/namespaces", body=body)  # type: ignore[no-any-return]

    def create_token(self, name: str, role: str, namespaces: Sequence[str], expires: Optional[str] = None) -> JSON:
        """Makes a token (`role`: reader, writer, executor or admin; `namespaces`, or `["*"]` for all); the answer
        holds its secret in `token`, which the server never shows again."""
        body: Dict[str, Any] = {"name": name, "role": role, "namespaces": list(namespaces)}
        if expires:
            body["expires"] = expires
        return self.transport.request("POST", "/api/v1/tokens", body=body)  # type: ignore[no-any-return]

    def tokens(self) -> List[JSON]:
        return self.transport.request("GET", "/api/v1/tokens")["tokens"]  # type: ignore[no-any-return]

    def revoke_token(self, id: int) -> JSON:
        return self.transport.request("POST", f"/api/v1/tokens/{id}:revoke", body={})  # type: ignore[no-any-return]

    # Types and events.

    def create_type(self, kind: str, name: str, base_type: Optional[str] = None,
                    properties: Optional[Mapping[str, str]] = None, version: Optional[str] = None) -> JSON:
        """Creates (or finds, when the same) a type: `kind` artifact, execution or context; `properties` by name
        to INT, DOUBLE, STRING, STRUCT, PROTO or BOOLEAN."""
        body: Dict[str, Any] = {"kind": kind, "name": name}
        for key, value in (("base_type", base_type), ("properties", properties), ("version", version)):
            if value is not None:
                body[key] = value
        return self._call("POST", "types", body=body)  # type: ignore[no-any-return]

    def types(self, kind: Optional[str] = None, name: Optional[str] = None) -> List[JSON]:
        return self._call("GET", "types", params={"kind": kind, "name": name})["types"]  # type: ignore[no-any-return]

    def type(self, id: int) -> JSON:
        return self._call("GET", f"types/{id}")  # type: ignore[no-any-return]

    def put_events(self, events: Sequence[Mapping[str, Any]]) -> JSON:
        """Records events (`{artifact_id, execution_id, type: INPUT|OUTPUT|..., path?}`)."""
        return self._call("POST", "events", body={"events": list(events)})  # type: ignore[no-any-return]

    def events(self, artifact_ids: Sequence[int] = (), execution_ids: Sequence[int] = ()) -> List[JSON]:
        params: Dict[str, Any] = {}
        if artifact_ids:
            params["artifact_id"] = ",".join(str(i) for i in artifact_ids)
        if execution_ids:
            params["execution_id"] = ",".join(str(i) for i in execution_ids)
        return self._call("GET", "events", params=params)["events"]  # type: ignore[no-any-return]

    def link(self, context_id: int, artifact_id: Optional[int] = None, execution_id: Optional[int] = None,
             parent_id: Optional[int] = None) -> None:
        """Attributes an artifact to a context, associates an execution with it, or makes `parent_id` its parent."""
        if artifact_id is not None:
            self._call("PUT", f"contexts/{context_id}/artifacts/{artifact_id}")
        if execution_id is not None:
            self._call("PUT", f"contexts/{context_id}/executions/{execution_id}")
        if parent_id is not None:
            self._call("PUT", f"contexts/{context_id}/parents/{parent_id}")

    # Recording what ran.

    def record_execution(self, execution: Mapping[str, Any], inputs: Sequence[Mapping[str, Any]] = (),
                         outputs: Sequence[Mapping[str, Any]] = (),
                         contexts: Sequence[Mapping[str, Any]] = ()) -> JSON:
        """One execution with its input and output artifacts, their events and its contexts, in one transaction
        (artifacts and contexts with an `external_id` or a name already stored are reused). Answers
        `{execution_id, artifact_ids, context_ids}`."""
        body = {"execution": dict(execution), "inputs": list(inputs), "outputs": list(outputs),
                "contexts": list(contexts)}
        return self._call("POST", "executions:record", body=body)  # type: ignore[no-any-return]

    def record_lineage(self, artifacts: Sequence[Mapping[str, Any]] = (),
                       executions: Sequence[Mapping[str, Any]] = (), contexts: Sequence[Mapping[str, Any]] = (),
                       events: Sequence[Mapping[str, Any]] = (), **links: Sequence[Mapping[str, Any]]) -> JSON:
        """Many nodes and the events (and attributions, associations, parents) between them in one transaction;
        the links name nodes by their index in this request."""
        body: Dict[str, Any] = {"artifacts": list(artifacts), "executions": list(executions),
                                "contexts": list(contexts), "events": list(events)}
        body.update({key: list(value) for key, value in links.items()})
        return self._call("POST", "lineage:record", body=body)  # type: ignore[no-any-return]

    # The lineage questions.

    def provenance(self, artifact_id: int, base_type: Optional[str] = None, filter: Optional[str] = None,
                   max_hops: Optional[int] = None) -> JSON:
        """What data made this artifact: the upstream artifacts (of `base_type`, default Dataset), nearest first,
        each with its chain; and the executions that produced it."""
        return self._call("GET", f"artifacts/{artifact_id}/provenance",  # type: ignore[no-any-return]
                          params={"base_type": base_type, "filter": filter, "max_hops": max_hops})

    def impact(self, artifact_id: int, base_type: Optional[str] = None, filter: Optional[str] = None,
               max_hops: Optional[int] = None) -> JSON:
        """What this artifact reached downstream (models, by default)."""
        return self._call("GET", f"artifacts/{artifact_id}/impact",  # type: ignore[no-any-return]
                          params={"base_type": base_type, "filter": filter, "max_hops": max_hops})

    def results(self, artifact_id: int, dataset_id: Optional[int] = None) -> JSON:
        """The metrics artifacts computed from this model (on dataset `dataset_id`, if given)."""
        return self._call("GET", f"artifacts/{artifact_id}/results",  # type: ignore[no-any-return]
                          params={"dataset_id": dataset_id})

    def subgraph(self, artifact_ids: Sequence[int] = (), execution_ids: Sequence[int] = (),
                 direction: str = "BIDIRECTIONAL", max_hops: int = 20, max_nodes: Optional[int] = None,
                 read_mask: Optional[Sequence[str]] = None) -> JSON:
        """MLMD's lineage subgraph around the starting nodes: nodes and events, ready to draw."""
        body: Dict[str, Any] = {"direction": direction, "max_num_hops": max_hops}
        if artifact_ids:
            body["starting_artifacts"] = {"ids": list(artifact_ids)}
        if execution_ids:
            body["starting_executions"] = {"ids": list(execution_ids)}
        if max_nodes is not None:
            body["max_node_size"] = max_nodes
        if read_mask:
            body["read_mask"] = list(read_mask)
        return self._call("POST", "lineage:query", body=body)  # type: ignore[no-any-return]

    # Components and pipelines.

    def apply(self, spec: Union[str, Mapping[str, Any]]) -> JSON:
        """Registers a component (a spec with `run`) or applies a pipeline (a spec with `steps`), given as a dict
        or as YAML text; answers what the server made of it."""
        if isinstance(spec, str):
            kind = "pipelines" if "\nsteps:" in f"\n{spec}" else "components"
            return self._call("POST", kind, content=spec.encode(), content_type="application/yaml")  # type: ignore[no-any-return]
        kind = "pipelines" if "steps" in spec else "components"
        return self._call("POST", kind, body=dict(spec))  # type: ignore[no-any-return]

    def apply_file(self, path: str) -> List[JSON]:
        """Applies every spec of a YAML file (documents separated by `---` lines), components before pipelines,
        as `provenance pipelines apply` does."""
        with open(path, encoding="utf-8") as handle:
            documents: List[str] = [""]
            for line in handle:
                if line.rstrip() == "---":
                    documents.append("")
                else:
                    documents[-1] += line
        specs = [d for d in documents if any(l.strip() and not l.lstrip().startswith("#") for l in d.splitlines())]
        ordered = sorted(specs, key=lambda d: "\nsteps:" in f"\n{d}")
        return [self.apply(spec) for spec in ordered]

    def apply_pipeline(self, pipeline: "Pipeline") -> JSON:
        """Registers the components of a pipeline built in Python, then applies the pipeline; answers its version."""
        for component in pipeline.components:
            self.apply(component.spec)
        return self.apply(pipeline.spec)

    def components(self, limit: Optional[int] = None) -> Iterator[JSON]:
        return pages(lambda query: self._call("GET", "components", params=query), "components", limit=limit)

    def pipelines(self, limit: Optional[int] = None) -> Iterator[JSON]:
        return pages(lambda query: self._call("GET", "pipelines", params=query), "pipelines", limit=limit)

    def pipeline(self, name: str, version: Optional[str] = None) -> JSON:
        """A pipeline (with its newest version), or one version of it."""
        path = f"pipelines/{name}" + (f"/versions/{version}" if version else "")
        return self._call("GET", path)  # type: ignore[no-any-return]

    def pipeline_versions(self, name: str) -> Iterator[JSON]:
        return pages(lambda query: self._call("GET", f"pipelines/{name}/versions", params=query), "versions")

    # Executors and the live stream.

    def executors(self) -> List[JSON]:
        """The executors attached now, with what each runs."""
        return self.transport.request("GET", "/api/v1/executors")["executors"]  # type: ignore[no-any-return]

    def stream(self, run: Optional[int] = None, pipeline: Optional[str] = None, kinds: Optional[Sequence[str]] = None,
               last_event_id: Optional[str] = None, reconnect: bool = True) -> EventStream:
        """The namespace's live events (run and task states, attempts, logs, metrics, lineage), as an iterator
        that resumes after a dropped connection where it left off."""
        return EventStream(self.transport, self.base, run, pipeline, kinds, last_event_id, reconnect)
