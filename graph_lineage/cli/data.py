"""Commands that make and load events, and export the schemas."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from graph_lineage.demo import recent_start, write_ndjson
from graph_lineage.demo_faults import FAULT_KINDS, Faults, FaultyDemoPipeline
from graph_lineage.events import render_events_json_schema
from graph_lineage.governance.retention import RetentionPolicy
from graph_lineage.ingest import IngestReport, ingest_file
from graph_lineage.progress import Progress
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.writer import LineageWriter

FAULTS = "inject COUNT faults or drift instances of KIND (repeatable); KIND: " + "; ".join(
    f"{kind}: {what}".replace("%", "%%")  # argparse formats help with %
    for kind, what in FAULT_KINDS.items()
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo-data", help="write the synthetic pipeline as NDJSON")
    demo.add_argument("--recommendations", type=int, default=10_000, metavar="N")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--output", default="-", metavar="FILE", help="'-' is standard output")
    demo.add_argument(
        "--inject", action="append", type=fault_spec, metavar="KIND=COUNT", help=FAULTS
    )
    demo.add_argument(
        "--injected-out", metavar="FILE", help="write where faults and drift went, as JSON"
    )
    demo.set_defaults(handler=demo_data)

    loading = commands.add_parser("ingest", help="load NDJSON or a JSON array of events")
    loading.add_argument("file", help="the event file; '-' reads standard input")
    loading.add_argument("--batch-size", type=int, help="events per transaction")
    loading.set_defaults(handler=ingest)

    export = commands.add_parser(
        "export-schema", help="write schema/events.schema.json and schema/schema.graphql"
    )
    export.set_defaults(handler=export_schema)


def fault_spec(text: str) -> str:
    """An argparse type: ``KIND=COUNT`` for ``demo-data --inject``."""
    try:
        Faults.parse([text])
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    return text


def demo_data(settings: Settings, arguments: argparse.Namespace) -> int:
    faults = Faults.parse(arguments.inject or [])
    pipeline = FaultyDemoPipeline(
        arguments.recommendations, arguments.seed, faults=faults, start=recent_start()
    )
    if arguments.output == "-":
        written = write_ndjson(pipeline.events(), sys.stdout)
    else:
        with open(arguments.output, "w", encoding="utf-8") as output:
            written = write_ndjson(pipeline.events(), output)
        print(f"wrote {written} events to {arguments.output}", file=sys.stderr)
    if arguments.injected_out:
        with open(arguments.injected_out, "w", encoding="utf-8") as truth:
            json.dump(pipeline.ground_truth(), truth, indent=2)
        print(f"wrote where the faults went to {arguments.injected_out}", file=sys.stderr)
    return 0


def ingest(settings: Settings, arguments: argparse.Namespace) -> int:
    path = Path(arguments.file)
    if arguments.file == "-":
        with tempfile.NamedTemporaryFile("w", suffix=".ndjson", delete=False) as copy:
            shutil.copyfileobj(sys.stdin, copy)
        path = Path(copy.name)
    try:
        report = load_events(settings, path)
    finally:
        if arguments.file == "-":
            path.unlink()
    print_report(report)
    return 0


def load_events(settings: Settings, path: Path) -> IngestReport:
    pseudonymizer, sealer = Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
    progress = Progress(f"ingesting {path.name}")
    with Store.connect(settings) as store:
        writer = LineageWriter(
            store, pseudonymizer, sealer, RetentionPolicy.from_settings(settings)
        )
        report = ingest_file(
            path,
            writer,
            settings.ingest_batch_size,
            progress.update,
            max_free_text=settings.max_free_text,
        )
    progress.done()
    return report


def print_report(report: IngestReport) -> None:
    print(f"ingested {report.events} events in {report.seconds:.1f}s ({report.rate:,.0f}/s)")
    for event_type, count in sorted(report.summary.events.items()):
        print(f"  {event_type:32} {count:>10,}")
    counters = report.summary.counters
    print(
        f"  nodes created {counters.get('nodes_created', 0):,},"
        f" relationships created {counters.get('relationships_created', 0):,}"
    )
    dropped = report.summary.dropped
    print(
        f"  dropped: {dropped.erased:,} of erased people, {dropped.expired:,} older than retention"
    )


def export_schema(settings: Settings, _: argparse.Namespace) -> int:
    from api.graphql import render_sdl

    for name, text in (
        ("events.schema.json", render_events_json_schema()),
        ("schema.graphql", render_sdl()),
    ):
        target = settings.schema_dir / name
        target.write_text(text)
        print(f"wrote {target}")
    return 0
