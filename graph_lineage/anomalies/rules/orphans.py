"""Orphan recommendations: served without a lineage context, a model version or features.

Two shapes: recommendations with no context at all (typically only their outcomes
arrived: the served event was lost), reported together as one problem; and contexts with
no model version or no feature versions, one problem per context, counted through it.
"""

from __future__ import annotations

from graph_lineage.anomalies.finding import MAX_EVIDENCE, WARNING, Finding, Window
from graph_lineage.anomalies.rules.base import SERVED_THROUGH_CONTEXT, QueryRule, plural
from graph_lineage.store.connection import Record, Store

WITHOUT_CONTEXT = """
MATCH (r:Recommendation)
WHERE NOT EXISTS { (r)-[:HAS_CONTEXT]->(:LineageContext) }
  AND ($since IS NULL OR coalesce(r.served_at, r.ingested_at) >= $since)
WITH r ORDER BY r.uid
RETURN count(r) AS count, collect(r.uid)[..$sample] AS sample,
       count(CASE WHEN r.stub THEN 1 END) AS outcomes_only
"""

BARE_CONTEXTS = f"""
MATCH (c:LineageContext)
WHERE ($since IS NULL OR c.last_seen >= $since)
  AND (NOT EXISTS {{ (c)-[:USED_MODEL]->(:ModelVersion) }}
       OR NOT EXISTS {{ (c)-[:USED_FEATURE]->(:FeatureVersion) }})
{SERVED_THROUGH_CONTEXT}
RETURN c.uid AS context, c.variant AS variant,
       COLLECT {{ MATCH (c)-[:USED_MODEL]->(mv:ModelVersion) RETURN mv.uid }} AS model_versions,
       COUNT {{ (c)-[:USED_FEATURE]->(:FeatureVersion) }} AS features, served
ORDER BY context
"""

NO_CONTEXT_KEY = "no-context"


class OrphanRecommendation(QueryRule, name="orphan_recommendation", severity=WARNING):
    """A recommendation without a lineage context, model version or feature versions."""

    query = BARE_CONTEXTS

    def scan(self, store: Store, window: Window) -> list[Finding]:
        findings = super().scan(store, window)
        (lost,) = store.read(WITHOUT_CONTEXT, sample=MAX_EVIDENCE, **window.parameters())
        if lost["count"]:
            summary = (
                f"{plural(lost['count'], 'recommendation')} have no lineage context"
                f" ({lost['outcomes_only']:,} known only from their outcomes: the served"
                " event never arrived)"
            )
            totals = {"Recommendation": lost["count"]}
            count, sample = lost["count"], lost["sample"]
            findings.append(
                Finding.of(self.name, NO_CONTEXT_KEY, self.severity, summary, count, sample, totals)
            )
        return findings

    def finding(self, row: Record) -> Finding:
        context, served, models = row["context"], row["served"], row["model_versions"]
        missing = [] if models else ["model version"]
        missing += [] if row["features"] else ["feature versions"]
        summary = (
            f"{plural(served, 'recommendation')} served through {context}"
            f" ({', '.join(models) or 'no model'}) with no {' and no '.join(missing)}"
        )
        return self.found(context, summary, served, [context, *models, row["variant"]])
