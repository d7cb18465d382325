"""An event on its way through the collector, with why it was kept.

The event models are frozen and refuse extra fields, so the reasons travel beside the
event, never in it: in memory as an :class:`Envelope`, on disk as one spool line
``{"reasons": [...], "event": {...}}``.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from graph_lineage.events import Event, parse_event


class Envelope(NamedTuple):
    seq: int  # order of arrival in this process; spooled envelopes read back get -1
    event: Event
    reasons: tuple[str, ...]


def to_line(envelope: Envelope) -> str:
    reasons = json.dumps(list(envelope.reasons), separators=(",", ":"))
    return f'{{"reasons":{reasons},"event":{envelope.event.model_dump_json()}}}'


def from_line(line: str) -> Envelope:
    """The envelope a spool line holds; raises ValueError when the line is damaged."""
    raw = json.loads(line)
    if not isinstance(raw, dict) or "event" not in raw:
        raise ValueError("a spool line is an object with an 'event'")
    return Envelope(-1, parse_event(raw["event"]), tuple(raw.get("reasons", ())))
