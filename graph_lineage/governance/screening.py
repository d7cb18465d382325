"""What the writer drops before it writes: erased people's events and expired events.

Retention and erasure delete what is stored; without this screen, events replayed later
would store it again. Each batch is screened at write time, whatever brought it (HTTP,
a file, the collector, a replayed topic):

- an event older than its kind's retention horizon is *expired*: a recommendation by
  ``served_at``, an outcome by ``observed_at`` (else ``event_time``), feature statistics
  by ``window_start``, with the cut-offs :meth:`RetentionPolicy.cutoffs` gives now;
- a recommendation whose user the erasure ledger names is *erased*, and so is an outcome
  on an erased request or on a recommendation of the same batch dropped that way.

Both are counted in :class:`Dropped`, which the ingest answers report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from graph_lineage.events import (
    Event,
    FeatureStatisticsObserved,
    OutcomeObserved,
    RecommendationServed,
)
from graph_lineage.governance.ledger import ErasureLedger
from graph_lineage.governance.retention import Cutoffs, RetentionPolicy
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.store.connection import Store

KEEP_FOREVER = Cutoffs(None, None, None)


@dataclass
class Dropped:
    """Events the screen left out of a write, by reason."""

    erased: int = 0
    expired: int = 0

    def add(self, other: Dropped) -> None:
        self.erased += other.erased
        self.expired += other.expired

    def as_dict(self) -> dict[str, int]:
        return {"erased": self.erased, "expired": self.expired}


class WriteScreen:
    """Drops the events of erased people and those older than ``retention`` keeps them."""

    def __init__(self, pseudonymizer: Pseudonymizer, retention: RetentionPolicy | None) -> None:
        self.ledger = ErasureLedger(pseudonymizer)
        self.retention = retention

    def screen(
        self, store: Store, events: Sequence[Event], now: datetime
    ) -> tuple[list[Event], Dropped]:
        """The events to write and the count of those dropped."""
        cutoffs = self.retention.cutoffs(now) if self.retention else KEEP_FOREVER
        current = [event for event in events if not _expired(event, cutoffs)]
        dropped = Dropped(expired=len(events) - len(current))
        users = [e.user_id for e in current if isinstance(e, RecommendationServed)]
        outcomes = [e.request_id for e in current if isinstance(e, OutcomeObserved)]
        erased, requests = self.ledger.erased_among(store, users, outcomes)
        if not erased and not requests:
            return current, dropped
        requests |= {
            e.request_id
            for e in current
            if isinstance(e, RecommendationServed) and e.user_id in erased
        }
        kept = [event for event in current if not _of_erased(event, erased, requests)]
        dropped.erased = len(current) - len(kept)
        return kept, dropped


def _expired(event: Event, cutoffs: Cutoffs) -> bool:
    if isinstance(event, RecommendationServed):
        moment, cutoff = event.served_at, cutoffs.recommendations
    elif isinstance(event, OutcomeObserved):
        moment, cutoff = event.observed_at or event.event_time, cutoffs.outcomes
    elif isinstance(event, FeatureStatisticsObserved):
        moment, cutoff = event.window_start, cutoffs.feature_statistics
    else:
        return False
    return cutoff is not None and moment < cutoff


def _of_erased(event: Event, erased: set[str], requests: set[str]) -> bool:
    if isinstance(event, RecommendationServed):
        return event.user_id in erased
    return isinstance(event, OutcomeObserved) and event.request_id in requests
