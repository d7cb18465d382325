"""``graph-lineage change-plan PLAN``: what a change plan touches and how risky it is, for CI.

Exit codes: 0 the report was written and the risk is below ``--fail-on`` (or no
``--fail-on`` was given); 3 the risk is at or above ``--fail-on``; 2 the plan is not valid
(not YAML or JSON, a malformed change, a uid that names nothing) or the arguments are
not; 1 anything else (Neo4j unreachable, ...). The report is written in every case but
the last two.

``graph-lineage impact --change PLAN``, the first spelling, still works and says on
standard error that it is deprecated: "impact" is the impact of one node (GraphQL
``impact(uid)``), and a change plan is more than that.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graph_lineage.change_plans.assessment import analyze
from graph_lineage.change_plans.plan import load_plan
from graph_lineage.change_plans.report import change_plan_json, change_plan_markdown
from graph_lineage.change_plans.risk import RiskLevel
from graph_lineage.cli.output import write_report
from graph_lineage.errors import InvalidPlan
from graph_lineage.settings import Settings
from graph_lineage.store import Store

AT_OR_ABOVE = 3
BAD_PLAN = 2
FAIL_LEVELS = [level.label for level in RiskLevel if level > RiskLevel.NONE]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    change_plan = commands.add_parser(
        "change-plan",
        help="what a change plan touches, its traffic, owners and risk; gate CI with --fail-on",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    change_plan.add_argument("plan", metavar="PLAN", help="YAML or JSON plan file; '-' reads stdin")
    _report_options(change_plan)
    change_plan.set_defaults(handler=change_plan_command)

    deprecated = commands.add_parser(
        "impact", help="deprecated spelling of change-plan: impact --change PLAN"
    )
    deprecated.add_argument(
        "--change", dest="plan", required=True, metavar="PLAN", help="as PLAN of change-plan"
    )
    _report_options(deprecated)
    deprecated.set_defaults(handler=deprecated_impact_command)


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["md", "json"], default="md", dest="report_format")
    parser.add_argument(
        "--fail-on",
        choices=FAIL_LEVELS,
        metavar="LEVEL",
        help=f"exit {AT_OR_ABOVE} when the risk is at or above LEVEL ({', '.join(FAIL_LEVELS)})",
    )
    parser.add_argument("--output", default="-", metavar="FILE", help="'-' is standard output")


def deprecated_impact_command(settings: Settings, arguments: argparse.Namespace) -> int:
    print(
        "warning: `graph-lineage impact --change PLAN` is deprecated;"
        " use `graph-lineage change-plan PLAN` (same options, same report)",
        file=sys.stderr,
    )
    return change_plan_command(settings, arguments)


def change_plan_command(settings: Settings, arguments: argparse.Namespace) -> int:
    try:
        plan = load_plan(_read(arguments.plan), source=_source(arguments.plan))
        with Store.connect(settings) as store:
            result = analyze(store, plan)
    except InvalidPlan as error:
        print("error: the change plan is not valid:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return BAD_PLAN
    if arguments.report_format == "json":
        report = json.dumps(change_plan_json(result), indent=2) + "\n"
    else:
        report = change_plan_markdown(result)
    if not write_report(report, arguments.output):
        return 1
    level = result.level
    print(f"risk: {level.label}", file=sys.stderr)
    if arguments.fail_on and level >= RiskLevel.parse(arguments.fail_on):
        print(f"risk {level.label} is at or above --fail-on {arguments.fail_on}", file=sys.stderr)
        return AT_OR_ABOVE
    return 0


def _read(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidPlan([f"cannot read the plan {path}: {error}"]) from None


def _source(path: str) -> str:
    return "the plan on standard input" if path == "-" else path
