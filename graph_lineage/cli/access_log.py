"""Commands of the access log: export it, verify its hash chain.

They read Neo4j directly, as an operator, not through the API. An export is itself
recorded before it starts (subject ``cli:<OS user>``, auth method ``cli``), so a copy of
the log never leaves unnoticed; if that record cannot be written, nothing is exported.
Verifying only reads hashes and sequence numbers and is not recorded.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import datetime
from typing import Any

from graph_lineage.access_log import (
    AccessLogFilter,
    AccessRecord,
    append,
    export,
    verify,
)
from graph_lineage.settings import Settings
from graph_lineage.store import Store

BROKEN = 3  # exit status when the chain does not verify


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    log = commands.add_parser(
        "access-log", help="the access log of every GraphQL operation and refusal"
    )
    actions = log.add_subparsers(title="actions", required=True)
    exporting = actions.add_parser("export", help="write records, oldest first")
    exporting.add_argument(
        "--from", dest="from_time", type=datetime.fromisoformat, metavar="ISO-TIME"
    )
    exporting.add_argument(
        "--to", dest="to_time", type=datetime.fromisoformat, metavar="ISO-TIME", help="before"
    )
    exporting.add_argument("--subject", help="only this caller's records")
    exporting.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    exporting.add_argument("--output", default="-", metavar="FILE", help="'-': standard output")
    exporting.set_defaults(handler=export_command)
    actions.add_parser(
        "verify", help="check the hash chain; exit 3 naming the first broken seq"
    ).set_defaults(handler=verify_command)


def export_command(settings: Settings, arguments: argparse.Namespace) -> int:
    where = AccessLogFilter(
        from_time=arguments.from_time, to_time=arguments.to_time, subject=arguments.subject
    )
    asked = {
        "from": arguments.from_time.isoformat() if arguments.from_time else None,
        "to": arguments.to_time.isoformat() if arguments.to_time else None,
        "subject": arguments.subject,
        "format": arguments.format,
    }
    with Store.connect(settings) as store:
        recorded = append(store, operator_record("access-log export", asked))
        if arguments.output == "-":
            count = export(store, sys.stdout, where, arguments.format)
        else:
            with open(arguments.output, "w", encoding="utf-8", newline="") as out:
                count = export(store, out, where, arguments.format)
    target = "standard output" if arguments.output == "-" else arguments.output
    print(
        f"exported {count:,} access records to {target}; this export is record {recorded.seq}",
        file=sys.stderr,
    )
    return 0


def verify_command(settings: Settings, _: argparse.Namespace) -> int:
    with Store.connect(settings) as store:
        report = verify(store)
    if not report.ok:
        print(f"access log broken at seq {report.broken_seq}: {report.problem}", file=sys.stderr)
        return BROKEN
    print(f"access log intact: {report.records:,} records")
    print(f"  head: seq {report.head_seq}, hash {report.head_hash}")
    print("  (keep the head hash elsewhere: it vouches for every record up to it)")
    return 0


def operator_record(operation: str, asked: dict[str, Any]) -> AccessRecord:
    """The record of a command run by an operator with direct access to Neo4j."""
    return AccessRecord.build(
        subject=f"cli:{getpass.getuser()}",
        roles=[],
        auth_method="cli",
        operation_name=operation,
        operation_type="export",
        document=json.dumps(asked, sort_keys=True),
    )
