"""The Cypher of lineage capture: one batched ``UNWIND`` statement per event type.

Rules every statement keeps, so that replays and out-of-order arrival end in one graph:

- nodes are ``MERGE``d on ``uid``; a node referenced before its own event arrives is
  created as a *stub* (``stub = true``) holding only what its uid says, and completed
  when the event comes;
- descriptive properties are set only by the newest event for that node, by
  ``(event_time, event_id)``, so an older event arriving late changes nothing;
- ``valid_from`` is the earliest event time that asserts a fact, ``ingested_at`` the
  first time the store saw the node or edge; neither moves on a replay;
- counters only move when a recommendation is first stored;
- sensitive properties arrive sealed in ``row.sealed`` (see ``graph_lineage.sealing``).
  Each sealing draws a random nonce, so a replay of the event a node already holds keeps
  the stored envelopes instead of writing new text for the same values.

``$now`` is the ingestion time of the whole batch; ``$sealedPrefix`` starts every envelope.
"""

from __future__ import annotations

# A row's event is at least as new as what the node holds (ties broken by event id).
_NEWER = """
(n.event_time IS NULL OR row.event_time > n.event_time
 OR (row.event_time = n.event_time AND row.event_id >= n.event_id))
"""

# After _NEWER: sealed properties of a newer event, or where the node has a sensitive
# property missing or still in plaintext (stored before encryption was turned on).
_SEALED = """
SET n += CASE WHEN n.event_id IS NULL OR n.event_id <> row.event_id
                   OR any(key IN keys(row.sealed)
                          WHERE NOT coalesce(n[key] STARTS WITH $sealedPrefix, false))
         THEN row.sealed ELSE {} END
"""

DATA_SOURCES = f"""
UNWIND $rows AS row
MERGE (n:DataSource {{uid: row.uid}})
SET n.ingested_at = coalesce(n.ingested_at, $now),
    n.valid_from = CASE WHEN n.valid_from IS NULL OR row.event_time < n.valid_from
                   THEN row.event_time ELSE n.valid_from END
WITH n, row WHERE {_NEWER}
{_SEALED}
SET n += row.props, n.event_time = row.event_time, n.event_id = row.event_id
REMOVE n.stub
"""

# A feature version and its feature, completed from a stub if one exists.
_FEATURE_VERSION_STUB = """
MERGE (feature:Feature {uid: fv.feature_uid})
  ON CREATE SET feature.name = fv.feature, feature.ingested_at = $now
MERGE (version:FeatureVersion {uid: fv.uid})
  ON CREATE SET version.stub = true, version.feature = fv.feature, version.version = fv.version,
                version.ingested_at = $now
MERGE (version)-[versionOf:VERSION_OF]->(feature)
  ON CREATE SET versionOf.ingested_at = $now
"""

_MODEL_VERSION_STUB = """
MERGE (model:Model {uid: mv.model_uid})
  ON CREATE SET model.name = mv.model, model.ingested_at = $now
MERGE (modelVersion:ModelVersion {uid: mv.uid})
  ON CREATE SET modelVersion.stub = true, modelVersion.model = mv.model,
                modelVersion.version = mv.version, modelVersion.ingested_at = $now
MERGE (modelVersion)-[mvOf:VERSION_OF]->(model)
  ON CREATE SET mvOf.ingested_at = $now
"""

_EARLIEST = """
{edge}.valid_from = CASE WHEN {edge}.valid_from IS NULL OR {time} < {edge}.valid_from
                    THEN {time} ELSE {edge}.valid_from END
"""


def _earliest(edge: str, time: str) -> str:
    return _EARLIEST.format(edge=edge, time=time)


FEATURE_VERSIONS = f"""
UNWIND $rows AS row
WITH row, row.version AS fv
{_FEATURE_VERSION_STUB}
SET {_earliest("versionOf", "row.valid_from")}
WITH version AS n, row
CALL (n, row) {{
  UNWIND row.sources AS source
  MERGE (parent:DataSource {{uid: source.uid}})
    ON CREATE SET parent.stub = true, parent.name = source.name, parent.ingested_at = $now
  MERGE (n)-[d:DERIVED_FROM]->(parent)
    ON CREATE SET d.ingested_at = $now
  SET {_earliest("d", "row.valid_from")}
}}
CALL (n, row) {{
  UNWIND row.parents AS fv
  {_FEATURE_VERSION_STUB}
  MERGE (n)-[d:DERIVED_FROM]->(version)
    ON CREATE SET d.ingested_at = $now
  SET {_earliest("d", "row.valid_from")}
}}
WITH n, row WHERE {_NEWER}
SET n += row.props, n.valid_from = row.valid_from,
    n.event_time = row.event_time, n.event_id = row.event_id
REMOVE n.stub
"""

MODEL_VERSIONS = f"""
UNWIND $rows AS row
WITH row, row.version AS mv
{_MODEL_VERSION_STUB}
SET {_earliest("mvOf", "row.event_time")}
WITH modelVersion AS n, row
CALL (n, row) {{
  UNWIND row.trained_on AS fv
  {_FEATURE_VERSION_STUB}
  MERGE (n)-[t:TRAINED_ON]->(version)
    ON CREATE SET t.ingested_at = $now
  SET {_earliest("t", "row.event_time")}
}}
WITH n, row WHERE {_NEWER}
SET n += row.props, n.trained_at = row.event_time, n.valid_from = row.event_time,
    n.event_time = row.event_time, n.event_id = row.event_id
REMOVE n.stub
"""

DEPLOYMENTS = f"""
UNWIND $rows AS row
WITH row, row.version AS mv
{_MODEL_VERSION_STUB}
MERGE (n:Deployment {{uid: row.uid}})
  ON CREATE SET n.model_version = mv.uid, n.environment = row.environment,
                n.ingested_at = $now
MERGE (n)-[d:DEPLOYS]->(modelVersion)
  ON CREATE SET d.ingested_at = $now
SET n.deployed_at = CASE WHEN row.deployed AND (n.deployed_at IS NULL
                         OR row.event_time < n.deployed_at)
                    THEN row.event_time ELSE n.deployed_at END,
    n.retired_at = CASE WHEN NOT row.deployed AND (n.retired_at IS NULL
                        OR row.event_time > n.retired_at)
                   THEN row.event_time ELSE n.retired_at END
SET n.valid_from = n.deployed_at, d.valid_from = n.deployed_at,
    d.valid_to = CASE WHEN n.retired_at > n.deployed_at THEN n.retired_at END
WITH n, row WHERE {_NEWER}
SET n.status = row.status, n.traffic = row.traffic,
    n.event_time = row.event_time, n.event_id = row.event_id
"""

# Which model version a variant serves is kept as one SERVES edge per serving interval:
# a variant that serves A, then B, then A again has two edges to A. The intervals are a
# function of the declarations alone, so any arrival order ends in the same edges: each
# edge keeps the times of the declarations it holds (``declared_at``), and a new
# declaration rebuilds the variant's intervals from all of them. Declarations are ordered
# by time, then by model version uid (two declarations at one instant). An interval opens
# at the first declaration of a run declaring one model version and closes at the next
# declaration of another. A declaration already held (a replay) writes nothing. Edges
# written before ``declared_at`` existed hold their ``valid_from`` alone.
_SERVING_INTERVALS = """
WITH variant, {mv: modelVersion, at: row.event_time} AS new,
     reduce(held = [], edge IN [(variant)-[s:SERVES]->(m:ModelVersion)
                                | {mv: m, times: coalesce(s.declared_at, [s.valid_from])}]
            | held + [at IN edge.times | {mv: edge.mv, at: at}]) AS held
WITH variant, new, held
WHERE none(d IN held WHERE d.mv = new.mv AND NOT (d.at < new.at OR new.at < d.at))
WITH variant, COLLECT { UNWIND held + [new] AS d RETURN d ORDER BY d.at, d.mv.uid } AS declared
CALL (variant, declared) {
  UNWIND [i IN range(0, size(declared) - 1)
          WHERE i = 0 OR declared[i - 1].mv <> declared[i].mv] AS first
  WITH variant, declared, first,
       head([j IN range(first + 1, size(declared) - 1)
             WHERE declared[j].mv <> declared[first].mv] + [size(declared)]) AS next
  WITH variant, declared[first].mv AS mv, declared[first].at AS opens,
       CASE WHEN next < size(declared) THEN declared[next].at END AS closes,
       [d IN declared[first..next] | d.at] AS times
  MERGE (variant)-[serves:SERVES {valid_from: opens}]->(mv)
    ON CREATE SET serves.ingested_at = $now
  SET serves.valid_to = closes, serves.declared_at = times
  RETURN collect(serves) AS intervals
}
CALL (variant, intervals) {
  MATCH (variant)-[stale:SERVES]->()
  WHERE NOT stale IN intervals
  DELETE stale
}
"""

# Every declaration an experiment's events made is kept, as JSON in ``declarations`` (one
# per event id, in arrival order; readers sort them by time): the split and the flags can
# change mid-experiment, and an analysis compares each period with what it declared.
EXPERIMENTS = f"""
UNWIND $rows AS row
MERGE (n:Experiment {{uid: row.uid}})
  ON CREATE SET n.name = row.name, n.ingested_at = $now
SET n.started_at = CASE WHEN n.started_at IS NULL OR row.event_time < n.started_at
                   THEN row.event_time ELSE n.started_at END,
    n.stopped_at = CASE WHEN row.stopped AND (n.stopped_at IS NULL
                        OR row.event_time > n.stopped_at)
                   THEN row.event_time ELSE n.stopped_at END
SET n.valid_from = n.started_at
SET n.declarations = CASE WHEN row.event_id IN coalesce(n.declaration_events, [])
                     THEN n.declarations ELSE coalesce(n.declarations, []) + row.declaration END,
    n.declaration_events = CASE WHEN row.event_id IN coalesce(n.declaration_events, [])
                           THEN n.declaration_events
                           ELSE coalesce(n.declaration_events, []) + row.event_id END
WITH n AS experiment, row
CALL (experiment, row) {{
  UNWIND row.variants AS declared
  WITH experiment, row, declared, declared.model_version AS mv
  {_MODEL_VERSION_STUB}
  MERGE (variant:Variant {{uid: declared.uid}})
    ON CREATE SET variant.name = declared.name, variant.experiment = row.name,
                  variant.ingested_at = $now
  MERGE (variant)-[variantOf:OF]->(experiment)
    ON CREATE SET variantOf.ingested_at = $now
  SET {_earliest("variantOf", "row.event_time")}
  WITH row, declared, variant, modelVersion,
       (variant.event_time IS NULL OR row.event_time > variant.event_time
        OR (row.event_time = variant.event_time AND row.event_id >= variant.event_id)) AS newest
  SET variant.traffic_share = CASE WHEN newest THEN declared.traffic_share
                              ELSE variant.traffic_share END,
      variant.event_id = CASE WHEN newest THEN row.event_id ELSE variant.event_id END,
      variant.event_time = CASE WHEN newest THEN row.event_time ELSE variant.event_time END
  REMOVE variant.stub
  WITH row, variant, modelVersion
  CALL (row, variant, modelVersion) {{
    {_SERVING_INTERVALS}
  }}
}}
WITH experiment AS n, row WHERE {_NEWER}
{_SEALED}
SET n += row.props, n.status = row.status,
    n.event_time = row.event_time, n.event_id = row.event_id
REMOVE n.stub
"""

# Contexts are few; their edges are written once, when a writer first meets them.
CONTEXTS_SEEN = """
UNWIND $contexts AS c
MERGE (n:LineageContext {uid: c.uid})
  ON CREATE SET n.fingerprint = c.fingerprint, n.model_version = c.model_version.uid,
                n.feature_versions = [fv IN c.feature_versions | fv.uid],
                n.variant = c.variant.uid, n.ingested_at = $now
SET n.first_seen = CASE WHEN n.first_seen IS NULL OR c.first_seen < n.first_seen
                   THEN c.first_seen ELSE n.first_seen END,
    n.last_seen = CASE WHEN n.last_seen IS NULL OR c.last_seen > n.last_seen
                  THEN c.last_seen ELSE n.last_seen END
SET n.valid_from = n.first_seen
"""

CONTEXT_LINKS = f"""
UNWIND $contexts AS c
MATCH (n:LineageContext {{uid: c.uid}})
WITH n, c, c.model_version AS mv
{_MODEL_VERSION_STUB}
MERGE (n)-[used:USED_MODEL]->(modelVersion)
  ON CREATE SET used.ingested_at = $now
WITH n, c
CALL (n, c) {{
  UNWIND c.feature_versions AS fv
  {_FEATURE_VERSION_STUB}
  MERGE (n)-[used:USED_FEATURE]->(version)
    ON CREATE SET used.ingested_at = $now
}}
CALL (n, c) {{
  UNWIND CASE WHEN c.variant IS NULL THEN [] ELSE [c.variant] END AS declared
  MERGE (experiment:Experiment {{uid: declared.experiment_uid}})
    ON CREATE SET experiment.stub = true, experiment.name = declared.experiment,
                  experiment.ingested_at = $now
  MERGE (variant:Variant {{uid: declared.uid}})
    ON CREATE SET variant.stub = true, variant.name = declared.name,
                  variant.experiment = declared.experiment, variant.ingested_at = $now
  MERGE (variant)-[variantOf:OF]->(experiment)
    ON CREATE SET variantOf.ingested_at = $now
  MERGE (n)-[inVariant:IN_VARIANT]->(variant)
    ON CREATE SET inVariant.ingested_at = $now
}}
"""

# One node and one edge per recommendation; usage counters move only on first storage.
RECOMMENDATIONS = """
UNWIND $rows AS row
MERGE (n:Recommendation {uid: row.uid})
WITH n, row, n.served_at IS NULL AS isFirst
SET n += row.props, n.valid_from = row.props.served_at,
    n.ingested_at = coalesce(n.ingested_at, $now),
    n.event_time = row.event_time, n.event_id = row.event_id
REMOVE n.stub
WITH n, row, isFirst WHERE isFirst
MATCH (context:LineageContext {uid: row.context})
CREATE (n)-[:HAS_CONTEXT {valid_from: row.props.served_at, ingested_at: $now}]->(context)
WITH context, row.day AS day, row.props.segment AS segment, count(*) AS served
MERGE (usage:ContextUsage {context: context.uid, day: day, segment: segment})
  ON CREATE SET usage.count = 0
SET usage.count = usage.count + served
MERGE (usage)-[:OF_CONTEXT]->(context)
"""

OUTCOMES = """
UNWIND $rows AS row
MERGE (n:Outcome {uid: row.uid})
  ON CREATE SET n += row.props, n.valid_from = row.props.observed_at,
                n.event_time = row.event_time, n.event_id = row.event_id,
                n.ingested_at = $now
WITH n, row
MERGE (recommendation:Recommendation {uid: row.recommendation})
  ON CREATE SET recommendation.stub = true, recommendation.request_id = row.props.request_id,
                recommendation.ingested_at = $now
MERGE (n)-[f:FOR]->(recommendation)
  ON CREATE SET f.valid_from = row.props.observed_at, f.ingested_at = $now
"""

FEATURE_STATISTICS = f"""
UNWIND $rows AS row
WITH row, row.version AS fv
{_FEATURE_VERSION_STUB}
MERGE (n:FeatureStatistics {{uid: row.uid}})
  ON CREATE SET n.ingested_at = $now
SET n += row.props, n.valid_from = row.props.window_start,
    n.event_time = row.event_time, n.event_id = row.event_id
MERGE (n)-[d:DESCRIBES]->(version)
  ON CREATE SET d.valid_from = row.props.window_start, d.ingested_at = $now
"""
