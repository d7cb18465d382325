"""Events into a test database through the writer, as ingestion does: one home for it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from graph_lineage.events import parse_event
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate
from graph_lineage.store.admin import wipe_database
from graph_lineage.store.writer import LineageWriter

BATCH = 5000


def load_events(
    store: Store, settings: Settings, events: Iterable[dict[str, Any]], wipe: bool = False
) -> float:
    """Migrate (after wiping the database when ``wipe``), write ``events`` in batches of
    :data:`BATCH`; the seconds it took."""
    started = time.monotonic()
    if wipe:
        wipe_database(store)
    migrate(store, settings.migrations_dir)
    writer = LineageWriter(
        store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    )
    batch: list[Any] = []
    for raw in events:
        batch.append(parse_event(raw))
        if len(batch) == BATCH:
            writer.write(batch)
            batch = []
    writer.write(batch)
    return time.monotonic() - started
