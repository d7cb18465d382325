"""Stale materialization: a feature version served past its freshness SLA.

A version is stale from ``materialized_at + freshness_sla_seconds`` until a newer version
of its feature is materialized: the feature store was late. A model pinned to an older
version once a newer one exists is not late materialization (the demo does that all the
time, as models serve what they were trained on); skew and impact cover that. One
finding per feature version, counting the recommendations served in its stale window.
"""

from __future__ import annotations

from graph_lineage.anomalies.finding import WARNING, Finding
from graph_lineage.anomalies.rules.base import QueryRule, moment, plural
from graph_lineage.store.connection import Record

STALE_SERVING = """
MATCH (fv:FeatureVersion)
WHERE fv.freshness_sla_seconds IS NOT NULL AND fv.materialized_at IS NOT NULL
CALL (fv) {
  OPTIONAL MATCH (fv)-[:VERSION_OF]->(:Feature)<-[:VERSION_OF]-(newer:FeatureVersion)
  WHERE newer.materialized_at > fv.materialized_at
  RETURN min(newer.materialized_at) AS superseded
}
WITH fv, superseded,
     fv.materialized_at + duration({seconds: fv.freshness_sla_seconds}) AS deadline
WITH fv, superseded, deadline,
     CASE WHEN $since IS NULL OR $since < deadline THEN deadline ELSE $since END AS from
WHERE superseded IS NULL OR superseded > from
MATCH (c:LineageContext)-[:USED_FEATURE]->(fv)
WHERE c.last_seen >= from AND (superseded IS NULL OR c.first_seen < superseded)
CALL (c, from, superseded) {
  MATCH (:Recommendation)-[h:HAS_CONTEXT]->(c)
  WHERE h.valid_from >= from AND (superseded IS NULL OR h.valid_from < superseded)
  RETURN count(h) AS served
}
WITH fv, deadline, superseded, collect(c.uid) AS contexts, sum(served) AS served
WHERE served > 0
RETURN fv.uid AS feature_version, fv.freshness_sla_seconds AS sla, deadline, superseded,
       contexts, served
ORDER BY feature_version
"""


class StaleFeature(QueryRule, name="stale_feature", severity=WARNING):
    """A feature version served past its freshness SLA, before anything newer came."""

    query = STALE_SERVING

    def finding(self, row: Record) -> Finding:
        subject, served = row["feature_version"], row["served"]
        until = moment(row["superseded"]) if row["superseded"] else "now"
        summary = (
            f"{subject} was served {plural(served, 'time')} past its"
            f" {row['sla']:,} s freshness SLA (due {moment(row['deadline'])},"
            f" nothing newer until {until})"
        )
        return self.found(subject, summary, served, [subject, *sorted(row["contexts"])])
