"""Fixtures of the client's suite: the server scripts/python-client/suite.sh started (an admin token, a real
`provenance executor` attached), and clients of it."""

import os
import pathlib

import pytest

from provenance_client import Client

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def server() -> str:
    return os.environ["PROVENANCE_SERVER"]


@pytest.fixture(scope="session")
def client(server: str) -> Client:
    """An admin's client in the default namespace (the token from PROVENANCE_TOKEN)."""
    return Client(server)


@pytest.fixture(scope="session")
def example(client: Client) -> Client:
    """The example pipeline applied from its file."""
    client.apply_file(str(REPOSITORY / "examples" / "personalization" / "pipeline.yaml"))
    return client
