"""The Cypher of lineage reads: node lookup and one traversal step in each direction.

Traversal is breadth-first, one round trip per depth level, over element ids: each level
expands only nodes not seen before (pruning, never path enumeration) and asks for at most
``$limit`` rows, so a hub with millions of neighbours costs one bounded query. A step
returns the nodes it reaches; the edges among all nodes found come once, at the end.

Every query that returns nodes, here or beside its analysis, projects them with
:func:`node_map` or :func:`node_columns`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any, LiteralString

# Bookkeeping no answer shows: an experiment's declarations are JSON that names model
# versions, so a caller who may not see those would read them there (the experiment report
# reads them itself, and applies visibility).
_INTERNAL: LiteralString = "['declarations', 'declaration_events']"


def props_of(variable: LiteralString) -> LiteralString:
    """``properties(variable)`` in a form the client reads fast; :func:`decoded` reads it.

    The driver builds each zoned datetime property in Python at about 35 µs apiece, which
    made temporal properties most of a traversal's time (a thousand nodes carry thousands
    of them). Here they travel as ``[key, epoch seconds, nanosecond, offset seconds]`` and
    become ``datetime`` values with their offset (to the microsecond, as they were
    written); every other property travels as it is, but bookkeeping (:data:`_INTERNAL`).
    """
    v = variable
    return (
        f"{{plain: [k IN keys({v}) WHERE NOT {v}[k] IS :: ZONED DATETIME"
        f" AND NOT k IN {_INTERNAL} | [k, {v}[k]]],"
        f" times: [k IN keys({v}) WHERE {v}[k] IS :: ZONED DATETIME"
        f" | [k, {v}[k].epochSeconds, {v}[k].nanosecond, {v}[k].offsetSeconds]]}}"
    )


def node_map(variable: LiteralString) -> LiteralString:
    """A node as the API reads it: ``{id, labels, props}``, for
    :meth:`~graph_lineage.lineage.model.Node.from_row`; every query returning nodes uses
    this or :func:`node_columns`."""
    v = variable
    return f"{{id: elementId({v}), labels: labels({v}), props: {props_of(v)}}}"


def node_columns(variable: LiteralString) -> LiteralString:
    """The same projection as :func:`node_map`, as the columns ``id``, ``labels``, ``props``."""
    v = variable
    return f"elementId({v}) AS id, labels({v}) AS labels, {props_of(v)} AS props"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZONES: dict[int, timezone] = {0: UTC}


def decoded(value: dict[str, Any]) -> dict[str, Any]:
    """The properties :func:`props_of` sent."""
    properties = dict(value["plain"])
    for key, seconds, nanosecond, offset in value["times"]:
        zone = _ZONES.get(offset)
        if zone is None:
            zone = _ZONES.setdefault(offset, timezone(timedelta(seconds=offset)))
        moment = _EPOCH + timedelta(seconds=seconds, microseconds=nanosecond // 1000)
        properties[key] = moment if zone is UTC else moment.astimezone(zone)
    return properties


# Every lineage label, each an index seek on its uid constraint (a test keeps this list
# complete). Bookkeeping nodes (ContextUsage, SchemaMigration) are not lineage nodes.
NODE_BY_UID = f"""
CALL () {{
  MATCH (n:DataSource {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Feature {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:FeatureVersion {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Model {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:ModelVersion {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Deployment {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Experiment {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Variant {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:LineageContext {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Recommendation {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Outcome {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:FeatureStatistics {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:DriftAlert {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:DriftWindow {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Anomaly {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:RunRecord {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:DebugSession {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Job {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Run {{uid: $uid}}) RETURN n
  UNION ALL MATCH (n:Dataset {{uid: $uid}}) RETURN n
}}
RETURN {node_columns("n")}
LIMIT 1
"""

# As of $asOf (null: now): an edge counts from its valid_from until its valid_to, a node
# from its valid_from; facts without a validity time (stubs, context edges) always count.
# Bookkeeping and findings (anomalies point at their evidence) are not lineage: not entered.
_VALID = """
($asOf IS NULL OR (
  (r.valid_from IS NULL OR r.valid_from <= $asOf)
  AND (r.valid_to IS NULL OR r.valid_to > $asOf)
  AND (m.valid_from IS NULL OR m.valid_from <= $asOf)))
AND NOT m:ContextUsage AND NOT m:SchemaMigration AND NOT m:Anomaly
AND NOT m:DriftAlert AND NOT m:DriftWindow
AND none(label IN labels(m) WHERE label IN $skip)
"""

UPSTREAM_STEP = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)-[r]->(m)
WHERE NOT elementId(m) IN $seen AND {_VALID}
RETURN {node_columns("m")}
LIMIT $limit
"""

DOWNSTREAM_STEP = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)<-[r]-(m)
WHERE NOT elementId(m) IN $seen AND {_VALID}
RETURN {node_columns("m")}
LIMIT $limit
"""

# Nodes of hidden kinds one step beyond the nodes found, counted per kind, never returned.
_HIDDEN_COUNT = """
WITH DISTINCT m
RETURN head([label IN labels(m) WHERE label IN $hidden]) AS kind, count(m) AS count
"""
_IS_HIDDEN = "any(label IN labels(m) WHERE label IN $hidden)"

HIDDEN_UPSTREAM = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)-[r]->(m)
WHERE {_VALID} AND {_IS_HIDDEN}
{_HIDDEN_COUNT}"""

HIDDEN_DOWNSTREAM = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)<-[r]-(m)
WHERE {_VALID} AND {_IS_HIDDEN}
{_HIDDEN_COUNT}"""

# Recommendations of each context and their outcomes, as of $asOf, counted (collapse).
LEAF_GROUPS = """
UNWIND $ids AS id
MATCH (c:LineageContext) WHERE elementId(c) = id
CALL (c) {
  OPTIONAL MATCH (c)<-[:HAS_CONTEXT]-(r:Recommendation)
  WHERE $asOf IS NULL OR r.valid_from IS NULL OR r.valid_from <= $asOf
  CALL (r) {
    OPTIONAL MATCH (r)<-[:FOR]-(o:Outcome)
    WHERE $withOutcomes AND ($asOf IS NULL OR o.valid_from IS NULL OR o.valid_from <= $asOf)
    RETURN count(o) AS outcomes
  }
  RETURN count(r) AS recommendations, sum(outcomes) AS outcomes
}
RETURN c.uid AS context, recommendations, outcomes
ORDER BY recommendations DESC, context
"""

# Edges among nodes already found (a node reached twice at one level, or a diamond).
EDGES_AMONG = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)-[r]->(m)
WHERE elementId(m) IN $ids AND ($asOf IS NULL OR (
  (r.valid_from IS NULL OR r.valid_from <= $asOf) AND (r.valid_to IS NULL OR r.valid_to > $asOf)))
RETURN elementId(n) AS from, type(r) AS type, {props_of("r")} AS rel, elementId(m) AS to
"""

# The versions of a feature or model, or of the feature or model a version belongs to.
VERSIONS_OF = f"""
UNWIND $uids AS uid
CALL (uid) {{
  MATCH (p:Feature {{uid: uid}}) RETURN p
  UNION MATCH (p:Model {{uid: uid}}) RETURN p
  UNION MATCH (:FeatureVersion {{uid: uid}})-[:VERSION_OF]->(p) RETURN p
  UNION MATCH (:ModelVersion {{uid: uid}})-[:VERSION_OF]->(p) RETURN p
}}
MATCH (v)-[:VERSION_OF]->(p)
RETURN uid, {node_columns("v")}
ORDER BY uid, v.valid_from, v.uid
"""
