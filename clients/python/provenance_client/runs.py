"""Pipeline runs of a namespace: submit, read, list, wait for, cancel, retry; their tasks and logs."""

import time
from typing import Any, Dict, Iterator, Mapping, Optional

from .errors import ProvenanceError
from .paging import pages
from .transport import JSON, Transport

FINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELED"})


def labels_text(labels: Optional[Mapping[str, str]]) -> Optional[str]:
    """Labels as the API's query strings write them: `k=v,k=v`."""
    return ",".join(f"{k}={v}" for k, v in labels.items()) if labels else None


class Runs:
    """The runs of one namespace."""

    def __init__(self, transport: Transport, base: str) -> None:
        self.transport = transport
        self.base = base

    def submit(self, pipeline: str, parameters: Optional[Mapping[str, Any]] = None,
               labels: Optional[Mapping[str, str]] = None, version: Optional[str] = None,
               cache: Optional[bool] = None) -> JSON:
        """Starts a run of `pipeline` (its newest version unless `version` names one) and answers it."""
        body: Dict[str, Any] = {"pipeline": pipeline}
        if parameters:
            body["parameters"] = dict(parameters)
        if labels:
            body["labels"] = dict(labels)
        if version:
            body["version"] = version
        if cache is not None:
            body["cache"] = cache
        return self.transport.request("POST", f"{self.base}/runs", body=body)  # type: ignore[no-any-return]

    def get(self, id: int) -> JSON:
        """The run with every task, its attempts, inputs, outputs and why it waits."""
        return self.transport.request("GET", f"{self.base}/runs/{id}")  # type: ignore[no-any-return]

    def list(self, pipeline: Optional[str] = None, state: Optional[str] = None,
             labels: Optional[Mapping[str, str]] = None, page_size: int = 100,
             limit: Optional[int] = None) -> Iterator[JSON]:
        """Runs, newest first, without their tasks."""
        params = {"pipeline": pipeline, "state": state, "labels": labels_text(labels)}
        return pages(lambda query: self.transport.request("GET", f"{self.base}/runs", params=query), "runs",
                     {k: v for k, v in params.items() if v is not None}, page_size, limit)

    def wait(self, id: int, timeout: float = 3600.0, poll: float = 0.2) -> JSON:
        """The run once it has finished (SUCCEEDED, FAILED or CANCELED); `TimeoutError` after `timeout` s."""
        deadline = time.monotonic() + timeout
        delay = poll
        while True:
            run = self.get(id)
            if run["state"] in FINAL_STATES:
                return run
            if time.monotonic() + delay > deadline:
                raise TimeoutError(f"run {id} is still {run['state']} after {timeout} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)

    def run(self, pipeline: str, parameters: Optional[Mapping[str, Any]] = None,
            labels: Optional[Mapping[str, str]] = None, timeout: float = 3600.0) -> JSON:
        """Submits a run and waits for it; raises `ProvenanceError` unless it succeeds."""
        run = self.wait(self.submit(pipeline, parameters, labels)["id"], timeout)
        if run["state"] != "SUCCEEDED":
            failed = [f"{t['step']}: {t.get('error', t['state'])}" for t in run.get("tasks", [])
                      if t["state"] in ("FAILED", "CANCELED")]
            raise ProvenanceError(0, "run_failed", f"run {run['id']} ended {run['state']}: {'; '.join(failed)}")
        return run

    def cancel(self, id: int) -> JSON:
        return self.transport.request("POST", f"{self.base}/runs/{id}:cancel", body={})  # type: ignore[no-any-return]

    def retry(self, id: int) -> JSON:
        """Runs the failed and canceled tasks of a finished run again."""
        return self.transport.request("POST", f"{self.base}/runs/{id}:retry", body={})  # type: ignore[no-any-return]

    def tasks(self, id: int) -> JSON:
        return self.transport.request("GET", f"{self.base}/runs/{id}/tasks")  # type: ignore[no-any-return]

    def task(self, task_id: int) -> JSON:
        return self.transport.request("GET", f"{self.base}/tasks/{task_id}")  # type: ignore[no-any-return]

    def logs(self, task_id: int, attempt: Optional[int] = None, after: Optional[int] = None,
             limit: Optional[int] = None) -> Iterator[JSON]:
        """A task's log lines (`{attempt, seq, stream, text, time_since_epoch}`), after line `after`."""
        last = after
        while True:
            answer = self.transport.request("GET", f"{self.base}/tasks/{task_id}/logs",
                                            params={"attempt": attempt, "after": last, "limit": limit or 1000})
            lines = answer.get("lines", [])
            yield from lines
            if not lines or limit is not None:
                return
            last = lines[-1]["seq"]
