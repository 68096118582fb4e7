"""Tokens and roles through the client, and its retries of a server that answers 503."""

import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, Iterator

import pytest

from provenance_client import Client, PermissionDenied, Unauthenticated, Unavailable


def test_a_readers_token_reads_but_may_not_write_and_a_revoked_one_is_refused(client: Client, server: str) -> None:
    made = client.create_token(f"reader-{uuid.uuid4().hex[:6]}", "reader", ["default"])
    reader = Client(server, token=made["token"])
    assert reader.whoami()["roles"] == ["reader"]
    assert isinstance(reader.types(), list)
    with pytest.raises(PermissionDenied) as refused:
        reader.create_type("artifact", "Dataset")
    assert refused.value.status == 403
    client.revoke_token(made["id"])
    with pytest.raises(Unauthenticated):
        reader.whoami()
    with pytest.raises(Unauthenticated):
        Client(server, token="prov_not-a-token", retries=0).whoami()


class FlakyServer(BaseHTTPRequestHandler):
    """Answers 503 to the first `failures` requests, then 200."""

    failures = 2
    seen = 0

    def do_GET(self) -> None:
        type(self).seen += 1
        if type(self).seen <= type(self).failures:
            self.send_response(503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Retry-After", "0")
            body = b'{"error": {"code": "unavailable", "message": "busy"}}'
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            body = b'{"name": "flaky", "roles": []}'
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def flaky() -> Iterator[str]:
    FlakyServer.seen = 0
    http = HTTPServer(("127.0.0.1", 0), FlakyServer)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_address[1]}"
    http.shutdown()


def test_503s_are_retried_with_backoff_and_then_given_up(flaky: str) -> None:
    assert Client(flaky, token="", retries=3).whoami()["name"] == "flaky"
    assert FlakyServer.seen == 3
    FlakyServer.seen = 0
    with pytest.raises(Unavailable) as gave_up:
        Client(flaky, token="", retries=1).whoami()
    assert gave_up.value.status == 503 and FlakyServer.seen == 2
