"""What a failed call raises: the server's own code, message and field, or why the server could not be reached."""

from typing import Optional


class ProvenanceError(Exception):
    """A call the server answered with an error (`status` >= 400), or could not answer (`status` 0).

    `code` is the server's error code (`not_found`, `invalid_argument`, `unauthenticated`, ...), `field` the request
    field it names when it names one."""

    def __init__(self, status: int, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(f"{code}: {message}" + (f" (field {field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class NotFound(ProvenanceError):
    """The thing named does not exist (404)."""


class Unauthenticated(ProvenanceError):
    """No credential, or one the server refused (401)."""


class PermissionDenied(ProvenanceError):
    """The credential's role or namespaces do not allow the call (403)."""


class Conflict(ProvenanceError):
    """The call conflicts with what is stored: a name taken, a stale revision (409, 412)."""


class Unavailable(ProvenanceError):
    """The server or its database could not answer in time (503, or no connection), after the retries."""


def error_for(status: int, code: str, message: str, field: Optional[str]) -> ProvenanceError:
    """The exception class of a status."""
    kind = {404: NotFound, 401: Unauthenticated, 403: PermissionDenied, 409: Conflict, 412: Conflict,
            503: Unavailable}.get(status, ProvenanceError)
    return kind(status, code, message, field)
