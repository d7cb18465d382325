"""Which kinds of node a caller may see; lineage answers leave the others out and count them.

A hidden node is never returned, never entered by a traversal (so it cannot shape limits,
``truncated`` reasons or what lies beyond it), and its uid never appears in edges, in lists
of uids or in the properties of the nodes shown (a property naming it reads ``(hidden)``).
What the caller gets instead is a count of hidden nodes per kind.

>>> viewer = Visibility(hidden=frozenset({"Recommendation", "Outcome"}))
>>> viewer.hides_uid("rec:req-1"), viewer.hides_uid("feature:ctr@v2")
(True, False)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph_lineage.lineage.model import Node

# The kind named by a uid's prefix; a version (``@``) picks the second kind when there are two.
_UID_KINDS: dict[str, tuple[str, str]] = {
    "source": ("DataSource", "DataSource"),
    "feature": ("Feature", "FeatureVersion"),
    "model": ("Model", "ModelVersion"),
    "deployment": ("Deployment", "Deployment"),
    "experiment": ("Experiment", "Experiment"),
    "variant": ("Variant", "Variant"),
    "context": ("LineageContext", "LineageContext"),
    "rec": ("Recommendation", "Recommendation"),
    "outcome": ("Outcome", "Outcome"),
    "stats": ("FeatureStatistics", "FeatureStatistics"),
    "record": ("RunRecord", "RunRecord"),
    "anomaly": ("Anomaly", "Anomaly"),
    "drift": ("DriftAlert", "DriftAlert"),
    "driftwindow": ("DriftWindow", "DriftWindow"),
    "job": ("Job", "Job"),
    "run": ("Run", "Run"),
    "dataset": ("Dataset", "Dataset"),
}


# What a property naming a hidden node holds instead of its uid.
HIDDEN = "(hidden)"


def kind_of_uid(uid: str) -> str | None:
    """The node kind a uid names, by its prefix; None for a prefix no kind uses."""
    prefix, _, rest = uid.partition(":")
    kinds = _UID_KINDS.get(prefix)
    if kinds is None:
        return None
    return kinds[1] if "@" in rest else kinds[0]


@dataclass(frozen=True)
class Visibility:
    hidden: frozenset[str] = frozenset()

    def hides(self, node: Node) -> bool:
        return not self.hidden.isdisjoint(node.labels)

    def hides_uid(self, uid: str) -> bool:
        if not self.hidden:
            return False
        return kind_of_uid(uid) in self.hidden

    def visible(self, nodes: Iterable[Node], hidden: Counter[str]) -> list[Node]:
        """The nodes the caller may see, scrubbed; the others are counted into ``hidden``."""
        kept = []
        for node in nodes:
            if self.hides(node):
                hidden[node.kind] += 1
            else:
                kept.append(self.scrub(node))
        return kept

    def scrub(self, node: Node) -> Node:
        """``node`` with every property that names a hidden node's uid redacted."""
        if not self.hidden:
            return node
        properties = {key: self._scrub_value(value) for key, value in node.properties.items()}
        return Node(id=node.id, labels=node.labels, properties=properties)

    def _scrub_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return HIDDEN if self.hides_uid(value) else value
        if isinstance(value, list):
            return [item for item in value if not (isinstance(item, str) and self.hides_uid(item))]
        return value

    def visible_uids(self, values: Iterable[str]) -> list[str]:
        return [uid for uid in values if not self.hides_uid(uid)]


EVERYTHING = Visibility()
