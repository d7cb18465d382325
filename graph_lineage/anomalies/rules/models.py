"""Model versions that should not serve traffic: unknown ones and retired ones.

Unknown: never announced by a training event (a stub) or never deployed anywhere.
Retired: every deployment of it was retired, and it served after the last retirement.
One finding per model version; retired traffic is counted from the retirement on.
"""

from __future__ import annotations

from graph_lineage.anomalies.finding import CRITICAL, Finding
from graph_lineage.anomalies.rules.base import SERVED_THROUGH_CONTEXT, QueryRule, moment, plural
from graph_lineage.store.connection import Record

UNKNOWN_SERVING = f"""
MATCH (c:LineageContext)-[:USED_MODEL]->(mv:ModelVersion)
WHERE ($since IS NULL OR c.last_seen >= $since)
  AND (mv.stub = true OR NOT EXISTS {{ (:Deployment)-[:DEPLOYS]->(mv) }})
{SERVED_THROUGH_CONTEXT}
WITH mv, collect(c.uid) AS contexts, sum(served) AS served
WHERE served > 0
RETURN mv.uid AS model_version, coalesce(mv.stub, false) AS untrained,
       EXISTS {{ (:Deployment)-[:DEPLOYS]->(mv) }} AS deployed, contexts, served
ORDER BY model_version
"""

RETIRED_SERVING = """
MATCH (d:Deployment)-[:DEPLOYS]->(mv:ModelVersion)
WITH mv, collect(d.uid) AS deployments, count(d) AS total, count(d.retired_at) AS retired,
     max(d.retired_at) AS retiredAt
WHERE retired = total
WITH mv, deployments, retiredAt,
     CASE WHEN $since IS NULL OR $since < retiredAt THEN retiredAt ELSE $since END AS from
MATCH (c:LineageContext)-[:USED_MODEL]->(mv)
WHERE c.last_seen >= from
CALL (c, from) {
  MATCH (:Recommendation)-[h:HAS_CONTEXT]->(c)
  WHERE h.valid_from >= from
  RETURN count(h) AS served
}
WITH mv, deployments, retiredAt, collect(c.uid) AS contexts, sum(served) AS served
WHERE served > 0
RETURN mv.uid AS model_version, deployments, retiredAt AS retired_at, contexts, served
ORDER BY model_version
"""


class UnknownModel(QueryRule, name="unknown_model", severity=CRITICAL):
    """A model version never trained or never deployed serving traffic."""

    query = UNKNOWN_SERVING

    def finding(self, row: Record) -> Finding:
        model, served = row["model_version"], row["served"]
        why = [] if not row["untrained"] else ["never announced by a training event"]
        why += [] if row["deployed"] else ["never deployed"]
        summary = f"{model} served {plural(served, 'recommendation')} but was {' and '.join(why)}"
        return self.found(model, summary, served, [model, *sorted(row["contexts"])])


class RetiredModel(QueryRule, name="retired_model", severity=CRITICAL):
    """A model version serving traffic after it was retired."""

    query = RETIRED_SERVING

    def finding(self, row: Record) -> Finding:
        model, served = row["model_version"], row["served"]
        summary = (
            f"{model} served {plural(served, 'recommendation')}"
            f" after it retired at {moment(row['retired_at'])}"
        )
        evidence = [model, *sorted(row["deployments"]), *sorted(row["contexts"])]
        return self.found(model, summary, served, evidence)
