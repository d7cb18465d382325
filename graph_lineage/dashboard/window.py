"""What a dashboard is asked for: a time range cut into buckets, and the audience it counts.

The range is ``[start, end)`` in UTC. Buckets are whole UTC hours, days or ISO weeks
(Monday to Monday); the first starts at or before ``start``, and a bucket only counts what
falls inside the range. ``segment`` and ``cohort`` narrow the audience: the recommendation
properties of those names (``recommendation.served`` events carry both; in the demo a
segment is ``new``, ``returning`` or ``power`` and a cohort is the ISO week a user first
came, such as ``2026-W31``).

>>> window = DashboardWindow(datetime(2026, 10, 1, 12), datetime(2026, 10, 3), Bucket.DAY)
>>> [start.isoformat() for start in window.bucket_starts()]
['2026-10-01T00:00:00+00:00', '2026-10-02T00:00:00+00:00']
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from graph_lineage.errors import InvalidQuery
from graph_lineage.governance.records import utc

MAX_BUCKETS = 2000


class Bucket(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"

    @property
    def seconds(self) -> int:
        return {Bucket.HOUR: 3600, Bucket.DAY: 86400, Bucket.WEEK: 7 * 86400}[self]

    def floor(self, moment: datetime) -> datetime:
        """The start of the bucket holding ``moment`` (UTC)."""
        moment = utc(moment)
        if self is Bucket.HOUR:
            return moment.replace(minute=0, second=0, microsecond=0)
        day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return day - timedelta(days=day.weekday()) if self is Bucket.WEEK else day


@dataclass(frozen=True)
class DashboardWindow:
    """``[start, end)``, its buckets, and the audience: all given conditions hold."""

    start: datetime
    end: datetime
    bucket: Bucket = Bucket.DAY
    segment: str | None = None
    cohort: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise InvalidQuery(f"the range ends ({self.end}) before it starts ({self.start})")
        if self.buckets > MAX_BUCKETS:
            raise InvalidQuery(
                f"{self.buckets:,} {self.bucket.value} buckets is more than {MAX_BUCKETS:,}:"
                " choose a shorter range or a longer bucket"
            )

    @property
    def origin(self) -> datetime:
        """Where the first bucket starts."""
        return self.bucket.floor(self.start)

    @property
    def buckets(self) -> int:
        span = (self.end - self.origin).total_seconds()
        return int(-(-span // self.bucket.seconds))

    def bucket_starts(self) -> list[datetime]:
        width = timedelta(seconds=self.bucket.seconds)
        return [self.origin + index * width for index in range(self.buckets)]
