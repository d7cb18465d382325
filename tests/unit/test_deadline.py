"""A request's store call gives up at its deadline with StoreUnavailable (a 503)."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from api.deadline import store_call
from graph_lineage.errors import StoreUnavailable

pytestmark = pytest.mark.unit


def test_a_call_that_answers_in_time_returns_its_value() -> None:
    assert anyio.run(store_call, 5.0, lambda a, b: a + b, 2, 3) == 5


def test_a_call_past_its_deadline_is_store_unavailable_and_its_thread_finishes() -> None:
    release, finished = threading.Event(), threading.Event()

    def held_by_a_starting_neo4j() -> str:
        release.wait(10)
        finished.set()
        return "late"

    began = time.monotonic()
    with pytest.raises(StoreUnavailable, match=r"did not answer within 0\.2 s") as raised:
        anyio.run(store_call, 0.2, held_by_a_starting_neo4j)
    waited = time.monotonic() - began
    release.set()

    assert raised.value.retryable
    assert waited < 5  # the caller is answered, not held until the work ends (10 s)
    assert finished.wait(5)  # the abandoned call still completes in its worker thread


def test_errors_of_the_call_pass_through() -> None:
    def fails() -> None:
        raise StoreUnavailable("down")

    with pytest.raises(StoreUnavailable, match="down"):
        anyio.run(store_call, 5.0, fails)
