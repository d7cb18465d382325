"""The Cypher of lineage reads: node lookup and one traversal step in each direction.

Traversal is breadth-first, one round trip per depth level, over element ids: each level
expands only nodes not seen before (pruning, never path enumeration) and asks for at most
``$limit`` rows, so a hub with millions of neighbours costs one bounded query.
"""

from __future__ import annotations

# Every lineage label, each an index seek on its uid constraint (a test keeps this list
# complete). Bookkeeping nodes (ContextUsage, SchemaMigration) are not lineage nodes.
NODE_BY_UID = """
CALL () {
  MATCH (n:DataSource {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Feature {uid: $uid}) RETURN n
  UNION ALL MATCH (n:FeatureVersion {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Model {uid: $uid}) RETURN n
  UNION ALL MATCH (n:ModelVersion {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Deployment {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Experiment {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Variant {uid: $uid}) RETURN n
  UNION ALL MATCH (n:LineageContext {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Recommendation {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Outcome {uid: $uid}) RETURN n
  UNION ALL MATCH (n:FeatureStatistics {uid: $uid}) RETURN n
  UNION ALL MATCH (n:DriftAlert {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Anomaly {uid: $uid}) RETURN n
  UNION ALL MATCH (n:AuditRun {uid: $uid}) RETURN n
  UNION ALL MATCH (n:DebugSession {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Job {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Run {uid: $uid}) RETURN n
  UNION ALL MATCH (n:Dataset {uid: $uid}) RETURN n
}
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props
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
AND none(label IN labels(m) WHERE label IN $skip)
"""

UPSTREAM_STEP = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)-[r]->(m)
WHERE NOT elementId(m) IN $seen AND {_VALID}
RETURN elementId(n) AS from, type(r) AS type, properties(r) AS rel,
       elementId(m) AS id, labels(m) AS labels, properties(m) AS props
LIMIT $limit
"""

DOWNSTREAM_STEP = f"""
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)<-[r]-(m)
WHERE NOT elementId(m) IN $seen AND {_VALID}
RETURN elementId(n) AS from, type(r) AS type, properties(r) AS rel,
       elementId(m) AS id, labels(m) AS labels, properties(m) AS props
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

# Edges among nodes already found (a node reached twice at one level, or a diamond).
EDGES_AMONG = """
UNWIND $ids AS id
MATCH (n) WHERE elementId(n) = id
MATCH (n)-[r]->(m)
WHERE elementId(m) IN $ids AND ($asOf IS NULL OR (
  (r.valid_from IS NULL OR r.valid_from <= $asOf) AND (r.valid_to IS NULL OR r.valid_to > $asOf)))
RETURN elementId(n) AS from, type(r) AS type, properties(r) AS rel, elementId(m) AS to
"""

# The versions of a feature or model, or of the feature or model a version belongs to.
VERSIONS_OF = """
UNWIND $uids AS uid
CALL (uid) {
  MATCH (p:Feature {uid: uid}) RETURN p
  UNION MATCH (p:Model {uid: uid}) RETURN p
  UNION MATCH (:FeatureVersion {uid: uid})-[:VERSION_OF]->(p) RETURN p
  UNION MATCH (:ModelVersion {uid: uid})-[:VERSION_OF]->(p) RETURN p
}
MATCH (v)-[:VERSION_OF]->(p)
RETURN uid, elementId(v) AS id, labels(v) AS labels, properties(v) AS props
ORDER BY uid, v.valid_from, v.uid
"""
