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
    └── InvalidBody                   a request body or event file is not acceptable JSON

Each message says what was wrong and what to do about it. ``retryable`` tells a caller
whether trying again later can succeed.
"""

from __future__ import annotations


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
