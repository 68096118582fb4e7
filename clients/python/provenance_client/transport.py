"""The HTTP layer every call goes through: the token, a timeout on every call, 503s (and failed connections of
calls that are safe to repeat) retried with exponential backoff, and errors turned into exceptions."""

import json
import os
import random
import time
from typing import Any, Dict, Iterator, Mapping, Optional, Union

import httpx

from .errors import ProvenanceError, Unavailable, error_for

JSON = Dict[str, Any]
Params = Mapping[str, Union[str, int, float, bool, None]]

DEFAULT_SERVER = "http://127.0.0.1:8080"


class Transport:
    """One connection pool to one server.

    `token` defaults to `PROVENANCE_TOKEN`, `server` to `PROVENANCE_SERVER`. `retries` is how many times a 503 (or,
    for GET, PUT and DELETE, a failed connection) is tried again, waiting `backoff` seconds doubled each time (or
    what `Retry-After` says)."""

    def __init__(self, server: Optional[str] = None, token: Optional[str] = None, timeout: float = 30.0,
                 retries: int = 4, backoff: float = 0.2, ca_file: Optional[str] = None) -> None:
        self.server = (server or os.environ.get("PROVENANCE_SERVER") or DEFAULT_SERVER).rstrip("/")
        self.token = token if token is not None else os.environ.get("PROVENANCE_TOKEN")
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        headers = {"Accept": "application/json", "User-Agent": "provenance-client-python/0.1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        verify: Union[bool, str] = ca_file or os.environ.get("PROVENANCE_CA_FILE") or True
        self.http = httpx.Client(base_url=self.server, headers=headers, timeout=timeout, verify=verify)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, *, params: Optional[Params] = None, body: Any = None,
                content: Optional[bytes] = None, content_type: Optional[str] = None,
                headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None) -> Any:
        """Calls `path` (under the server's root) and answers its JSON (None for an empty body)."""
        headers = dict(headers or {})
        data: Optional[bytes] = content
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif content_type:
            headers["Content-Type"] = content_type
        query = {k: _text(v) for k, v in (params or {}).items() if v is not None}
        idempotent = method in ("GET", "PUT", "DELETE", "HEAD")
        attempt = 0
        while True:
            try:
                response = self.http.request(method, path, params=query, content=data, headers=headers,
                                             timeout=timeout if timeout is not None else self.timeout)
            except httpx.TransportError as error:
                if idempotent and attempt < self.retries:
                    attempt += 1
                    time.sleep(self._delay(attempt, None))
                    continue
                raise Unavailable(0, "unavailable", f"{method} {path}: {error}") from error
            if response.status_code == 503 and attempt < self.retries:
                attempt += 1
                time.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            return _answer(response, method, path)

    def stream_lines(self, path: str, *, params: Optional[Params] = None,
                     headers: Optional[Mapping[str, str]] = None) -> Iterator[str]:
        """The lines of a streamed response (the event stream), without a read timeout."""
        query = {k: _text(v) for k, v in (params or {}).items() if v is not None}
        timeout = httpx.Timeout(self.timeout, read=None)
        with self.http.stream("GET", path, params=query, headers=dict(headers or {}), timeout=timeout) as response:
            if response.status_code >= 400:
                response.read()
                _answer(response, "GET", path)
            yield from response.iter_lines()

    def _delay(self, attempt: int, retry_after: Optional[str]) -> float:
        if retry_after and retry_after.isdigit():
            return float(retry_after)
        return float(self.backoff * 2.0 ** (attempt - 1) * (0.5 + random.random() / 2))


def _text(value: Union[str, int, float, bool]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _answer(response: httpx.Response, method: str, path: str) -> Any:
    if response.status_code < 400:
        if not response.content:
            return None
        return response.json()
    code, message, field = "unknown", response.text.strip() or response.reason_phrase, None
    try:
        error = response.json().get("error", {})
        code = error.get("code", code)
        message = error.get("message", message)
        field = (error.get("details") or {}).get("field")
    except (ValueError, AttributeError):
        pass
    raise error_for(response.status_code, code, f"{method} {path}: {message}", field)


__all__ = ["JSON", "Transport", "ProvenanceError"]
