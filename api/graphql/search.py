"""GraphQL types of search: completion hits by uid or name, and how many were hidden."""

from __future__ import annotations

import strawberry

from graph_lineage.lineage.search import SearchResult as Found


@strawberry.type(description="A node whose uid or name the search text begins.")
class SearchHit:
    uid: strawberry.ID
    kind: str = strawberry.field(description="The node's label, e.g. FeatureVersion.")
    name: str
    version: str | None


@strawberry.type(
    description="Search hits, best first; matching nodes the caller may not see are only counted."
)
class SearchResult:
    hits: list[SearchHit]
    hidden: int = strawberry.field(
        description="Matching nodes of kinds the caller may not see: counted, never named."
    )


def search_to_graphql(found: Found) -> SearchResult:
    hits = [
        SearchHit(uid=strawberry.ID(hit.uid), kind=hit.kind, name=hit.name, version=hit.version)
        for hit in found.hits
    ]
    return SearchResult(hits=hits, hidden=found.hidden)
