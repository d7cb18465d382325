"""Drift scans the API process runs itself, every ``GRAPH_LINEAGE_DRIFT_SCAN_INTERVAL`` seconds.

One background thread: a scan at start, then one per interval, each with its own Neo4j
driver and the jobs' retry budget, never the request paths'. A scan that fails (Neo4j away,
a webhook down) is logged at ERROR with its reason and the next one tries again: scans are
incremental, so nothing is lost by a missed one. Stopping waits for a running scan.

>>> schedule = DriftSchedule(settings)
>>> schedule.start(); ...; schedule.stop()
"""

from __future__ import annotations

import logging
import threading

from graph_lineage.anomalies.alerts import Webhooks
from graph_lineage.drift.baselines import Monitor
from graph_lineage.drift.scan import DriftReport, scan
from graph_lineage.errors import LineageError
from graph_lineage.settings import Settings
from graph_lineage.store.connection import Store

logger = logging.getLogger("graph_lineage.drift")


class DriftSchedule:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.interval = settings.drift_scan_interval
        self.monitor = Monitor.from_settings(settings)  # bad drift settings: refuse to start
        self.webhooks = Webhooks.from_settings(settings)
        self.scans = 0  # scans that ran to the end
        self.failures = 0
        self.last: DriftReport | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="drift-scans", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)

    def run_once(self) -> DriftReport | None:
        """One scan; its report, or None when it failed (logged)."""
        try:
            with Store.connect(self.settings) as store:
                report = scan(store, self.monitor, webhooks=self.webhooks)
        except LineageError as failure:
            self.failures += 1
            logger.error("scheduled drift scan failed, retried in %gs: %s", self.interval, failure)
            return None
        except Exception:  # a defect: logged with its trace, and the schedule goes on
            self.failures += 1
            logger.exception("scheduled drift scan failed, retried in %gs", self.interval)
            return None
        self.scans += 1
        self.last = report
        logger.info(
            "scheduled drift scan: %d new windows, %d open drifts, %d alerts in %.1fs",
            report.windows,
            len(report.open_drifts),
            len(report.alerts),
            report.seconds,
        )
        return report
