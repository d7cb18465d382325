"""What lineage queries return: nodes, typed edges, graphs with their limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graph_lineage.store.labels import Label
from graph_lineage.store.reads import decoded

# Labels in the order that names a node's kind when it has several.
_KIND_ORDER = [label for label in Label]


@dataclass(frozen=True)
class Node:
    id: str  # Neo4j element id: internal, never shown to users
    labels: tuple[str, ...]
    properties: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> Node:
        """The node of a row (or map) with ``id``, ``labels`` and ``props`` sent by
        :func:`~graph_lineage.store.reads.props_of`."""
        return cls(id=row["id"], labels=tuple(row["labels"]), properties=decoded(row["props"]))

    @property
    def uid(self) -> str:
        return str(self.properties.get("uid", ""))

    @property
    def kind(self) -> str:
        for label in _KIND_ORDER:
            if label in self.labels:
                return str(label)
        return self.labels[0] if self.labels else "Unknown"

    @property
    def stub(self) -> bool:
        return bool(self.properties.get("stub"))


@dataclass(frozen=True)
class Edge:
    source: str  # uid of the derived node (edges point from derived to origin)
    target: str
    type: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class LeafGroup:
    """Recommendations and outcomes of one context, counted instead of returned (collapse).

    A count is None when the caller may not see that kind or did not ask for it.
    """

    context: str  # uid of the LineageContext
    recommendations: int | None
    outcomes: int | None


@dataclass
class Graph:
    root: str
    direction: str
    depth: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False
    truncated_reason: str | None = None
    depth_reached: int = 0
    hidden: dict[str, int] = field(default_factory=dict)  # kinds the caller may not see
    groups: list[LeafGroup] = field(default_factory=list)  # collapsed leaves, per context
