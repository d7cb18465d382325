"""``graph-lineage experiment report|list``: experiment analysis tied to lineage.

``report NAME`` reads the experiment's exposures and outcomes per randomization unit and
prints exposure, sample-ratio tests per split period, effects with intervals (corrected for
multiple comparisons), integrity checks, what each arm served and what changed mid-way;
every run leaves a RunRecord with its numbers. Exit status: 0 when the report ran; 3 with
``--fail-on-findings`` when a sample ratio mismatches or an intervention confounds the
comparison; 1 on an error.
"""

from __future__ import annotations

import argparse
import getpass
import json
from typing import get_args

from graph_lineage.cli.output import FINDINGS_OPEN, utc_time, write_report
from graph_lineage.experiments import (
    Correction,
    ExperimentFilter,
    Method,
    ReportRequest,
    experiment_report,
    list_experiments,
    report_json,
    report_markdown,
)
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.values import jsonable


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    experiment = commands.add_parser(
        "experiment",
        help="experiment analysis: exposure, sample ratios, effects, lineage diff of the arms",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = experiment.add_subparsers(title="actions", required=True)
    report = actions.add_parser("report", help="analyse one experiment (Markdown or JSON)")
    report.add_argument("name", help="the experiment's name or uid")
    report.add_argument("--from", dest="start", type=utc_time, metavar="ISO-TIME")
    report.add_argument("--to", dest="end", type=utc_time, metavar="ISO-TIME")
    report.add_argument(
        "--metric",
        dest="metrics",
        action="append",
        default=[],
        metavar="NAME",
        help="<kind>_rate or <kind>_per_unit (repeatable); default: every kind's rate",
    )
    report.add_argument(
        "--segment",
        dest="segments",
        action="append",
        metavar="NAME",
        help="break effects down by this segment (repeatable); default: every segment",
    )
    report.add_argument("--method", choices=get_args(Method))
    report.add_argument("--correction", choices=get_args(Correction))
    report.add_argument("--format", choices=("md", "json"), default="md")
    report.add_argument("--output", default="-", metavar="FILE", help="'-' is standard output")
    report.add_argument(
        "--fail-on-findings",
        action="store_true",
        help=f"exit {FINDINGS_OPEN} on a sample-ratio mismatch or a confounding intervention",
    )
    report.set_defaults(handler=report_command)

    listing = actions.add_parser("list", help="the experiments, newest first")
    listing.add_argument("--status", choices=("started", "changed", "stopped"))
    listing.add_argument("--name", help="a part of the name")
    listing.add_argument("--json", action="store_true", help="machine-readable")
    listing.set_defaults(handler=list_command)


def report_command(settings: Settings, arguments: argparse.Namespace) -> int:
    request = ReportRequest(
        experiment=arguments.name,
        start=arguments.start,
        end=arguments.end,
        metrics=tuple(arguments.metrics),
        segments=tuple(arguments.segments) if arguments.segments else None,
        method=arguments.method,
        correction=arguments.correction,
    )
    with Store.connect(settings) as store:
        report = experiment_report(store, settings, request, principal=f"cli:{getpass.getuser()}")
    text = (
        json.dumps(report_json(report), indent=2) + "\n"
        if arguments.format == "json"
        else report_markdown(report)
    )
    if not write_report(text, arguments.output):
        return 1
    confounded = report.arms is not None and any(i.confounds for i in report.arms.interventions)
    return FINDINGS_OPEN if arguments.fail_on_findings and (report.mismatches or confounded) else 0


def list_command(settings: Settings, arguments: argparse.Namespace) -> int:
    where = ExperimentFilter(status=arguments.status, name=arguments.name)
    with Store.connect(settings) as store:
        found = list_experiments(store, where)
    if arguments.json:
        print(
            json.dumps(
                [
                    jsonable({**e.__dict__, "variants": [v.__dict__ for v in e.variants]})
                    for e in found
                ],
                indent=2,
            )
        )
        return 0
    for e in found:
        started = f"{e.started_at:%Y-%m-%d}" if e.started_at else "?"
        stopped = f"{e.stopped_at:%Y-%m-%d}" if e.stopped_at else "running"
        split = " / ".join(
            f"{v.name} {v.traffic_share:g}" for v in e.variants if v.traffic_share is not None
        )
        print(
            f"{e.uid:40} {e.status or '?':8} {started} to {stopped}  {split}"
            f"  {e.requests:,} requests"
        )
    if not found:
        print("no experiment matches")
    return 0
