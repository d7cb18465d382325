"""Events and in-process transports the collector's unit tests share (no tests here).

The transports are real objects obeying the Transport protocol, standing in for a
backend in unit tests only; integration tests use the Neo4j transport against Neo4j.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from graph_lineage.collector import BackendUnavailable, EventsRejected
from graph_lineage.events import Event, OutcomeObserved, RankedItem, RecommendationServed

NOW = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def served(
    request_id: str,
    *,
    user: str = "user-1",
    error: str | None = None,
    experiment: str | None = None,
    scores: Sequence[float] = (0.5, 0.4),
) -> RecommendationServed:
    return RecommendationServed(
        type="recommendation.served",
        event_id=f"evt-{request_id}",
        event_time=NOW,
        producer="tests",
        request_id=request_id,
        served_at=NOW,
        user_id=user,
        segment="all",
        model_version="model:ranker@v1",
        feature_versions=["feature:ctr@v3"],
        experiment=experiment,
        variant="treatment" if experiment else None,
        items=[RankedItem(item_id=f"i{n}", score=s, position=n) for n, s in enumerate(scores)],
        error=error,
    )


def outcome(request_id: str) -> OutcomeObserved:
    return OutcomeObserved(
        type="outcome.observed",
        event_id=f"out-{request_id}",
        event_time=NOW,
        producer="tests",
        request_id=request_id,
        item_id="i0",
        kind="click",
    )


def ids(events: Sequence[Event]) -> list[str]:
    return [event.event_id for event in events]


class Backend:
    """A transport that records what it was sent and fails while told to.

    ``down`` makes every send raise BackendUnavailable; ``gate`` (when cleared) holds
    each send until it is set; ``refuse`` names event ids the backend rejects, the
    whole batch at once, as an all-or-nothing endpoint does.
    """

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.gate = threading.Event()
        self.gate.set()
        self.sending = threading.Event()  # set once a send has started
        self.refuse: set[str] = set()
        self.crash: Exception | None = None
        self.batches: list[list[str]] = []
        self.attempts = 0
        self.closed = False

    @property
    def received(self) -> list[str]:
        return [event_id for batch in self.batches for event_id in batch]

    def send(self, events: Sequence[Event]) -> None:
        self.sending.set()
        self.gate.wait(30)
        self.attempts += 1
        if self.crash is not None:
            raise self.crash
        if self.down:
            raise BackendUnavailable("backend is down")
        if self.refuse & set(ids(events)):
            raise EventsRejected("invalid event", "invalid", splittable=True)
        self.batches.append(ids(events))

    def close(self) -> None:
        self.closed = True
