"""Every error graph-lineage raises on purpose.

::

    LineageError                      base: catch this to catch them all
    ├── ConfigurationError            a setting is missing or wrong
    ├── SealedValueError              a sealed (encrypted) property cannot be opened
    ├── LocalNeo4jError               the local Neo4j server could not be obtained or run
    │   ├── PrerequisiteMissing       Java 17+ or Maven is not installed
    │   ├── PortInUse                 a port Neo4j should listen on is taken
    │   └── Neo4jStartFailed          the server process died or never answered
    ├── StoreError                    talking to Neo4j failed
    │   └── StoreUnavailable          Neo4j cannot be reached (retryable)
    ├── MigrationError                a schema migration is broken or was changed
    ├── InvalidBody                   a request body or event file is not acceptable JSON
    ├── BodyRefused                   an HTTP body the endpoint will not read (a 4xx answer)
    ├── InvalidEvents                 an event file holds invalid events; nothing was written
    ├── Unauthenticated               no valid credentials (401)
    ├── AccessNotRecorded             the access audit could not record an operation (503)
    ├── NodeNotFound                  no lineage node has this uid
    ├── InvalidQuery                  a query argument is out of range
    │   └── InvalidPlan               a change plan cannot be analyzed
    └── TransportError                a collector transport could not send a batch
        ├── BackendUnavailable        the backend cannot take events now (retryable)
        └── EventsRejected            the backend refused the batch as it is

Each message says what was wrong and what to do about it. ``retryable`` tells a caller
whether trying again later can succeed.
"""

from __future__ import annotations

from pathlib import Path


class LineageError(Exception):
    """Base of every error graph-lineage raises on purpose."""

    retryable: bool = False


class ConfigurationError(LineageError):
    """A setting is missing or has a value that cannot work."""


class SealedValueError(LineageError):
    """A sealed property cannot be opened: its key is not configured, or it was altered."""


class LocalNeo4jError(LineageError):
    """The local Neo4j server could not be obtained, configured or run."""


class PrerequisiteMissing(LocalNeo4jError):
    """A tool the local Neo4j needs (Java 17+, Maven) is missing or too old."""


class PortInUse(LocalNeo4jError):
    """A port the local Neo4j should listen on is already taken."""


class Neo4jStartFailed(LocalNeo4jError):
    """The Neo4j process exited or did not answer in time; the message ends with its log."""


class StoreError(LineageError):
    """A query against Neo4j failed."""


class StoreUnavailable(StoreError):
    """Neo4j cannot be reached right now."""

    retryable = True


class MigrationError(LineageError):
    """A schema migration failed, or an applied migration's file has changed since."""


class InvalidBody(LineageError):
    """A body is not acceptable JSON (too deep, a non-finite number, not JSON at all).

    ``code`` names the reason in API answers: ``too_deep``, ``non_finite_number``,
    ``invalid_json``.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class BodyRefused(LineageError):
    """An HTTP body the endpoint will not read; the answer is ``status`` with JSON
    ``{"error": code, "detail": detail}``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


class InvalidEvents(LineageError):
    """The file holds invalid events; nothing was written."""

    def __init__(self, path: Path, problems: list[str], total: int) -> None:
        shown = "\n".join(problems)
        more = f"\n... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(f"{path}: {total} invalid event(s); nothing was written.\n{shown}{more}")
        self.total = total


class Unauthenticated(LineageError):
    """No valid credentials: the answer is 401."""


class AccessNotRecorded(LineageError):
    """The access record of an operation could not be written, so it gets no answer.

    Retryable when the access log's store is unavailable; raise it ``from`` that error.
    """

    def __init__(self, cause: LineageError) -> None:
        why = "its store is unavailable" if cause.retryable else "writing the record failed"
        super().__init__(f"the access log cannot record this operation ({why})")
        self.retryable = cause.retryable


class NodeNotFound(LineageError):
    """No lineage node has this uid."""


class InvalidQuery(LineageError):
    """An argument is out of range."""


class InvalidPlan(InvalidQuery):
    """A change plan that cannot be analyzed; ``problems`` says what and where, one each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the change plan is not valid: " + "; ".join(problems))


class TransportError(LineageError):
    """Sending a batch of events failed."""


class BackendUnavailable(TransportError):
    """The backend cannot take events right now; the batch is retried, then spooled."""

    retryable = True


class EventsRejected(TransportError):
    """The backend refused the batch; sending it again as it is cannot succeed.

    ``reason`` names the refusal in the collector's drop counters, e.g. ``"invalid"``.
    """

    def __init__(self, message: str, reason: str, splittable: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.splittable = splittable
