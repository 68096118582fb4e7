"""Artifacts, executions or contexts of a namespace: create, read, list (filtered, paged), update, delete."""

from typing import Any, Dict, Iterator, Optional

from .paging import pages
from .transport import JSON, Transport


class Nodes:
    """The nodes of one kind (`artifacts`, `executions` or `contexts`) in a namespace."""

    def __init__(self, transport: Transport, base: str, kind: str) -> None:
        self.transport = transport
        self.base = base
        self.kind = kind

    def create(self, type: str, **fields: Any) -> JSON:
        """Creates a node of type `type` (`uri`, `name`, `external_id`, `state`, `properties`,
        `custom_properties`, ...) and answers it."""
        return self._call("POST", "", body={"type": type, **fields})  # type: ignore[no-any-return]

    def get(self, id: int) -> JSON:
        return self._call("GET", f"/{id}")  # type: ignore[no-any-return]

    def list(self, type: Optional[str] = None, filter: Optional[str] = None, order_by: Optional[str] = None,
             name: Optional[str] = None, external_id: Optional[str] = None, uri: Optional[str] = None,
             page_size: int = 100, limit: Optional[int] = None) -> Iterator[JSON]:
        """The nodes matching, page after page (`filter` in MLMD's filter language:
        `custom_properties.auc.double_value > 0.9`)."""
        params: Dict[str, Any] = {"type": type, "filter": filter, "order_by": order_by, "name": name,
                                  "external_id": external_id, "uri": uri}
        return pages(lambda query: self._call("GET", "", params=query), self.kind,
                     {k: v for k, v in params.items() if v is not None}, page_size, limit)

    def update(self, id: int, revision: Optional[int] = None, **fields: Any) -> JSON:
        """Changes the fields given; with `revision`, only if the node is still at it (else `Conflict`)."""
        headers = {"If-Match": f'"{revision}"'} if revision is not None else None
        return self._call("PATCH", f"/{id}", body=dict(fields), headers=headers)  # type: ignore[no-any-return]

    def delete(self, id: int) -> None:
        self._call("DELETE", f"/{id}")

    def events(self, id: int) -> JSON:
        """The events of an artifact or an execution."""
        return self._call("GET", f"/{id}/events")  # type: ignore[no-any-return]

    def contexts(self, id: int) -> JSON:
        """The contexts of an artifact or an execution."""
        return self._call("GET", f"/{id}/contexts")  # type: ignore[no-any-return]

    def _call(self, method: str, suffix: str, **arguments: Any) -> Any:
        return self.transport.request(method, f"{self.base}/{self.kind}{suffix}", **arguments)
