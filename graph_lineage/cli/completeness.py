"""``graph-lineage audit completeness``: how complete lineage is, gated by a minimum share.

Exit codes: 0 passed, 3 below ``--min`` (or inconsistent), 2 bad arguments, 1 anything
else (Neo4j unreachable, the report cannot be written).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from fractions import Fraction

from graph_lineage.cli.output import write_report
from graph_lineage.completeness import (
    Window,
    completeness,
    completeness_json,
    completeness_markdown,
)
from graph_lineage.settings import Settings
from graph_lineage.store import Store

BELOW_MINIMUM = 3


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="audits of the lineage itself")
    kinds = audit.add_subparsers(dest="audit", required=True, metavar="{completeness}")
    run = kinds.add_parser(
        "completeness", help="share of recommendations with complete ancestry, and the gaps"
    )
    run.add_argument("--from", dest="start", required=True, type=datetime.fromisoformat)
    run.add_argument("--to", dest="end", required=True, type=datetime.fromisoformat)
    run.add_argument("--min", dest="minimum", type=_percent, metavar="PCT", help="e.g. 99.5")
    run.add_argument("--format", choices=("md", "json"), default="md")
    run.add_argument("--output", default="-", metavar="FILE", help="'-' is standard output")
    run.set_defaults(handler=completeness_command)


def _percent(text: str) -> Fraction:
    try:
        value = Fraction(text.rstrip("%"))
    except (ValueError, ZeroDivisionError) as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from error
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100")
    return value / 100


def completeness_command(settings: Settings, arguments: argparse.Namespace) -> int:
    try:
        window = Window(arguments.start, arguments.end)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    with Store.connect(settings) as store:
        report = completeness(store, window, arguments.minimum)
    if arguments.format == "json":
        text = json.dumps(completeness_json(report), indent=2) + "\n"
    else:
        text = completeness_markdown(report)
    if not write_report(text, arguments.output):
        return 1
    return 0 if report.passed else BELOW_MINIMUM
