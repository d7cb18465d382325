"""Relay-style connections: one generic Connection and Edge, and the PageInfo they share.

``Connection[Recommendation]`` is the GraphQL type ``RecommendationConnection``, with edges
of type ``RecommendationEdge``; every paginated list answers the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

Item = TypeVar("Item")
Stored = TypeVar("Stored")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None

    @classmethod
    def of(cls, cursors: Sequence[str], has_next_page: bool) -> PageInfo:
        """The page info of a page whose items have these cursors, in order."""
        return cls(has_next_page=has_next_page, end_cursor=cursors[-1] if cursors else None)


@strawberry.type
class Edge(Generic[Item]):
    node: Item
    cursor: str


@strawberry.type
class Connection(Generic[Item]):
    edges: list[Edge[Item]]
    page_info: PageInfo


def connection(
    items: Sequence[Stored],
    cursors: Sequence[str],
    has_next_page: bool,
    to_graphql: Callable[[Stored], Item],
) -> Connection[Item]:
    """The connection of one page: its items converted, each with its cursor, in order."""
    edges = [
        Edge(node=to_graphql(item), cursor=cursor)
        for item, cursor in zip(items, cursors, strict=True)
    ]
    return Connection(edges=edges, page_info=PageInfo.of(cursors, has_next_page))
