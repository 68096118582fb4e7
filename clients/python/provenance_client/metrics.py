"""Metric series of runs and tasks: write points, read a series' history (paged) or any number of series
downsampled (each bucket's min, max and last), compare runs in one table, diff two runs."""

import time
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence

from .paging import pages
from .runs import labels_text
from .transport import JSON, Transport

BATCH = 10_000  # the most points the server takes in one request


def point(name: str, value: float, step: Optional[int] = None, time_ms: Optional[int] = None) -> JSON:
    """One point as the API takes it."""
    body: Dict[str, Any] = {"name": name, "value": float(value)}
    if step is not None:
        body["step"] = int(step)
    if time_ms is not None:
        body["time"] = int(time_ms)
    return body


class Metrics:
    """The metrics of one namespace."""

    def __init__(self, transport: Transport, base: str) -> None:
        self.transport = transport
        self.base = base

    def log(self, run_id: int, name: str, value: float, step: Optional[int] = None,
            task_id: Optional[int] = None) -> JSON:
        """Writes one point to the run's own series (or task `task_id`'s)."""
        return self.log_points(run_id, [point(name, value, step, int(time.time() * 1000))], task_id)

    def log_points(self, run_id: int, points: Iterable[Mapping[str, Any]], task_id: Optional[int] = None) -> JSON:
        """Writes points (`{name, value, step?, time?}`) in batches of 10,000; answers the last batch's answer."""
        path = f"{self.base}/tasks/{task_id}/metrics" if task_id is not None else f"{self.base}/runs/{run_id}/metrics"
        batch: List[Mapping[str, Any]] = []
        answer: JSON = {}
        for item in points:
            batch.append(item)
            if len(batch) == BATCH:
                answer = self.transport.request("POST", path, body={"points": batch})
                batch = []
        if batch:
            answer = self.transport.request("POST", path, body={"points": batch})
        return answer

    def series(self, run_id: int) -> List[JSON]:
        """The run's series (its own and its tasks'), each with its counts, range and last value."""
        return self.transport.request("GET", f"{self.base}/runs/{run_id}/metrics")["metrics"]  # type: ignore[no-any-return]

    def history(self, run_id: int, name: str, task_id: Optional[int] = None, page_size: int = 10_000) -> Iterator[JSON]:
        """Every point of one series, in write order, page after page."""
        return pages(lambda query: self.transport.request("GET", f"{self.base}/runs/{run_id}/metrics:points",
                                                          params=query),
                     "points", {"name": name, "task_id": task_id} if task_id is not None else {"name": name},
                     page_size)

    def downsample(self, runs: Sequence[int], names: Sequence[str], max_points: int = 1000,
                   step: Optional[str] = None, step_from: Optional[int] = None,
                   step_to: Optional[int] = None) -> List[JSON]:
        """The series of `names` in `runs` (of each run's task of `step`, else the runs' own), downsampled alike
        to at most `max_points` buckets, each keeping its min, max and last value."""
        body: Dict[str, Any] = {"runs": list(runs), "names": list(names), "max_points": max_points}
        for key, value in (("step", step), ("step_from", step_from), ("step_to", step_to)):
            if value is not None:
                body[key] = value
        return self.transport.request("POST", f"{self.base}/metrics:downsample", body=body)["series"]  # type: ignore[no-any-return]

    def compare(self, runs: Optional[Sequence[int]] = None, pipeline: Optional[str] = None,
                state: Optional[str] = None, labels: Optional[Mapping[str, str]] = None,
                params: Optional[Mapping[str, Any]] = None, metrics: Optional[Sequence[str]] = None,
                step: Optional[str] = None, sort: Optional[str] = None, limit: Optional[int] = None) -> JSON:
        """Runs' parameters and final metrics in one table (`{runs, metrics, parameters}`), sorted by the server
        (`metric:auc`, `-param:lr`, `id`)."""
        query = {
            "runs": ",".join(str(r) for r in runs) if runs else None, "pipeline": pipeline, "state": state,
            "labels": labels_text(labels),
            "params": ",".join(f"{k}={_literal(v)}" for k, v in params.items()) if params else None,
            "metrics": ",".join(metrics) if metrics else None, "step": step, "sort": sort, "limit": limit,
        }
        return self.transport.request("GET", f"{self.base}/runs:compare", params=query)  # type: ignore[no-any-return]

    def diff(self, a: int, b: int) -> JSON:
        """What changed from run `a` to run `b`: parameters, inputs, steps, metrics."""
        return self.transport.request("GET", f"{self.base}/runs/{a}:diff", params={"with": b})  # type: ignore[no-any-return]


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
