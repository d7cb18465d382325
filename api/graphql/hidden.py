"""What an answer left out: nodes of kinds the caller may not see, counted by kind."""

from __future__ import annotations

import strawberry


@strawberry.type(description="Nodes of a kind the caller may not see, left out of an answer.")
class HiddenNodes:
    kind: str
    count: int


def hidden_to_graphql(hidden: dict[str, int]) -> list[HiddenNodes]:
    return [HiddenNodes(kind=kind, count=count) for kind, count in sorted(hidden.items())]
