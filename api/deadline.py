"""The time limit on a request's store calls.

The driver bounds connecting (``request_connect_timeout``) and retrying
(``request_retry_seconds``), but not every wait: a Neo4j that is starting accepts Bolt
connections and can then hold a request for 30 s before it answers. ``store_call`` gives up
after ``request_deadline_seconds`` and raises :class:`StoreUnavailable`, which the request
answers as ``503`` with ``Retry-After``. The abandoned call finishes in its worker thread;
writes are idempotent, so the producer's retry stores each event once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread

from graph_lineage.errors import StoreUnavailable

T = TypeVar("T")
Args = TypeVarTuple("Args")


async def store_call(seconds: float, work: Callable[[*Args], T], *args: *Args) -> T:
    """``work(*args)`` in a worker thread, or StoreUnavailable once ``seconds`` have passed."""
    with anyio.move_on_after(seconds) as scope:
        return await anyio.to_thread.run_sync(work, *args, abandon_on_cancel=True)
    assert scope.cancelled_caught
    raise StoreUnavailable(f"Neo4j did not answer within {seconds:g} s")
