"""Alerts on anomalies: to the log, and as JSON POSTs to webhooks, one per distinct problem.

Deduplication is by the anomaly's key (its uid): a scan sends at most one alert per
problem, carrying its count. A problem is alerted when it is first found, when it comes
back after being resolved, when its count has at least doubled since the last alert
(``escalated``), or when its last alert was never delivered (``undelivered``). An ongoing
problem whose count grew less than that is logged at INFO and not sent again.

The POSTs of one delivery share one ``httpx`` client (kept-alive connections, a timeout
for connecting, reading and writing each). Each POST is retried with exponential backoff
on connection errors, timeouts, 408, 425, 429 and 5xx; other answers (redirects too) fail
at once. An alert counts as delivered when every webhook
took it; one that is not stays due and is sent again by the next scan (so a webhook that
did take it may see it twice), and the scan reports it: nothing is dropped silently.

Alert channels are not authorized per role, so alerts carry what a ``viewer`` may see:
uids of recommendations and outcomes are withheld and counted.

>>> webhooks = Webhooks(["https://hooks.example/lineage"], retries=3, backoff=1.0)
>>> delivery = webhooks.deliver(alerts)
>>> delivery.failures
[]
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from graph_lineage import __version__
from graph_lineage.anomalies.records import RESOLVED, Stored
from graph_lineage.errors import ConfigurationError
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.settings import Settings

logger = logging.getLogger("graph_lineage.anomalies")

REALERT_GROWTH = 2.0  # an ongoing problem is alerted again once its count has doubled
RETRYABLE_STATUS = frozenset({408, 425, 429})
WITHHELD = Visibility(hidden=frozenset({"Recommendation", "Outcome"}))


@dataclass(frozen=True)
class Alert:
    anomaly: str
    rule: str
    severity: str
    reason: str  # new, reopened, escalated or undelivered
    summary: str
    count: int
    previous_count: int | None  # what the last delivered alert said
    first_seen: datetime
    last_seen: datetime
    evidence: list[str]
    withheld_evidence: dict[str, int]
    kind: str = "anomaly"  # or drift: the body names the alert's uid under this key

    def body(self) -> dict[str, Any]:
        return {
            "source": "graph-lineage",
            "kind": self.kind,
            self.kind: self.anomaly,
            "rule": self.rule,
            "severity": self.severity,
            "reason": self.reason,
            "summary": self.summary,
            "count": self.count,
            "previous_count": self.previous_count,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "evidence": self.evidence,
            "withheld_evidence": self.withheld_evidence,
        }


def alert_reason(stored: Stored) -> str | None:
    """Why this finding is alerted in this scan, or None when it was already told."""
    return due(stored.previous_status, stored.alerted_count, stored.finding.count)


def due(previous_status: str | None, alerted_count: int | None, count: int) -> str | None:
    """Why a problem with ``count`` is alerted now, given what its node held before this
    scan (``previous_status`` None: first seen now) and its last delivered alert."""
    if previous_status is None:
        return "new"
    if previous_status == RESOLVED:
        return "reopened"
    if alerted_count is None:
        return "undelivered"
    if count >= REALERT_GROWTH * max(alerted_count, 0.5):
        return "escalated"
    return None


def alerts_for(findings: Iterable[Stored], now: datetime) -> list[Alert]:
    """One alert per finding that is due one, in the order given."""
    alerts = []
    for stored in findings:
        reason = alert_reason(stored)
        if reason is None:
            continue
        finding = stored.finding
        hidden = {
            kind: count
            for kind, count in finding.evidence_counts.items()
            if kind in WITHHELD.hidden
        }
        alerts.append(
            Alert(
                anomaly=finding.uid,
                rule=finding.rule,
                severity=finding.severity,
                reason=reason,
                summary=finding.summary,
                count=finding.count,
                previous_count=stored.alerted_count,
                first_seen=stored.first_seen,
                last_seen=now,
                evidence=WITHHELD.visible_uids(finding.evidence),
                withheld_evidence=hidden,
            )
        )
    return alerts


def log_findings(findings: Sequence[Stored], alerts: Sequence[Alert]) -> None:
    """Every finding of a scan goes to the log: WARNING when alerted, INFO when ongoing."""
    alerted = {alert.anomaly: alert.reason for alert in alerts}
    for stored in findings:
        finding = stored.finding
        reason = alerted.get(finding.uid)
        level = logging.WARNING if reason else logging.INFO
        logger.log(
            level,
            "anomaly %s %s (%s, count %d): %s",
            reason or "ongoing",
            finding.uid,
            finding.severity,
            finding.count,
            finding.summary,
        )


@dataclass(frozen=True)
class Failure:
    url: str
    anomaly: str
    error: str


@dataclass
class Delivery:
    delivered: dict[str, int] = field(default_factory=dict)  # anomaly uid -> count sent
    failures: list[Failure] = field(default_factory=list)

    @property
    def undelivered(self) -> int:
        return len({failure.anomaly for failure in self.failures})


class Webhooks:
    """POSTs alerts as JSON to each URL, retrying with exponential backoff."""

    def __init__(
        self,
        urls: Sequence[str],
        retries: int = 3,
        backoff: float = 1.0,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigurationError(
                    f"alert webhook {url!r} is not an http(s) URL;"
                    " fix GRAPH_LINEAGE_ALERT_WEBHOOKS (comma-separated URLs)"
                )
        self.urls = list(urls)
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep

    @classmethod
    def from_settings(cls, settings: Settings) -> Webhooks:
        return cls(
            settings.alert_webhook_urls,
            retries=settings.alert_retries,
            backoff=settings.alert_backoff,
            timeout=settings.alert_timeout,
        )

    def deliver(self, alerts: Sequence[Alert]) -> Delivery:
        """Send every alert to every URL; with no URL the log was the channel."""
        delivery = Delivery()
        if not self.urls:  # delivered to the log
            delivery.delivered = {alert.anomaly: alert.count for alert in alerts}
            return delivery
        headers = {"Content-Type": "application/json", "User-Agent": f"graph-lineage/{__version__}"}
        with httpx.Client(headers=headers, timeout=self.timeout) as client:
            for alert in alerts:
                body = json.dumps(alert.body(), sort_keys=True).encode("utf-8")
                errors = [(url, self._post(client, url, body)) for url in self.urls]
                failed = [Failure(url, alert.anomaly, error) for url, error in errors if error]
                delivery.failures += failed
                if not failed:
                    delivery.delivered[alert.anomaly] = alert.count
        if delivery.failures:
            logger.error(
                "%d of %d anomaly alerts were not delivered; the next scan sends them again: %s",
                delivery.undelivered,
                len(alerts),
                "; ".join(f"{f.url}: {f.error}" for f in delivery.failures[:5]),
            )
        return delivery

    def _post(self, client: httpx.Client, url: str, body: bytes) -> str | None:
        """None when the webhook took it, else the last error."""
        error = ""
        for attempt in range(1 + self.retries):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            retryable, error = _attempt(client, url, body)
            if not error or not retryable:
                break
        return error or None


def _attempt(client: httpx.Client, url: str, body: bytes) -> tuple[bool, str]:
    """(retryable, error): error is empty when the webhook took the alert."""
    try:
        reply = client.post(url, content=body)
    except httpx.TransportError as failure:  # refused, unreachable, timed out
        return True, f"{type(failure).__name__}: {failure}"
    if reply.is_success:
        return False, ""
    status = reply.status_code
    return status >= 500 or status in RETRYABLE_STATUS, f"HTTP {status}"
