"""``graph-lineage drift scan``: judge the windows not judged yet, update drift alerts, alert.

Incremental: a scan reads only what arrived since the last one (``--since`` judges every
window from that time again; the same data gives the same verdicts and sends nothing new).
Exit status: 0 when the scan ran; 3 with ``--fail-on-findings`` when a drift is open; 4 when
an alert could not be delivered to a webhook (the next scan sends it again); 1 on an error.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from graph_lineage.anomalies import Webhooks
from graph_lineage.anomalies.rules.base import plural
from graph_lineage.cli.output import FINDINGS_OPEN, scan_exit, utc_time
from graph_lineage.drift import KINDS, DriftReport, Monitor, scan
from graph_lineage.drift.records import StoredAlert
from graph_lineage.settings import Settings
from graph_lineage.store import Store

SHOWN_CAUSES = 3


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    drift = commands.add_parser(
        "drift",
        help="drift detection: scan the new windows, store alerts with their causes, alert",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = drift.add_subparsers(title="actions", required=True)
    run = actions.add_parser("scan", help="judge what is new; alerts go to the log and webhooks")
    run.add_argument(
        "--since",
        type=utc_time,
        metavar="ISO-TIME",
        help="judge every window from this time again (UTC unless it says); default: only"
        " what no scan has judged",
    )
    run.add_argument(
        "--signal",
        dest="signals",
        action="append",
        choices=list(KINDS),
        metavar="KIND",
        help=f"only this kind of signal (repeatable): {', '.join(KINDS)}",
    )
    run.add_argument("--json", action="store_true", help="machine-readable")
    run.add_argument(
        "--fail-on-findings", action="store_true", help=f"exit {FINDINGS_OPEN} when a drift is open"
    )
    run.set_defaults(handler=scan_command)


def scan_command(settings: Settings, arguments: argparse.Namespace) -> int:
    webhooks = Webhooks.from_settings(settings)
    monitor = Monitor.from_settings(settings)
    with Store.connect(settings) as store:
        report = scan(store, monitor, arguments.since, arguments.signals, webhooks)
    print(json.dumps(report_json(report), indent=2) if arguments.json else report_text(report))
    return scan_exit(
        report.delivery.undelivered, arguments.fail_on_findings and report.open_in_store > 0
    )


def report_json(report: DriftReport) -> dict[str, Any]:
    reasons = {alert.anomaly: alert.reason for alert in report.alerts}
    return {
        "scanned_at": report.scanned_at.isoformat(),
        "signals": report.kinds,
        "windows": report.windows,
        "verdicts": report.judged,
        "problems": [
            _problem_json(stored, reasons.get(stored.problem.uid)) for stored in report.problems
        ],
        "open_drifts": report.open_in_store,
        "resolved": report.resolved,
        "alerts": len(report.alerts),
        "undelivered": report.delivery.undelivered,
        "seconds": round(report.seconds, 3),
    }


def _problem_json(stored: StoredAlert, alert: str | None) -> dict[str, Any]:
    problem = stored.problem
    return {
        "uid": problem.uid,
        "signal": problem.signal,
        "subject": problem.subject,
        "verdict": problem.verdict,
        "status": "open" if problem.open else "resolved",
        "severity": problem.severity,
        "onset": problem.onset.isoformat(),
        "windows": problem.windows,
        "statistic": problem.statistic,
        "value": problem.value,
        "threshold": problem.threshold,
        "summary": problem.summary,
        "alert": alert,
        "first_seen": stored.first_seen.isoformat(),
        "scans": stored.scans,
        "causes": [cause.__dict__ for cause in problem.causes],
        "blast_radius": {
            "model_versions": list(problem.blast.model_versions),
            "deployments": list(problem.blast.deployments),
            "variants": list(problem.blast.variants),
            "experiments": list(problem.blast.experiments),
            "recommendations": problem.blast.recommendations,
        },
    }


def report_text(report: DriftReport) -> str:
    verdicts = ", ".join(f"{count:,} {verdict}" for verdict, count in sorted(report.judged.items()))
    lines = [
        f"drift scan: {plural(report.windows, 'new window')} judged"
        + (f" ({verdicts})" if verdicts else "")
        + f", {plural(report.open_in_store, 'open drift')}"
    ]
    reasons = {alert.anomaly: alert.reason for alert in report.alerts}
    for stored in sorted(report.problems, key=_order):
        problem = stored.problem
        status = reasons.get(problem.uid) or _state(stored)
        lines.append(f"{problem.severity:8} {status:10} {problem.uid}\n         {problem.summary}")
        for rank, cause in enumerate(problem.causes[:SHOWN_CAUSES], start=1):
            lines.append(f"         {rank}. {cause.score:.2f} {cause.uid}: {cause.evidence}")
        blast = problem.blast
        if blast.model_versions:
            lines.append(
                f"         downstream: {plural(len(blast.model_versions), 'model version')},"
                f" {plural(len(blast.experiments), 'experiment')},"
                f" {blast.recommendations:,} recommendations since the onset"
            )
    sent = len(report.delivery.delivered)
    lines.append(f"alerts: {len(report.alerts)} due, {sent} delivered")
    return "\n".join(lines)


def _state(stored: StoredAlert) -> str:
    problem = stored.problem
    if problem.verdict == "seasonality":
        return "seasonal"  # reported, never alerted
    if not problem.open:
        return "resolved"
    return "ongoing"


def _order(stored: StoredAlert) -> tuple[bool, bool, datetime, str]:
    """Open drifts first, oldest onset first; then resolved ones; seasonality last."""
    problem = stored.problem
    return (problem.verdict != "drift", not problem.open, problem.onset, problem.signal)
