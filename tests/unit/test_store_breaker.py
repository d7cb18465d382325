"""The request store's circuit breaker: after an outage one call probes, the rest answer at once."""

from __future__ import annotations

import socket
import threading

import pytest

from graph_lineage.errors import StoreError, StoreUnavailable
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.breaker import Breaker
from graph_lineage.store.connection import open_driver

pytestmark = pytest.mark.unit


def _fails(breaker: Breaker, error: Exception) -> None:
    with pytest.raises(type(error)), breaker.guard():
        raise error


def test_a_closed_breaker_lets_every_call_through() -> None:
    breaker = Breaker()
    with breaker.guard(), breaker.guard():  # two calls at once, both through
        pass
    assert not breaker.is_open


def test_an_outage_opens_it_and_one_probe_at_a_time_goes_through() -> None:
    breaker = Breaker()
    _fails(breaker, StoreUnavailable("down"))
    assert breaker.is_open

    with breaker.guard():  # the probe
        with pytest.raises(StoreUnavailable, match="being tried again"), breaker.guard():
            pass  # refused at once while the probe is out
        assert breaker.is_open
    assert not breaker.is_open  # the probe reached Neo4j: closed
    with breaker.guard():
        pass


def test_a_failed_probe_leaves_it_open_for_the_next_probe() -> None:
    breaker = Breaker()
    _fails(breaker, StoreUnavailable("down"))
    _fails(breaker, StoreUnavailable("still down"))  # the probe fails
    assert breaker.is_open
    with breaker.guard():  # the next call is the next probe, not refused
        pass
    assert not breaker.is_open


def test_an_error_neo4j_answered_means_it_is_reachable() -> None:
    breaker = Breaker()
    _fails(breaker, StoreUnavailable("down"))
    _fails(breaker, StoreError("syntax error"))  # Neo4j answered that
    assert not breaker.is_open


def test_while_a_call_waits_on_a_silent_neo4j_the_others_answer_at_once() -> None:
    # A port that accepts connections and never answers, as a starting Neo4j may: the
    # driver waits on it far longer than its connection timeout.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    settings = Settings(neo4j_uri=f"bolt://127.0.0.1:{port}", neo4j_password="unused")
    breaker = Breaker()
    store = Store(open_driver(settings, connection_timeout=1.0), "neo4j", 5.0, 0.0, breaker)
    _fails(breaker, StoreUnavailable("an earlier call found Neo4j down"))
    outcome: list[BaseException] = []

    def probe() -> None:
        try:
            store.read("RETURN 1")
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=probe)
    try:
        thread.start()
        for _ in range(500):  # until the probe holds the breaker
            if breaker._probing:
                break
            threading.Event().wait(0.01)
        assert thread.is_alive() and breaker._probing

        with pytest.raises(StoreUnavailable, match="being tried again"):
            store.read("RETURN 1")  # answered at once, not held beside the probe
    finally:
        listener.close()  # the waiting connection is reset: the probe fails now
        thread.join(30)
        store.close()
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], StoreUnavailable)
    assert breaker.is_open
