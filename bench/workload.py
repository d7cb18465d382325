"""The benchmarks' workload: the demo pipeline (fixed seed), split into what is timed.

The demo's upstream lineage (sources, feature versions, models, deployments, experiments,
daily feature statistics) is a few hundred events whatever the scale; every benchmark
loads it first, untimed, with the product writer. What is timed and measured is the
traffic: ``recommendation.served`` and ``outcome.observed`` in stream order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph_lineage.demo import DemoPipeline
from graph_lineage.events import Event, parse_event
from graph_lineage.store import Store
from graph_lineage.store.writer import LineageWriter

SEED = 20261101
TRAFFIC = frozenset({"recommendation.served", "outcome.observed"})


@dataclass(frozen=True)
class Workload:
    lineage: list[dict[str, Any]]
    traffic: list[dict[str, Any]]  # raw JSON-ready events, as producers send them

    @classmethod
    def demo(cls, recommendations: int, seed: int = SEED, users: int | None = None) -> Workload:
        """``users``: how many users the requests come from (the demo's 2,000 when None,
        whatever the size)."""
        lineage, traffic = [], []
        pipeline = DemoPipeline(recommendations=recommendations, seed=seed)
        if users is not None:
            pipeline = DemoPipeline(recommendations=recommendations, seed=seed, users=users)
        for event in pipeline.events():
            (traffic if event["type"] in TRAFFIC else lineage).append(event)
        return cls(lineage, traffic)

    @property
    def recommendations(self) -> int:
        return sum(event["type"] == "recommendation.served" for event in self.traffic)

    def parsed_traffic(self) -> list[Event]:
        return [parse_event(event) for event in self.traffic]

    def load_lineage(self, writer: LineageWriter) -> None:
        writer.write([parse_event(event) for event in self.lineage])


def batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# What each way must have stored, compared across ways so a fast way that stored less shows.
GRAPH_COUNTS = """
CALL () { MATCH (n:Recommendation) RETURN count(n) AS recommendations }
CALL () { MATCH (n:Outcome) RETURN count(n) AS outcomes }
CALL () { MATCH (n:LineageContext) RETURN count(n) AS contexts }
CALL () { MATCH (n:ContextUsage) RETURN count(n) AS usage_counters,
                                        sum(n.count) AS usage_total }
CALL () { MATCH ()-[r:HAS_CONTEXT]->() RETURN count(r) AS has_context }
CALL () { MATCH ()-[r:FOR]->() RETURN count(r) AS outcome_edges }
CALL () { MATCH (:LineageContext)-[r]->() RETURN count(r) AS context_edges }
CALL () { MATCH ()-[r:OF_CONTEXT]->() RETURN count(r) AS usage_edges }
RETURN recommendations, outcomes, contexts, usage_counters, usage_total, has_context,
       outcome_edges, context_edges, usage_edges
"""


def graph_counts(store: Store) -> dict[str, int]:
    return dict(store.read(GRAPH_COUNTS)[0])
