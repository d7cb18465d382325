"""A field that finds Neo4j unavailable answers STORE_UNAVAILABLE, never a masked error."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaskErrors

from api.graphql.outages import STORE_UNAVAILABLE, StoreOutageErrors, found_outage
from api.graphql.schema import _should_mask
from graph_lineage.errors import StoreError, StoreUnavailable


@strawberry.type
class Query:
    @strawberry.field
    def down(self) -> str | None:
        raise StoreUnavailable("Neo4j is unreachable (Connection refused to 127.0.0.1:7687)")

    @strawberry.field
    def broken(self) -> str | None:
        raise StoreError("query failed: MATCH (secret) ...")

    @strawberry.field
    def fine(self) -> str:
        return "yes"


# As build_schema has them: the outage errors are made before MaskErrors looks.
schema = strawberry.Schema(
    query=Query, extensions=[lambda: MaskErrors(should_mask_error=_should_mask), StoreOutageErrors]
)


def test_an_outage_is_named_and_other_failures_stay_masked() -> None:
    result = schema.execute_sync("{ down broken fine }")

    assert result.data == {"down": None, "broken": None, "fine": "yes"}
    by_field = {str(error.path[0]): error for error in result.errors or [] if error.path}
    assert by_field["down"].extensions == {"code": STORE_UNAVAILABLE}
    assert "retry in 5 s" in by_field["down"].message
    assert "127.0.0.1" not in by_field["down"].message
    assert by_field["broken"].message == "Unexpected error."
    assert found_outage(result)


def test_no_outage_without_a_store_unavailable_error() -> None:
    result = schema.execute_sync("{ fine broken }")

    assert not found_outage(result)
