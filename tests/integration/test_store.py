"""The store's own promises: errors translated, a graceful close."""

from __future__ import annotations

import threading
import time

import pytest

from graph_lineage.errors import StoreError, StoreUnavailable
from graph_lineage.settings import Settings
from graph_lineage.store import Store

SLOW = "UNWIND range(1, 4000000) AS x RETURN sum(x) AS total"


def test_close_waits_for_a_query_running_in_another_thread(settings: Settings) -> None:
    store = Store.connect(settings)
    results: list[object] = []
    worker = threading.Thread(target=lambda: results.append(store.read(SLOW)))
    worker.start()
    while store._active == 0 and worker.is_alive():
        time.sleep(0.001)

    store.close()
    worker.join()

    assert results == [[{"total": 4000000 * 4000001 // 2}]]
    with pytest.raises(StoreUnavailable, match="the store is closed"):
        store.read("RETURN 1 AS one")


def test_a_bad_query_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="query failed"):
        store.read("RETURN nonsense(")
