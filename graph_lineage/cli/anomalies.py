"""``graph-lineage anomalies scan``: run the anomaly rules, store the findings, alert.

Exit status: 0 when the scan ran (findings or not); 3 with ``--fail-on-findings`` when
something is open; 4 when an alert could not be delivered to a webhook (it is sent again
by the next scan); 1 on an error.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from graph_lineage.anomalies import RULES, ScanReport, Webhooks, scan
from graph_lineage.anomalies.rules.base import plural
from graph_lineage.cli.output import FINDINGS_OPEN, scan_exit
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.values import jsonable


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    anomalies = commands.add_parser(
        "anomalies",
        help="lineage anomaly rules: scan, store findings, alert",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = anomalies.add_subparsers(title="actions", required=True)
    run = actions.add_parser("scan", help="run the rules once; alerts go to the log and webhooks")
    run.add_argument(
        "--since",
        type=datetime.fromisoformat,
        metavar="ISO-TIME",
        help="only traffic served from this day on (whole days); default: all of it",
    )
    run.add_argument(
        "--rule",
        dest="rules",
        action="append",
        choices=list(RULES),
        metavar="NAME",
        help=f"run only this rule (repeatable): {', '.join(RULES)}",
    )
    run.add_argument("--json", action="store_true", help="machine-readable")
    run.add_argument(
        "--fail-on-findings",
        action="store_true",
        help=f"exit {FINDINGS_OPEN} when any problem is open",
    )
    run.set_defaults(handler=scan_command)


def scan_command(settings: Settings, arguments: argparse.Namespace) -> int:
    webhooks = Webhooks.from_settings(settings)
    with Store.connect(settings) as store:
        report = scan(store, arguments.since, arguments.rules, webhooks)
    print(json.dumps(report_json(report), indent=2) if arguments.json else report_text(report))
    return scan_exit(
        report.delivery.undelivered, arguments.fail_on_findings and bool(report.findings)
    )


def report_json(report: ScanReport) -> dict[str, Any]:
    reasons = {alert.anomaly: alert.reason for alert in report.alerts}
    return {
        "scanned_at": report.scanned_at.isoformat(),
        "since": jsonable(report.window.start),
        "rules": report.rules,
        "findings": [
            {
                "uid": stored.finding.uid,
                "rule": stored.finding.rule,
                "key": stored.finding.key,
                "severity": stored.finding.severity,
                "count": stored.finding.count,
                "summary": stored.finding.summary,
                "alert": reasons.get(stored.finding.uid),
                "first_seen": stored.first_seen.isoformat(),
                "scans": stored.scans,
                "evidence": list(stored.finding.evidence),
            }
            for stored in report.findings
        ],
        "resolved": report.resolved,
        "alerts": len(report.alerts),
        "undelivered": report.delivery.undelivered,
    }


def report_text(report: ScanReport) -> str:
    since = report.window.day.isoformat() if report.window.day else "the beginning"
    lines = [
        f"anomaly scan of traffic since {since}: {plural(len(report.findings), 'open problem')}"
    ]
    reasons = {alert.anomaly: alert.reason for alert in report.alerts}
    for rule, findings in report.by_rule().items():
        total = sum(finding.count for finding in findings)
        lines.append(f"  {rule:24} {plural(len(findings), 'problem'):>12} {total:>10,} affected")
    for stored in report.findings:
        finding = stored.finding
        tag = reasons.get(finding.uid, "ongoing")
        lines.append(f"{finding.severity:8} {tag:11} {finding.uid}\n         {finding.summary}")
    if report.resolved:
        lines.append(f"resolved: {', '.join(report.resolved)}")
    sent = len(report.delivery.delivered)
    lines.append(f"alerts: {len(report.alerts)} due, {sent} delivered")
    return "\n".join(lines)
