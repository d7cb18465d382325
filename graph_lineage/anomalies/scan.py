"""One anomaly scan: run the rules, store what they found, resolve what is gone, alert.

>>> report = scan(store, since=date(2026, 10, 20), rules=["version_skew"])
>>> [(s.finding.key, s.finding.count) for s in report.findings][:1]
[('context:84270557526f3dd2f6bf21ed51676c1e', 2)]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from graph_lineage.anomalies.alerts import (
    Alert,
    Delivery,
    Webhooks,
    alerts_for,
    log_findings,
    logger,
)
from graph_lineage.anomalies.finding import Finding, Window
from graph_lineage.anomalies.records import (
    Stored,
    mark_alerted,
    resolve_missing,
    store_findings,
)
from graph_lineage.anomalies.rules import RULES, Rule
from graph_lineage.errors import InvalidQuery
from graph_lineage.store.connection import Store


@dataclass
class ScanReport:
    scanned_at: datetime
    window: Window
    rules: list[str]
    findings: list[Stored] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)  # uids of anomalies no longer seen
    alerts: list[Alert] = field(default_factory=list)
    delivery: Delivery = field(default_factory=Delivery)
    seconds: dict[str, float] = field(default_factory=dict)  # per rule

    def by_rule(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {name: [] for name in self.rules}
        for stored in self.findings:
            grouped[stored.finding.rule].append(stored.finding)
        return grouped


def select_rules(names: Sequence[str] | None) -> list[Rule]:
    """The rules called ``names`` (all of them for None), in scan order."""
    if not names:
        return list(RULES.values())
    unknown = sorted(set(names) - set(RULES))
    if unknown:
        raise InvalidQuery(f"no anomaly rule {', '.join(unknown)}; the rules: {', '.join(RULES)}")
    return [rule for name, rule in RULES.items() if name in names]


def scan(
    store: Store,
    since: datetime | date | None = None,
    rules: Sequence[str] | None = None,
    webhooks: Webhooks | None = None,
) -> ScanReport:
    """Scan traffic served since the day of ``since`` (all of it for None) and alert.

    Only a scan of all traffic resolves anomalies it no longer sees: a narrower window
    cannot tell a problem that stopped from one that is merely older.
    """
    chosen = select_rules(rules)
    window = Window(since)
    report = ScanReport(datetime.now(UTC), window, [rule.name for rule in chosen])
    found: list[Finding] = []
    for rule in chosen:
        started = time.monotonic()
        found += rule.scan(store, window)
        report.seconds[rule.name] = time.monotonic() - started
    report.findings = store_findings(store, found, window, report.scanned_at)
    if since is None:
        seen = [finding.uid for finding in found]
        resolved = resolve_missing(store, report.rules, seen, report.scanned_at)
        report.resolved = [row["uid"] for row in resolved]
        for row in resolved:
            logger.info("anomaly resolved %s: %s", row["uid"], row["summary"])
    report.alerts = alerts_for(report.findings, report.scanned_at)
    log_findings(report.findings, report.alerts)
    report.delivery = (webhooks or Webhooks([])).deliver(report.alerts)
    mark_alerted(store, report.delivery.delivered, report.scanned_at)
    return report
