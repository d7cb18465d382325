"""Per-request DataLoaders: nested fields load in one query per field, not one per parent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from graph_lineage.lineage.model import Node
from graph_lineage.lineage.recommendations import outcomes_of
from graph_lineage.lineage.traversal import versions_of
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.store import Store


@dataclass
class Loaders:
    versions: DataLoader[str, list[Node]]
    outcomes: DataLoader[str, list[Node]]


def make_loaders(store: Store, visibility: Visibility) -> Loaders:
    """Loaders of one request, answering what its caller may see (redacted like any answer)."""

    async def load_versions(uids: Sequence[str]) -> list[list[Node]]:
        found = await run_in_threadpool(versions_of, store, list(uids), visibility)
        return [found[uid] for uid in uids]

    async def load_outcomes(uids: Sequence[str]) -> list[list[Node]]:
        found = await run_in_threadpool(outcomes_of, store, list(uids), visibility)
        return [found[uid] for uid in uids]

    return Loaders(
        versions=DataLoader(load_fn=load_versions), outcomes=DataLoader(load_fn=load_outcomes)
    )
