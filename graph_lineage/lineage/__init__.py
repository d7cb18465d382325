"""Lineage queries: nodes, upstream/downstream traversal, traces, impact, recommendations.

>>> from graph_lineage.lineage import Node, upstream, downstream

Text and JSON rendering of their results lives in :mod:`graph_lineage.lineage.render`.
"""

from __future__ import annotations

from graph_lineage.errors import InvalidQuery, NodeNotFound
from graph_lineage.lineage.impact import Impact
from graph_lineage.lineage.model import Edge, Graph, Node
from graph_lineage.lineage.recommendations import (
    LineageDiff,
    Page,
    RecommendationFilter,
    lineage_diff,
)
from graph_lineage.lineage.trace import Trace
from graph_lineage.lineage.traversal import (
    downstream,
    find_node,
    upstream,
    versions_of,
)
from graph_lineage.lineage.visibility import EVERYTHING, Visibility

__all__ = [
    "EVERYTHING",
    "Edge",
    "Graph",
    "Impact",
    "InvalidQuery",
    "LineageDiff",
    "Node",
    "NodeNotFound",
    "Page",
    "RecommendationFilter",
    "Trace",
    "Visibility",
    "downstream",
    "find_node",
    "lineage_diff",
    "upstream",
    "versions_of",
]

# trace(), impact() and recommendations() stay in their modules of the same name
# (graph_lineage.lineage.trace.trace, ...): re-exporting them here would shadow the modules.
