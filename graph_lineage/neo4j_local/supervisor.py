"""Keep the local Neo4j that ``graph-lineage up`` started running: reap it, restart it."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from graph_lineage.errors import LineageError
from graph_lineage.neo4j_local.server import LocalNeo4j

logger = logging.getLogger("graph_lineage.neo4j_local")


class Supervisor:
    """Watches the server a :class:`LocalNeo4j` started, from a background thread.

    When the server exits, the supervisor reaps it (no zombie is left), logs how it ended
    and starts it again after a backoff (``first_backoff``, doubling), at most
    ``max_restarts`` times in all. Then it gives up: :attr:`failure` says why and
    ``on_give_up`` is called with that message, so the API can stop and exit non-zero.

    >>> with Supervisor(server, on_give_up=lambda why: api.stop()):
    ...     api.run()
    """

    def __init__(
        self,
        server: LocalNeo4j,
        *,
        max_restarts: int = 3,
        first_backoff: float = 1.0,
        poll_seconds: float = 0.5,
        on_give_up: Callable[[str], None] | None = None,
    ) -> None:
        self.server = server
        self.max_restarts = max_restarts
        self.first_backoff = first_backoff
        self.poll_seconds = poll_seconds
        self.on_give_up = on_give_up
        self.restarts = 0
        self.failure: str | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="neo4j-supervisor", daemon=True)

    def __enter__(self) -> Supervisor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stopping.wait(self.poll_seconds):
            status = self.server.exit_status()
            if status is not None:
                logger.warning("Neo4j %s; restarting it", describe_exit(status))
                if not self._restart():
                    return

    def _restart(self) -> bool:
        while self.restarts < self.max_restarts:
            backoff = self.first_backoff * 2**self.restarts
            self.restarts += 1
            if self._stopping.wait(backoff):
                return False
            try:
                status = self.server.start()
            except LineageError as error:
                logger.error(
                    "restarting Neo4j failed (%d of %d): %s",
                    self.restarts,
                    self.max_restarts,
                    error,
                )
                continue
            logger.warning(
                "Neo4j restarted (pid %s; restart %d of %d)",
                status.pid,
                self.restarts,
                self.max_restarts,
            )
            return True
        self.failure = (
            f"Neo4j stopped and {self.max_restarts} restarts did not keep it running; gave up."
            f" Its logs are in {self.server.layout.logs}; fix the cause, then run"
            " `graph-lineage up` again."
        )
        logger.error(self.failure)
        if self.on_give_up is not None:
            self.on_give_up(self.failure)
        return False


def describe_exit(status: int) -> str:
    """``-9`` -> ``was killed by SIGKILL``; ``1`` -> ``exited with status 1``."""
    if status < 0:
        return f"was killed by {signal.Signals(-status).name}"
    return f"exited with status {status}"
