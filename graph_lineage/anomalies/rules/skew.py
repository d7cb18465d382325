"""Training/serving skew: served with feature versions the model version was not trained on.

A property of a lineage context (one model version, one set of served feature versions),
so there is one finding per context, counted through its usage counters. A served set
that is a strict subset of the trained one is a capture gap, not skew; a model version
never announced by a training event is the unknown-model rule's concern.
"""

from __future__ import annotations

from graph_lineage import uids
from graph_lineage.anomalies.finding import CRITICAL, Finding
from graph_lineage.anomalies.rules.base import SERVED_THROUGH_CONTEXT, QueryRule, plural
from graph_lineage.store.connection import Record

SKEWED_CONTEXTS = f"""
MATCH (c:LineageContext)-[:USED_MODEL]->(mv:ModelVersion)
WHERE mv.stub IS NULL AND ($since IS NULL OR c.last_seen >= $since)
WITH c, mv, COLLECT {{ MATCH (mv)-[:TRAINED_ON]->(t:FeatureVersion) RETURN t.uid }} AS trained
WHERE size(trained) > 0
WITH c, mv, trained,
     [uid IN COLLECT {{ MATCH (c)-[:USED_FEATURE]->(s:FeatureVersion) RETURN s.uid }}
      WHERE NOT uid IN trained] AS skewed
WHERE size(skewed) > 0
{SERVED_THROUGH_CONTEXT}
RETURN c.uid AS context, mv.uid AS model_version, skewed, trained, c.variant AS variant, served
ORDER BY context
"""


class VersionSkew(QueryRule, name="version_skew", severity=CRITICAL):
    """Served with feature versions other than those its model version was trained on."""

    query = SKEWED_CONTEXTS

    def finding(self, row: Record) -> Finding:
        context, model, served = row["context"], row["model_version"], row["served"]
        skewed = sorted(row["skewed"])
        trained = {uids.parse(uid).name: uid for uid in row["trained"]}
        pairs = []
        for uid in skewed:
            expected = trained.get(uids.parse(uid).name)
            pairs.append(f"{uid} (trained on {expected})" if expected else f"{uid} (never trained)")
        summary = (
            f"{model} served with {', '.join(pairs)}:"
            f" {plural(served, 'recommendation')} through {context}"
        )
        return self.found(context, summary, served, [context, model, *skewed, row["variant"]])
