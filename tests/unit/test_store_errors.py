"""Every outage the driver reports becomes StoreUnavailable (a 503), never a StoreError 500."""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from typing import Any

import pytest
from neo4j.exceptions import ResultConsumedError, SessionExpired, TransientError

from api.store_errors import store_failure_response
from graph_lineage.errors import StoreError, StoreUnavailable
from graph_lineage.store import Store


class _FailingDriver:
    """Not a Neo4j stand-in: only the error a session raises, to test its translation."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.configs: list[dict[str, Any]] = []

    def session(self, **config: Any) -> AbstractContextManager[Any]:
        self.configs.append(config)
        raise self.error


def _store(error: Exception, retry_seconds: float | None = 3.0) -> tuple[Store, _FailingDriver]:
    driver = _FailingDriver(error)
    return Store(driver, "neo4j", 30.0, retry_seconds), driver  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "error",
    [
        SessionExpired("connection lost"),
        TransientError("Neo.TransientError.General.DatabaseUnavailable"),
    ],
)
def test_retryable_driver_errors_are_unavailable(error: Exception) -> None:
    store, _ = _store(error)
    with pytest.raises(StoreUnavailable):
        store.read("RETURN 1")


def test_a_client_error_stays_a_store_error() -> None:
    store, _ = _store(ResultConsumedError(None, "the result was consumed"))
    with pytest.raises(StoreError) as raised:
        store.write("RETURN 1")
    assert not isinstance(raised.value, StoreUnavailable)


def test_retries_end_at_the_budget_and_a_probe_tries_once() -> None:
    store, driver = _store(SessionExpired("x"), retry_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.read("RETURN 1")
    elapsed = time.monotonic() - started
    retried = len(driver.configs)
    with pytest.raises(StoreUnavailable):
        store.without_retries().read("RETURN 1")

    # The driver's own retries overshot a 3 s budget to 8 s; ours stop at the budget.
    assert 0.9 <= elapsed < 1.3
    assert retried >= 3
    assert len(driver.configs) == retried + 1
    assert {c["max_transaction_retry_time"] for c in driver.configs} == {0.0}


def test_a_500_logs_its_cause_and_an_outage_is_a_503(caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise StoreError("write failed: boom")
    except StoreError as error:
        with caplog.at_level(logging.ERROR, logger="graph_lineage.api"):
            reply = store_failure_response(error)
    assert reply.status_code == 500
    assert "boom" in caplog.text
    assert caplog.records[0].exc_info is not None

    outage = store_failure_response(StoreUnavailable("down"))
    assert outage.status_code == 503
    assert outage.headers["retry-after"] == "5"
