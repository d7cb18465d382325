"""Where a command's report goes (``--output FILE``, or standard output for ``-``), how a
scan that alerts ends, and how a time argument is read."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path


def write_report(text: str, output: str) -> bool:
    """Write ``text`` to standard output (``-``) or the file ``output``.

    False, with the reason on standard error, when the file cannot be written: the command
    then exits 1 instead of ending in a traceback.
    """
    if output == "-":
        sys.stdout.write(text)
        return True
    try:
        Path(output).write_text(text)
    except OSError as error:
        print(f"error: cannot write the report to {output}: {error}", file=sys.stderr)
        return False
    return True


FINDINGS_OPEN, ALERTS_UNDELIVERED = 3, 4  # exit statuses of the scans that alert


def scan_exit(undelivered: int, failing: bool) -> int:
    """How ``anomalies scan`` and ``drift scan`` end: 4 (and why, on standard error) when an
    alert was not delivered, 3 with ``--fail-on-findings`` when something is open, else 0."""
    if undelivered:
        print(f"error: {undelivered} alerts not delivered; the next scan retries", file=sys.stderr)
        return ALERTS_UNDELIVERED
    return FINDINGS_OPEN if failing else 0


def utc_time(text: str) -> datetime:
    """An argparse type: an ISO 8601 time, in UTC unless it names its zone."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
