"""The supervisor `graph-lineage up` runs: restarts a dead Neo4j, a bounded number of times.

The server here is a stand-in for the process table only (exit status, start); the real
kill -9, reaping and restart are in tests/integration/test_outage.py.
"""

from __future__ import annotations

import threading
import time
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace

import pytest

from graph_lineage.errors import Neo4jStartFailed
from graph_lineage.neo4j_local import Supervisor
from graph_lineage.neo4j_local.supervisor import describe_exit


class _Server:
    def __init__(self, starts_fail: bool) -> None:
        self.starts_fail = starts_fail
        self.statuses = [-9]  # it dies once
        self.starts: list[float] = []
        self.layout = SimpleNamespace(logs=Path("/tmp/neo4j-logs"))

    def exit_status(self) -> int | None:
        return self.statuses.pop() if self.statuses else None

    def start(self) -> SimpleNamespace:
        self.starts.append(time.monotonic())
        if self.starts_fail:
            raise Neo4jStartFailed("Neo4j exited with code 1 while starting.")
        return SimpleNamespace(pid=4242)


def _supervise(server: _Server, seconds: float) -> tuple[Supervisor, list[str]]:
    given_up: list[str] = []
    done = threading.Event()

    def give_up(why: str) -> None:
        given_up.append(why)
        done.set()

    supervisor = Supervisor(
        server,  # type: ignore[arg-type]
        first_backoff=0.05,
        poll_seconds=0.01,
        on_give_up=give_up,
    )
    with supervisor:
        done.wait(seconds)
    return supervisor, given_up


def test_a_dead_server_is_restarted_once(caplog: pytest.LogCaptureFixture) -> None:
    server = _Server(starts_fail=False)
    supervisor, given_up = _supervise(server, 0.5)

    assert len(server.starts) == 1 and supervisor.restarts == 1
    assert given_up == [] and supervisor.failure is None
    assert "Neo4j was killed by SIGKILL; restarting it" in caplog.text


def test_it_gives_up_after_three_failed_restarts_with_growing_backoff() -> None:
    server = _Server(starts_fail=True)
    supervisor, given_up = _supervise(server, 5.0)

    assert len(server.starts) == 3 and supervisor.restarts == 3
    gaps = [later - earlier for earlier, later in pairwise(server.starts)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2  # 0.05 s, doubling
    assert given_up == [supervisor.failure]
    assert "3 restarts did not keep it running; gave up" in given_up[0]
    assert "/tmp/neo4j-logs" in given_up[0]


def test_exits_are_described_by_signal_or_status() -> None:
    assert describe_exit(-9) == "was killed by SIGKILL"
    assert describe_exit(1) == "exited with status 1"
