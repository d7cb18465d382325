"""Missing ancestry: a materialized feature version whose derivation reaches no data source.

A feature version that was never materialized (a stub, known only because something
references it) has no ancestry by definition; that is a capture gap for completeness
audits, not this rule. The rule names the materialized version whose declared derivation
runs into the ground, with where it ends and how much traffic it served.
"""

from __future__ import annotations

from graph_lineage.anomalies.finding import WARNING, Finding
from graph_lineage.anomalies.rules.base import QueryRule, plural
from graph_lineage.store.connection import Record

ROOTLESS_FEATURE_VERSIONS = """
MATCH (fv:FeatureVersion)
WHERE fv.stub IS NULL AND NOT EXISTS { (fv)-[:DERIVED_FROM*1..20]->(:DataSource) }
CALL (fv) {
  OPTIONAL MATCH (c:LineageContext)-[:USED_FEATURE]->(fv)
  WHERE $since IS NULL OR c.last_seen >= $since
  RETURN collect(c.uid) AS contexts
}
WITH fv, contexts
WHERE $since IS NULL OR fv.materialized_at >= $since OR size(contexts) > 0
CALL (contexts) {
  UNWIND contexts AS context
  MATCH (u:ContextUsage {context: context})
  WHERE $sinceDay IS NULL OR u.day >= $sinceDay
  RETURN sum(u.count) AS served
}
RETURN fv.uid AS feature_version, contexts, served,
       COLLECT {
         MATCH (fv)-[:DERIVED_FROM*1..20]->(end)
         WHERE NOT EXISTS { (end)-[:DERIVED_FROM]->() }
         RETURN DISTINCT end.uid
       } AS ends
ORDER BY feature_version
"""


class MissingAncestry(QueryRule, name="missing_ancestry", severity=WARNING):
    """A materialized feature version with no derivation path to a data source."""

    query = ROOTLESS_FEATURE_VERSIONS

    def finding(self, row: Record) -> Finding:
        subject, ends, served = row["feature_version"], sorted(row["ends"]), row["served"]
        summary = (
            f"{subject} has no derivation path to a data source"
            f" (it ends at {', '.join(ends) or 'nothing'});"
            f" {plural(served, 'recommendation')} served with it"
        )
        return self.found(subject, summary, served, [subject, *ends, *sorted(row["contexts"])])
