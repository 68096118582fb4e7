"""The live event stream (`GET /events:stream`) as an iterator that reconnects by itself with the last event id it
saw, so no event is lost across a dropped connection within the server's retention window."""

import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, Optional, Sequence

import httpx

from .errors import ProvenanceError
from .transport import Transport


@dataclass
class StreamEvent:
    """One event: its `kind` (run, tasks, attempts, log, metric, lineage, or the stream's own `reset`), its id
    (`TX-ID`, what a reconnect resumes after) and its data."""

    kind: str
    id: Optional[str]
    data: Dict[str, Any] = field(default_factory=dict)


class EventStream:
    """Iterates the events of a namespace, filtered by run, pipeline and kinds. A `reset` event says events were
    missed (the reconnect came after the retention window): reload what you show, then go on."""

    def __init__(self, transport: Transport, base: str, run: Optional[int] = None, pipeline: Optional[str] = None,
                 kinds: Optional[Sequence[str]] = None, last_event_id: Optional[str] = None,
                 reconnect: bool = True) -> None:
        self.transport = transport
        self.path = f"{base}/events:stream"
        self.params = {"run": run, "pipeline": pipeline, "kind": ",".join(kinds) if kinds else None}
        self.last_event_id = last_event_id
        self.reconnect = reconnect
        self.retry_seconds = 2.0

    def __iter__(self) -> Iterator[StreamEvent]:
        while True:
            headers = {"Accept": "text/event-stream"}
            if self.last_event_id:
                headers["Last-Event-ID"] = self.last_event_id
            try:
                for event in self._read(self.transport.stream_lines(self.path, params=self.params, headers=headers)):
                    if event.kind == "shutdown":
                        break
                    if event.kind == "dropped":
                        yield event
                        break
                    yield event
            except (httpx.TransportError, ProvenanceError) as error:
                if isinstance(error, ProvenanceError) and error.status not in (0, 503):
                    raise
            if not self.reconnect:
                return
            time.sleep(self.retry_seconds)

    def _read(self, lines: Iterator[str]) -> Iterator[StreamEvent]:
        kind: Optional[str] = None
        event_id: Optional[str] = None
        data: list[str] = []
        for line in lines:
            if line == "":
                if data or kind:
                    if event_id:
                        self.last_event_id = event_id
                    payload: Dict[str, Any] = {}
                    try:
                        payload = json.loads("\n".join(data)) if data else {}
                    except ValueError:
                        payload = {"text": "\n".join(data)}
                    if kind == "reset":
                        self.last_event_id = None
                    yield StreamEvent(kind or "message", event_id, payload)
                kind, event_id, data = None, None, []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                kind = value
            elif name == "id":
                event_id = value
            elif name == "data":
                data.append(value)
            elif name == "retry" and value.isdigit():
                self.retry_seconds = int(value) / 1000
