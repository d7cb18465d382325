"""GraphQL while Neo4j is down: an error a client can act on, answered as a ``503``.

A field whose store call found Neo4j unavailable answers null with an error whose
``extensions.code`` is ``STORE_UNAVAILABLE`` and whose message says when to retry, instead
of the masked "Unexpected error."; :class:`~api.graphql.LineageGraphQL` then answers
``503`` with ``Retry-After``, as the ingest endpoints do.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from graph_lineage.errors import StoreUnavailable

STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
RETRY_AFTER_SECONDS = 5
OUTAGE_MESSAGE = (
    "the lineage store (Neo4j) is unavailable; retry in"
    f" {RETRY_AFTER_SECONDS} s (/readyz tells when it is back)"
)


class StoreOutageErrors(SchemaExtension):
    """Turns errors caused by :class:`StoreUnavailable` into ``STORE_UNAVAILABLE`` errors.

    List it after ``MaskErrors``: strawberry nests the extensions, so this one sees the
    errors first, and the errors it makes carry no original error, so they are not masked.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, (ExecutionResult, GraphQLResult)) and result.errors:
            result.errors = [_shown(error) for error in result.errors]


def _shown(error: GraphQLError) -> GraphQLError:
    if not isinstance(error.original_error, StoreUnavailable):
        return error
    return GraphQLError(
        OUTAGE_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": STORE_UNAVAILABLE},
    )


def found_outage(result: ExecutionResult) -> bool:
    """Whether a field of ``result`` failed because Neo4j was unavailable."""
    return any(
        (error.extensions or {}).get("code") == STORE_UNAVAILABLE for error in result.errors or ()
    )
