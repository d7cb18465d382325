"""Experiment integrity: variants serving what they did not declare, declarations changing.

What a variant serves is declared by its experiment's events, kept as one ``SERVES`` edge
per serving interval. A request is judged against the declaration in force when it
was served; a request served before the variant's first declaration is judged against
that first one (assignment runs ahead of the start event by however long the event takes
to be logged), so the rule is about *which* model version a variant served, not when the
experiment's events were timed.
"""

from __future__ import annotations

from graph_lineage.anomalies.finding import CRITICAL, WARNING, Finding
from graph_lineage.anomalies.rules.base import QueryRule, moment, plural
from graph_lineage.store.connection import Record

# Per context in a variant: the declarations of its model version by that variant, the
# first one open-ended backwards. Contexts wholly inside one declaration cost no scan.
UNDECLARED_SERVING = """
MATCH (c:LineageContext)-[:IN_VARIANT]->(v:Variant)
WHERE $since IS NULL OR c.last_seen >= $since
MATCH (c)-[:USED_MODEL]->(mv:ModelVersion)
WITH c, v, mv,
     COLLECT { MATCH (v)-[s:SERVES]->(m:ModelVersion)
               RETURN {model_version: m.uid, opens: s.valid_from, closes: s.valid_to} }
       AS declared
WITH c, v, mv, declared,
     reduce(earliest = null, d IN declared |
            CASE WHEN earliest IS NULL OR d.opens < earliest THEN d.opens ELSE earliest END)
       AS firstDeclared
WITH c, v, mv, declared,
     [d IN declared WHERE d.model_version = mv.uid |
      {opens: CASE WHEN d.opens = firstDeclared THEN null ELSE d.opens END, closes: d.closes}]
       AS covering
WHERE NOT any(d IN covering WHERE (d.opens IS NULL OR d.opens <= c.first_seen)
                              AND (d.closes IS NULL OR c.last_seen < d.closes))
CALL (c, covering) {
  MATCH (:Recommendation)-[h:HAS_CONTEXT]->(c)
  WHERE ($since IS NULL OR h.valid_from >= $since)
    AND NOT any(d IN covering WHERE (d.opens IS NULL OR d.opens <= h.valid_from)
                                AND (d.closes IS NULL OR h.valid_from < d.closes))
  RETURN count(h) AS served
}
WITH c, v, mv, declared, served
WHERE served > 0
OPTIONAL MATCH (v)-[:OF]->(e:Experiment)
RETURN c.uid AS context, v.uid AS variant, mv.uid AS model_version, e.uid AS experiment,
       [d IN declared | d.model_version] AS declared, served
ORDER BY context
"""

# Variants whose declared model version changed while their experiment ran.
CHANGED_DECLARATIONS = """
MATCH (v:Variant)-[s:SERVES]->(m:ModelVersion)
WITH v, s, m ORDER BY s.valid_from, m.uid
WITH v, collect({model_version: m.uid, opens: s.valid_from}) AS declarations
WHERE size(declarations) > 1
OPTIONAL MATCH (v)-[:OF]->(e:Experiment)
WITH v, e, declarations, declarations[1].opens AS changedAt
WHERE e IS NULL OR e.stopped_at IS NULL OR changedAt < e.stopped_at
WITH v, e, declarations, changedAt,
     CASE WHEN $since IS NULL OR $since < changedAt THEN changedAt ELSE $since END AS from
CALL (v, from) {
  OPTIONAL MATCH (c:LineageContext)-[:IN_VARIANT]->(v)
  WHERE c.last_seen >= from
  OPTIONAL MATCH (:Recommendation)-[h:HAS_CONTEXT]->(c)
  WHERE h.valid_from >= from
  RETURN count(h) AS served
}
WITH v, e, declarations, changedAt, served
WHERE $since IS NULL OR changedAt >= $since OR served > 0
RETURN v.uid AS variant, e.uid AS experiment, [d IN declarations | d.model_version] AS declared,
       changedAt AS changed_at, served
ORDER BY variant
"""


class ExperimentMismatch(QueryRule, name="experiment_mismatch", severity=CRITICAL):
    """A variant served a model version other than the one it declared."""

    query = UNDECLARED_SERVING

    def finding(self, row: Record) -> Finding:
        context, variant, served = row["context"], row["variant"], row["served"]
        declared = ", ".join(sorted(set(row["declared"]))) or "nothing"
        summary = (
            f"{variant} served {row['model_version']} when it did not declare it"
            f" (it declared {declared} over the experiment):"
            f" {plural(served, 'recommendation')} through {context}"
        )
        evidence = [context, variant, row["model_version"], row["experiment"]]
        return self.found(context, summary, served, evidence)


class DeclarationChange(QueryRule, name="declaration_change", severity=WARNING):
    """A variant's declared model version changed while its experiment ran."""

    query = CHANGED_DECLARATIONS

    def finding(self, row: Record) -> Finding:
        variant, served, declared = row["variant"], row["served"], row["declared"]
        summary = (
            f"{variant} changed its model version mid-experiment"
            f" ({' -> '.join(declared)}, from {moment(row['changed_at'])});"
            f" {plural(served, 'recommendation')} served since"
        )
        return self.found(variant, summary, served, [variant, row["experiment"], *declared])
