"""What a rule reports: one distinct problem, its fingerprint, its size and its evidence.

A finding's ``key`` names the problem, not the moment it was seen (``version_skew|context:…``),
so every scan that sees the same problem updates the same ``(:Anomaly)`` node and sends at
most one alert for it. ``count`` is the number of recommendations the problem touched in
the scanned window.

>>> finding = Finding.of("version_skew", "context:9f2c", "critical", "skew", 12,
...                      ["context:9f2c", "model:ranker@v2"])
>>> finding.uid, finding.evidence_counts
('anomaly:version_skew/c1ef470e2fb8e830', {'LineageContext': 1, 'ModelVersion': 1})
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from graph_lineage.lineage.visibility import kind_of_uid

MAX_EVIDENCE = 1000  # uids linked per finding; evidence_counts keeps the whole tally
CRITICAL, WARNING = "critical", "warning"


def anomaly_uid(rule: str, key: str) -> str:
    """``anomaly:<rule>/<16 hex digits of the key's hash>``: stable across scans."""
    digest = hashlib.sha256(f"{rule}|{key}".encode()).hexdigest()[:16]
    return f"anomaly:{rule}/{digest}"


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str  # the subject of the problem, e.g. a context or model version uid
    severity: str
    summary: str
    count: int  # recommendations affected in the scanned window
    evidence: tuple[str, ...]  # uids, the subject first, at most MAX_EVIDENCE
    evidence_counts: dict[str, int] = field(default_factory=dict)  # kind -> uids, uncapped

    @classmethod
    def of(
        cls,
        rule: str,
        key: str,
        severity: str,
        summary: str,
        count: int,
        evidence: Iterable[str],
        totals: dict[str, int] | None = None,
    ) -> Finding:
        """A finding whose evidence is deduplicated in order and tallied by kind.

        ``totals`` overrides the tally of kinds whose evidence was cut to a sample.
        """
        unique = tuple(dict.fromkeys(uid for uid in evidence if uid))
        counts = Counter(kind_of_uid(uid) or "Unknown" for uid in unique)
        counts.update({kind: total - counts[kind] for kind, total in (totals or {}).items()})
        return cls(rule, key, severity, summary, count, unique[:MAX_EVIDENCE], dict(counts))

    @property
    def uid(self) -> str:
        return anomaly_uid(self.rule, self.key)


@dataclass(frozen=True)
class Window:
    """The traffic a scan looks at: recommendations served on or after the day of ``since``.

    Whole days, because recommendation counts come from the per-day ``ContextUsage``
    counters; ``None`` means all of it.
    """

    since: datetime | date | None = None

    @property
    def day(self) -> date | None:
        if self.since is None:
            return None
        if isinstance(self.since, datetime):
            moment = self.since if self.since.tzinfo else self.since.replace(tzinfo=UTC)
            return moment.astimezone(UTC).date()
        return self.since

    @property
    def start(self) -> datetime | None:
        day = self.day
        return None if day is None else datetime.combine(day, time(), tzinfo=UTC)

    def parameters(self) -> dict[str, object]:
        return {"since": self.start, "sinceDay": self.day}
