"""Which recommendations to keep: every interesting one, and a deterministic fraction of the rest.

Only ``recommendation.served`` events are sampled; every other event describes lineage
that recommendations point at and is always kept, with reason ``"lineage"``. A served
event is kept for each rule it matches (``"error"``, ``"chosen_user"``,
``"chosen_experiment"``, ``"outlier_score"``) and for ``"sampled"`` when its request id
falls in the fraction. The fraction test is the first 8 bytes of
``BLAKE2b(request_id, key=salt)`` read as a big-endian integer, below ``fraction * 2**64``:
the same request is kept or not in every process and every language.

>>> sampler = Sampler(0.01, users={"user-7"}, score_above=0.99)
>>> sampler.decide(event).reasons
('chosen_user',)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import NamedTuple

from graph_lineage.events import BaseEvent, Event, RecommendationServed

LINEAGE = "lineage"
ERROR = "error"
CHOSEN_USER = "chosen_user"
CHOSEN_EXPERIMENT = "chosen_experiment"
OUTLIER_SCORE = "outlier_score"
SAMPLED = "sampled"


class Decision(NamedTuple):
    """Whether to keep an event, and every reason it is kept for."""

    keep: bool
    reasons: tuple[str, ...]

    @property
    def sampled_only(self) -> bool:
        """Kept only by chance: the first event to shed when the queue is full."""
        return self.reasons == _SAMPLED_ONLY


_SAMPLED_ONLY = (SAMPLED,)
KEEP_LINEAGE = Decision(True, (LINEAGE,))
KEEP_SAMPLED = Decision(True, _SAMPLED_ONLY)
SAMPLED_OUT = Decision(False, ())


class Sampler:
    """Decides per event; pure and cheap enough for the serving path (no locks, no I/O)."""

    def __init__(
        self,
        fraction: float = 1.0,
        *,
        keep_errors: bool = True,
        users: Iterable[str] = (),
        experiments: Iterable[str] = (),
        score_above: float | None = None,
        score_below: float | None = None,
        salt: str = "",
    ) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
        self.fraction = fraction
        self.keep_errors = keep_errors
        self.users = frozenset(users)
        self.experiments = frozenset(experiments)
        self.score_above = score_above
        self.score_below = score_below
        self._hasher = hashlib.blake2b(digest_size=8, key=salt.encode("utf-8"))
        self._threshold = int(fraction * 2**64)

    def always_keeps(self, event_type: type[BaseEvent]) -> bool:
        """Whether :meth:`decide` keeps every event of this type, whatever it holds.

        The collector works out the reasons of such events off the serving path. A
        subclass that overrides :meth:`decide` overrides this to match.
        """
        return self._threshold >= 2**64 or not issubclass(event_type, RecommendationServed)

    def decide(self, event: Event) -> Decision:
        if not isinstance(event, RecommendationServed):
            return KEEP_LINEAGE
        reasons = self._rules(event)
        if self.sampled_in(event.request_id):
            if not reasons:
                return KEEP_SAMPLED
            reasons.append(SAMPLED)
        return Decision(True, tuple(reasons)) if reasons else SAMPLED_OUT

    def sampled_in(self, request_id: str) -> bool:
        """Whether this request id falls in the kept fraction, identically everywhere."""
        if self._threshold >= 2**64:
            return True
        if self._threshold == 0:
            return False
        hasher = self._hasher.copy()  # cheaper than keying a new one per call
        hasher.update(request_id.encode("utf-8"))
        return int.from_bytes(hasher.digest(), "big") < self._threshold

    def _rules(self, event: RecommendationServed) -> list[str]:
        reasons = []
        if self.keep_errors and event.error is not None:
            reasons.append(ERROR)
        if event.user_id in self.users:
            reasons.append(CHOSEN_USER)
        if event.experiment is not None and event.experiment in self.experiments:
            reasons.append(CHOSEN_EXPERIMENT)
        if self._has_outlier_score(event):
            reasons.append(OUTLIER_SCORE)
        return reasons

    def _has_outlier_score(self, event: RecommendationServed) -> bool:
        above, below = self.score_above, self.score_below
        if above is None and below is None:
            return False
        for item in event.items:
            if (above is not None and item.score > above) or (
                below is not None and item.score < below
            ):
                return True
        return False
