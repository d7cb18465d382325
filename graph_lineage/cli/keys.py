"""Commands of encryption keys: which keys seal the stored values, and rotation."""

from __future__ import annotations

import argparse

from graph_lineage.governance.rotation import DEFAULT_BATCH_SIZE, PLAINTEXT, key_status, rotate_keys
from graph_lineage.sealing import Sealer
from graph_lineage.settings import Settings
from graph_lineage.store import Store


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sealing = commands.add_parser("keys", help="encryption keys of sensitive properties")
    actions = sealing.add_subparsers(title="actions", required=True)
    actions.add_parser("status", help="stored values per key id, and plaintext").set_defaults(
        handler=status
    )
    rotation = actions.add_parser("rotate", help="re-seal every value under the active key")
    rotation.add_argument(
        "--batch-size",
        dest="rotation_batch_size",
        type=batch_size,
        default=DEFAULT_BATCH_SIZE,
        metavar="N",
        help=f"values per write transaction (default {DEFAULT_BATCH_SIZE})",
    )
    rotation.add_argument("--dry-run", action="store_true", help="count, change nothing")
    rotation.set_defaults(handler=rotate)


def batch_size(text: str) -> int:
    """A --batch-size: a whole number, at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("the batch size must be at least 1")
    return value


def status(settings: Settings, _: argparse.Namespace) -> int:
    sealer = Sealer.if_configured(settings)
    active = sealer.active_key_id if sealer is not None else None
    with Store.connect(settings) as store:
        counts = key_status(store)
    print(f"active key: {active or 'none configured'}")
    for (prop, key_id), count in counts.items():
        print(f"  {prop:24} {key_id:16} {count:>10,}{_note(key_id, active)}")
    if not counts:
        print("  no sensitive properties stored")
    return 0


def _note(key_id: str, active: str | None) -> str:
    if key_id == PLAINTEXT:
        return "  not sealed: `graph-lineage keys rotate` seals them"
    if key_id != active:
        return "  not the active key: `graph-lineage keys rotate` re-seals them"
    return ""


def rotate(settings: Settings, arguments: argparse.Namespace) -> int:
    sealer = Sealer.from_settings(settings)
    with Store.connect(settings) as store:
        report = rotate_keys(store, sealer, arguments.rotation_batch_size, arguments.dry_run)
    verb = "would re-seal" if report.dry_run else "re-sealed"
    batches = "" if report.dry_run else f" in {report.batches:,} transactions"
    print(f"{verb} {report.total:,} values under key {report.active_key_id}{batches}")
    for (prop, key_id), count in report.counts.items():
        print(f"  {prop:24} from {key_id:16} {count:>10,}")
    return 0
