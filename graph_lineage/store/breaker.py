"""The circuit breaker of the API's store: after an outage, one call at a time tries Neo4j.

While Neo4j is down every call would spend its retry budget finding that out, and while it
starts again it accepts connections and can hold a call for 30 s before it answers. Once a
call has found Neo4j unavailable, the breaker is open: the next call goes through as the
probe, and every call that comes while the probe is out fails at once with
:class:`StoreUnavailable` (the API answers 503 with Retry-After) instead of waiting beside
it. The first call that reaches Neo4j, the probe or any other, closes the breaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from graph_lineage.errors import StoreUnavailable


class Breaker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open_since: float | None = None  # monotonic time of the outage's first failure
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._open_since is not None

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Around one store call: refuses it at once while another call probes an outage."""
        with self._lock:
            probe = self._open_since is not None
            if probe and self._probing:
                down = time.monotonic() - (self._open_since or 0.0)
                raise StoreUnavailable(
                    f"Neo4j has been unavailable for {down:.0f} s and is being tried again;"
                    " retry later. `graph-lineage neo4j status`"
                )
            self._probing = self._probing or probe
        try:
            yield
        except StoreUnavailable:
            self._settle(probe, reached=False)
            raise
        except BaseException:  # an error Neo4j answered: it is reachable
            self._settle(probe, reached=True)
            raise
        self._settle(probe, reached=True)

    def _settle(self, probe: bool, reached: bool) -> None:
        with self._lock:
            if probe:
                self._probing = False
            if reached:
                self._open_since = None
            elif self._open_since is None:
                self._open_since = time.monotonic()
