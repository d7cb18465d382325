"""GraphQL types of lineage graphs: typed edges, nodes and the limits that cut them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from api.graphql.hidden import HiddenNodes, hidden_to_graphql
from api.graphql.nodes import LineageNode, to_graphql
from graph_lineage.lineage.model import Edge, Graph, LeafGroup
from graph_lineage.store.values import natives as native


@strawberry.enum(description="Upstream follows edges from derived to origin; downstream, back.")
class Direction(Enum):
    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"


@strawberry.type(description="One typed edge, pointing from the derived node to its origin.")
class LineageEdge:
    source: strawberry.ID
    target: strawberry.ID
    type: str
    valid_from: datetime | None
    valid_to: datetime | None
    ingested_at: datetime | None


@strawberry.type(
    description="The recommendations of one context and their outcomes, counted instead of"
    " returned (collapse); page them with recommendations(filter: {context})."
)
class LineageGroup:
    context: strawberry.ID
    recommendations: int | None = strawberry.field(
        description="null when the caller may not see recommendations or did not ask for them."
    )
    outcomes: int | None = strawberry.field(
        description="null when the caller may not see outcomes or did not ask for them."
    )


@strawberry.type(description="A lineage subgraph around one node, bounded by depth and size.")
class LineageGraph:
    root: strawberry.ID
    direction: Direction
    depth: int
    depth_reached: int
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool = strawberry.field(description="True when a depth or size limit cut it.")
    truncated_reason: str | None
    hidden: list[HiddenNodes] = strawberry.field(
        description="Nodes next to this graph that the caller may not see, counted by kind."
    )
    groups: list[LineageGroup] = strawberry.field(
        description="With collapse (downstream): each context's recommendations and outcomes,"
        " counted, most recommendations first."
    )


def edge_to_graphql(edge: Edge) -> LineageEdge:
    return LineageEdge(
        source=strawberry.ID(edge.source),
        target=strawberry.ID(edge.target),
        type=edge.type,
        valid_from=native(edge.properties.get("valid_from")),
        valid_to=native(edge.properties.get("valid_to")),
        ingested_at=native(edge.properties.get("ingested_at")),
    )


def _group(group: LeafGroup) -> LineageGroup:
    return LineageGroup(
        context=strawberry.ID(group.context),
        recommendations=group.recommendations,
        outcomes=group.outcomes,
    )


def graph_to_graphql(graph: Graph) -> LineageGraph:
    edges = [edge_to_graphql(edge) for edge in graph.edges]
    return LineageGraph(
        root=strawberry.ID(graph.root),
        direction=Direction(graph.direction),
        depth=graph.depth,
        depth_reached=graph.depth_reached,
        nodes=[to_graphql(node) for node in graph.nodes],
        edges=edges,
        truncated=graph.truncated,
        truncated_reason=graph.truncated_reason,
        hidden=hidden_to_graphql(graph.hidden),
        groups=[_group(group) for group in graph.groups],
    )
