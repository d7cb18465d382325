"""A Neo4j outage under load: kill -9 the server while producers post events, restart it.

The API runs under uvicorn on 127.0.0.1 with its own local Neo4j (killing the session's
server would break every other test). While Neo4j is down every answer must be a prompt
``503`` with ``Retry-After`` (never a ``500``, never a minute's hang); producers retry
their 503s as an at-least-once producer does, and once Neo4j is back every event sent is
stored exactly once: one ``Recommendation``, one ``HAS_CONTEXT`` edge and one count in
``ContextUsage`` per request id.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api import create_app
from graph_lineage.demo import DemoPipeline
from graph_lineage.neo4j_local import LocalNeo4j, Supervisor
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

from ..conftest import (
    TEST_ENCRYPTION_KEYS,
    TEST_JWT_SECRET,
    TEST_PSEUDONYMIZATION_KEY,
    bearer,
    free_port,
    local_settings,
)

PRODUCERS = 3
PROMPT = 5.0  # seconds; the defaults answer within about 3 s (request_retry_seconds)
DOWN_SECONDS = 8.0  # Neo4j stays down this long before the supervisor starts it again


@dataclass
class Answer:
    started: float  # time.monotonic()
    status: int
    seconds: float
    retry_after: str | None


@dataclass
class Producer:
    """Posts one recommendation.served event at a time, each with a new request id, and
    posts it again after a 503 until it is stored."""

    name: str
    client: httpx.Client
    template: dict[str, Any]
    stop: threading.Event
    stored: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._produce()
        except BaseException as error:  # the test reports it
            self.failure = error

    def _produce(self) -> None:
        number = 0
        while not self.stop.is_set():
            number += 1
            request_id = f"outage-{self.name}-{number:05d}"
            event = {**self.template, "request_id": request_id, "event_id": f"ev-{request_id}"}
            self._deliver(event)
            self.stored.append(request_id)

    def _deliver(self, event: dict[str, Any]) -> None:
        deadline = time.monotonic() + 120  # the test fails on its own before this
        while time.monotonic() < deadline:
            started = time.monotonic()
            reply = self.client.post("/v1/events", json=[event])
            seconds = time.monotonic() - started
            retry_after = reply.headers.get("retry-after")
            self.answers.append(Answer(started, reply.status_code, seconds, retry_after))
            if reply.status_code == 200:
                return
            if reply.status_code != 503:
                raise AssertionError(f"{reply.status_code} {reply.text}")
            time.sleep(0.2)  # Retry-After says 5 s; the test keeps its outage short
        raise AssertionError(f"{event['request_id']} was never stored")


@pytest.fixture
def neo4j_server(tmp_path: Path) -> Iterator[LocalNeo4j]:
    settings = local_settings(
        tmp_path / "outage",
        neo4j_uri=None,
        pseudonymization_key=TEST_PSEUDONYMIZATION_KEY,
        encryption_keys=TEST_ENCRYPTION_KEYS,
        auth_jwt_secret=TEST_JWT_SECRET,
    )
    server = LocalNeo4j(settings)
    server.start()
    yield server
    server.stop(timeout=20)


@pytest.fixture
def api(neo4j_server: LocalNeo4j) -> Iterator[str]:
    settings = neo4j_server.settings
    with Store.connect(settings) as store:
        migrate(store, settings.migrations_dir)
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def _client(api: str, settings: Settings, role: str) -> httpx.Client:
    return httpx.Client(base_url=api, headers=bearer(settings, role), timeout=30)


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def _wait_until(
    condition: Any, seconds: float, what: str, producers: list[Producer] | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        failures = [p.failure for p in producers or [] if p.failure is not None]
        if failures:
            raise AssertionError(f"a producer failed: {failures[0]!r}") from failures[0]
        if time.monotonic() > deadline:
            tails = {p.name: p.answers[-3:] for p in producers or []}
            raise AssertionError(f"timed out waiting for {what}; last answers: {tails}")
        time.sleep(0.1)


def test_an_outage_answers_503_at_once_and_loses_or_doubles_no_event(
    neo4j_server: LocalNeo4j, api: str
) -> None:
    settings = neo4j_server.settings
    events = DemoPipeline(1, seed=7).events()
    served = next(e for e in events if e["type"] == "recommendation.served")
    stop = threading.Event()
    producers = [
        Producer(str(n), _client(api, settings, "producer"), served, stop) for n in range(PRODUCERS)
    ]
    threads = [threading.Thread(target=p.run, daemon=True) for p in producers]
    viewer = _client(api, settings, "viewer")
    # `graph-lineage up` keeps its Neo4j running with this supervisor; here it restarts it,
    # after a backoff long enough to see how the API answers while Neo4j is down.
    with Supervisor(neo4j_server, first_backoff=DOWN_SECONDS) as supervisor:
        for thread in threads:
            thread.start()
        try:
            _wait_until(lambda: all(len(p.stored) >= 3 for p in producers), 60, "load", producers)
            killed = neo4j_server.status().pid or 0
            os.kill(killed, signal.SIGKILL)
            killed_at = time.monotonic()
            _wait_until(
                lambda: all(any(a.status == 503 for a in p.answers) for p in producers),
                30,
                "every producer to get a 503",
                producers,
            )
            probe, probe_seconds = _timed(lambda: viewer.get("/readyz"))
            query = {"query": "{ about { neo4jVersion } }"}
            graphql, graphql_seconds = _timed(lambda: viewer.post("/graphql", json=query))

            _wait_until(lambda: supervisor.restarts == 1, 30, "the supervisor to restart Neo4j")
            reaped = not Path(f"/proc/{killed}").exists()  # a zombie keeps its /proc entry
            _wait_until(lambda: viewer.get("/readyz").status_code == 200, 120, "/readyz 200")
            counts = [len(p.stored) for p in producers]
            _wait_until(
                lambda: all(len(p.stored) >= c + 3 for p, c in zip(producers, counts, strict=True)),
                60,
                "producers to store events again",
                producers,
            )
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            for producer in producers:
                producer.client.close()
            viewer.close()

    refused = [a for p in producers for a in p.answers if a.status != 200]
    # While Neo4j is down every answer is prompt. Once it is starting again, a request can
    # wait for it (Bolt answers before the database does): those are only counted.
    down = [a for a in refused if killed_at <= a.started <= killed_at + DOWN_SECONDS]
    print(
        f"{len(refused)} 503s: {len(down)} while Neo4j was down, the slowest in"
        f" {max(a.seconds for a in down):.2f} s; the slowest while it restarted:"
        f" {max(a.seconds for a in refused):.2f} s; /readyz in {probe_seconds:.2f} s;"
        f" GraphQL in {graphql_seconds:.2f} s"
    )
    assert [p.failure for p in producers] == [None] * PRODUCERS
    assert all(not t.is_alive() for t in threads), "a producer is still posting"
    assert {a.status for a in refused} == {503}  # never a 500
    assert {a.retry_after for a in refused} == {"5"}
    assert len(down) >= PRODUCERS
    assert [a for a in down if a.seconds >= PROMPT] == []
    assert probe.status_code == 503 and probe.headers["retry-after"] == "5"
    assert probe_seconds < PROMPT
    assert graphql.status_code == 503, graphql.text
    assert graphql.headers["retry-after"] == "5"
    assert graphql_seconds < PROMPT
    assert {e["extensions"]["code"] for e in graphql.json()["errors"]} == {"STORE_UNAVAILABLE"}
    assert graphql.json().get("data") is None
    assert reaped, f"the killed Neo4j (pid {killed}) was left a zombie"
    assert supervisor.failure is None and supervisor.restarts == 1
    assert neo4j_server.status().running
    _assert_stored_exactly_once(settings, producers)


def _assert_stored_exactly_once(settings: Settings, producers: list[Producer]) -> None:
    sent = sorted(request for p in producers for request in p.stored)
    with Store.connect(settings) as store:
        rows = store.read(
            "MATCH (r:Recommendation) WHERE r.request_id STARTS WITH 'outage-'"
            " RETURN r.request_id AS request, COUNT { (r)-[:HAS_CONTEXT]->() } AS edges"
        )
        used = store.read("MATCH (u:ContextUsage) RETURN sum(u.count) AS n")[0]["n"]
    assert sorted(row["request"] for row in rows) == sent  # one node per request id
    assert {row["edges"] for row in rows} == {1}
    assert used == len(sent)
    assert len(sent) >= 6 * PRODUCERS
