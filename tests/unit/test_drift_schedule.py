"""The API process's drift scans when Neo4j cannot be reached: reported fast, retried."""

from __future__ import annotations

import logging
import time

import pytest

from graph_lineage.drift.schedule import DriftSchedule
from graph_lineage.settings import Settings

from ..conftest import free_port

pytestmark = pytest.mark.unit


def test_a_failed_scan_is_logged_at_once_and_the_next_one_tries_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nobody = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(
        neo4j_uri=nobody, neo4j_password="unused", job_retry_seconds=0.2, drift_scan_interval=0.05
    )
    schedule = DriftSchedule(settings)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="graph_lineage.drift"):
        schedule.start()
        while schedule.failures < 2 and time.monotonic() - started < 20:
            time.sleep(0.05)
        schedule.stop()
    assert schedule.failures >= 2 and schedule.scans == 0
    assert time.monotonic() - started < 20
    assert "scheduled drift scan failed, retried in 0.05s" in caplog.text


def test_no_interval_no_thread() -> None:
    schedule = DriftSchedule(Settings(drift_scan_interval=0))
    schedule.start()
    assert not schedule.running
    schedule.stop()
