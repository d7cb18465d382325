"""Commands of access and governance: tokens, API keys, retention, erasure."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from graph_lineage.auth import ApiKeys, Role, demo_token
from graph_lineage.governance import RetentionPolicy, erase_user, run_retention
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.settings import Settings
from graph_lineage.store import Store


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roles = [role.value for role in Role]
    demo_token_command = commands.add_parser("token", help="print a demo token for a role")
    demo_token_command.add_argument("role", choices=roles)
    demo_token_command.add_argument(
        "--subject", default=None, help="the token's sub (default: demo-ROLE)"
    )
    demo_token_command.add_argument("--ttl", type=int, default=8 * 3600, metavar="SECONDS")
    demo_token_command.set_defaults(handler=token, demo=True)

    keys = commands.add_parser("api-key", help="manage API keys (stored hashed)")
    key_actions = keys.add_subparsers(title="actions", required=True)
    create = key_actions.add_parser("create", help="make a key; it is printed once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", action="append", required=True, choices=roles)
    create.set_defaults(handler=api_key_create)
    key_actions.add_parser("list", help="names, roles, dates").set_defaults(handler=api_key_list)
    revoke = key_actions.add_parser("revoke", help="remove a key by name")
    revoke.add_argument("name")
    revoke.set_defaults(handler=api_key_revoke)

    retention = commands.add_parser("retention", help="delete what retention no longer keeps")
    retention_actions = retention.add_subparsers(title="actions", required=True)
    retention_once = retention_actions.add_parser("run", help="run it once, recorded")
    retention_once.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    retention_once.add_argument(
        "--now", type=datetime.fromisoformat, metavar="ISO-TIME", help="count days back from here"
    )
    retention_once.set_defaults(handler=retention_run)

    erasure = commands.add_parser("erase", help="delete one person's recommendations and outcomes")
    erasure.add_argument("--user", required=True, metavar="RAW_ID", help="'-' reads standard input")
    erasure.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    erasure.set_defaults(handler=erase)


def token(settings: Settings, arguments: argparse.Namespace) -> int:
    role = Role(arguments.role)
    print(demo_token(settings, role, arguments.subject or f"demo-{role.value}", arguments.ttl))
    return 0


def api_key_create(settings: Settings, arguments: argparse.Namespace) -> int:
    key = ApiKeys(settings.api_keys_file).create(arguments.name, [Role(r) for r in arguments.role])
    print(key)
    print(f"(shown once; only its hash is kept in {settings.api_keys_file})", file=sys.stderr)
    return 0


def api_key_list(settings: Settings, _: argparse.Namespace) -> int:
    for entry in ApiKeys(settings.api_keys_file).list():
        print(f"{entry['name']:24} {','.join(entry['roles']):32} {entry['created_at']}")
    return 0


def api_key_revoke(settings: Settings, arguments: argparse.Namespace) -> int:
    revoked = ApiKeys(settings.api_keys_file).revoke(arguments.name)
    print("revoked" if revoked else f"no key named {arguments.name!r}")
    return 0 if revoked else 1


def retention_run(settings: Settings, arguments: argparse.Namespace) -> int:
    with Store.connect(settings) as store:
        report = run_retention(
            store, RetentionPolicy.from_settings(settings), arguments.now, arguments.dry_run
        )
    verb = "would delete" if report.dry_run else "deleted"
    print(
        f"retention {verb} {report.recommendations:,} recommendations, {report.outcomes:,}"
        f" outcomes, {report.feature_statistics:,} feature statistics,"
        f" {report.drift_windows:,} drift windows"
    )
    for kind, cutoff in report.cutoffs.parameters().items():
        print(f"  {kind:28} {cutoff.isoformat() if cutoff else 'none (kept forever)'}")
    print(f"  record: {report.uid}")
    return 0


def erase(settings: Settings, arguments: argparse.Namespace) -> int:
    raw_user_id = sys.stdin.readline().strip() if arguments.user == "-" else arguments.user
    if not raw_user_id:
        print("error: --user is empty; give the raw user id to erase", file=sys.stderr)
        return 2
    with Store.connect(settings) as store:
        report = erase_user(
            store,
            Pseudonymizer.from_settings(settings),
            raw_user_id,
            dry_run=arguments.dry_run,
            batch_size=settings.retention_batch_size,
        )
    verb = "would delete" if report.dry_run else "deleted"
    counts = f"{report.recommendations:,} recommendations, {report.outcomes:,} outcomes"
    print(f"erasure {verb} {counts}")
    print(f"  record: {report.uid} (subject {report.subject})")
    return 0
