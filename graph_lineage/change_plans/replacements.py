"""What takes over from each version a plan affects.

A replacement is the newest version of the same feature or model that the whole plan
leaves standing (not changed, not below any change, not a stub); for a ``replace``, it
must also be built on the new version (derived from it, or trained on what is).
"""

from __future__ import annotations

from graph_lineage.change_plans.plan import Change
from graph_lineage.lineage.impact import Dependents
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.traversal import versions_of
from graph_lineage.store.connection import Store
from graph_lineage.store.labels import Label

_VERSIONED = (Label.FEATURE_VERSION, Label.MODEL_VERSION)


class Replacements:
    """Replacements for the versions below every change of one plan."""

    def __init__(self, store: Store, found: list[Dependents], gone: set[str]) -> None:
        affected = {n.uid for d in found for n in (*d.feature_versions, *d.model_versions)}
        affected |= {d.root.uid for d in found if d.root.kind in _VERSIONED}
        self.versions = versions_of(store, sorted(affected))
        self.gone = gone

    def for_change(
        self, change: Change, below: Dependents, after: Dependents | None, new: Node | None
    ) -> dict[str, Node | None]:
        """Each version ``change`` takes away, by uid: what takes over, or None."""
        built_on_new = None
        if after is not None and new is not None:
            built_on_new = {n.id for n in (new, *after.feature_versions, *after.model_versions)}
        result: dict[str, Node | None] = {}
        if change.action == "replace":
            result[below.root.uid] = new
        elif change.action == "deprecate":
            result[below.root.uid] = self._newest(below.root.uid, built_on_new)
        for node in (*below.feature_versions, *below.model_versions):
            result[node.uid] = self._newest(node.uid, built_on_new)
        return result

    def _newest(self, uid: str, allowed: set[str] | None) -> Node | None:
        kept = [
            v
            for v in self.versions.get(uid, [])
            if v.id not in self.gone and not v.stub and (allowed is None or v.id in allowed)
        ]
        return kept[-1] if kept else None  # versions come oldest first
