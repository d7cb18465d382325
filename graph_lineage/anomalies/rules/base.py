"""What every anomaly rule is: a name, a severity, and a scan of a window of traffic."""

from __future__ import annotations

from datetime import UTC
from typing import Any, Protocol

from graph_lineage.anomalies.finding import Finding, Window
from graph_lineage.store.connection import Record, Store
from graph_lineage.store.values import native

# After ``c`` (a LineageContext): ``served``, its recommendations in the window, summed from
# the per-day counters rather than counted one recommendation at a time.
SERVED_THROUGH_CONTEXT = """
CALL (c) {
  OPTIONAL MATCH (u:ContextUsage {context: c.uid})
  WHERE $sinceDay IS NULL OR u.day >= $sinceDay
  RETURN coalesce(sum(u.count), 0) AS served
}
"""


class Rule(Protocol):
    """One kind of lineage anomaly.

    ``scan`` returns one finding per distinct problem seen in ``window``, never one per
    recommendation: problems are counted through lineage contexts.
    """

    name: str
    severity: str
    description: str

    def scan(self, store: Store, window: Window) -> list[Finding]: ...


class QueryRule:
    """A rule whose findings are the rows of one query over the window, one finding a row.

    A subclass gives its name and severity in its class line, its description as its
    docstring and its ``query``, and turns a row into a finding in ``finding``, usually
    through ``found``, which fills in the rule's name and severity.
    """

    name: str
    severity: str
    description: str
    query: str

    def __init_subclass__(cls, *, name: str, severity: str) -> None:
        cls.name, cls.severity = name, severity
        summary = (cls.__doc__ or "").strip().rstrip(".")
        cls.description = summary[:1].lower() + summary[1:]

    def scan(self, store: Store, window: Window) -> list[Finding]:
        return [self.finding(row) for row in store.read(self.query, **window.parameters())]

    def finding(self, row: Record) -> Finding:
        raise NotImplementedError

    def found(self, key: str, summary: str, count: int, evidence: list[str]) -> Finding:
        return Finding.of(self.name, key, self.severity, summary, count, evidence)


def moment(value: Any) -> str:
    """A Neo4j or Python time as ISO 8601 to the second, in UTC."""
    return str(native(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
