"""A time limit on a store call made for a request.

The driver bounds connecting (``request_connect_timeout``) and retrying
(``request_retry_seconds``), but not every wait: a Neo4j that is starting accepts Bolt
connections and can then hold a call for up to 30 s before it answers. ``store_call`` gives
up after its deadline and raises :class:`StoreUnavailable`. The readiness probe uses it, so
a probe answers within its connection timeout plus a second whatever Neo4j is doing. The
abandoned call finishes in its worker thread.

Ingest does not: a large batch on a busy server may rightly take longer than a probe's
deadline, and cutting it would answer 503 for a write that then lands (harmless, as writes
are idempotent, but misleading).
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
