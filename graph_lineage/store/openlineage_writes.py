"""The Cypher of OpenLineage ingestion: one batched ``UNWIND`` statement per node or edge kind.

Rows are folded per uid before they get here (see ``graph_lineage.openlineage.mapping``),
so no statement meets the same node twice. Rules every statement keeps, so that replays
and out-of-order arrival end in one graph:

- nodes are ``MERGE``d on ``uid``; a parent run or job known only from a ``parent`` facet
  is a *stub* (``stub = true``) until its own event arrives;
- ``valid_from`` is the earliest event time that asserts the node or edge, ``ingested_at``
  the first time the store saw it; neither moves on a replay;
- a facet's properties are set with its stamp ``<key>_at`` only by an event at least as
  new as the stamp; ``facets_seen`` and ``match_uids`` only grow;
- a run's ``state`` follows the newest state event (on equal times, the later state in
  START < RUNNING < COMPLETE < ABORT < FAIL), ``started_at`` is the earliest START,
  ``ended_at`` the latest COMPLETE, ABORT or FAIL.

``$now`` is the ingestion time of the whole request.
"""

from __future__ import annotations

_EARLIEST = """
{var}.valid_from = CASE WHEN {var}.valid_from IS NULL OR row.valid_from < {var}.valid_from
                   THEN row.valid_from ELSE {var}.valid_from END
"""


def _earliest(var: str) -> str:
    return _EARLIEST.format(var=var)


# Sealed facet fields (``facet.sealed``) draw a random nonce each time: a replay of the
# facet a node holds keeps the stored envelopes, a newer facet (or plaintext) replaces them.
_FACETS = """
CALL ({var}, row) {{
  UNWIND row.facets AS facet
  WITH {var}, facet WHERE {var}[facet.stamp] IS NULL OR facet.at >= {var}[facet.stamp]
  WITH {var}, facet,
       {var}[facet.stamp] IS NULL OR facet.at > {var}[facet.stamp]
       OR any(key IN keys(facet.sealed)
              WHERE NOT coalesce({var}[key] STARTS WITH $sealedPrefix, false)) AS replaces
  SET {var} += facet.props
  SET {var} += CASE WHEN replaces THEN facet.sealed ELSE {{}} END
}}
"""


def _facets(var: str) -> str:
    return _FACETS.format(var=var)


_SEEN = """
SET n.facets_seen = COLLECT {
  UNWIND coalesce(n.facets_seen, []) + row.seen AS facet RETURN DISTINCT facet ORDER BY facet
}
"""

JOBS = f"""
UNWIND $rows AS row
MERGE (n:Job {{uid: row.uid}})
SET n.namespace = row.namespace, n.name = row.name,
    n.ingested_at = coalesce(n.ingested_at, $now),
    {_earliest("n")}
REMOVE n.stub
{_SEEN}
WITH n, row
{_facets("n")}
"""

DATASETS = f"""
UNWIND $rows AS row
MERGE (n:Dataset {{uid: row.uid}})
SET n.namespace = row.namespace, n.name = row.name,
    n.ingested_at = coalesce(n.ingested_at, $now),
    {_earliest("n")},
    n.match_uids = COLLECT {{
      UNWIND coalesce(n.match_uids, []) + row.match_uids AS uid RETURN DISTINCT uid ORDER BY uid
    }}
{_SEEN}
WITH n, row
{_facets("n")}
"""

RUNS = f"""
UNWIND $rows AS row
MATCH (job:Job {{uid: row.job}})
MERGE (n:Run {{uid: row.uid}})
SET n.run_id = row.run_id, n.job = row.job, n.producer = coalesce(n.producer, row.producer),
    n.ingested_at = coalesce(n.ingested_at, $now),
    {_earliest("n")},
    n.started_at = CASE WHEN n.started_at IS NULL OR row.started_at < n.started_at
                   THEN coalesce(row.started_at, n.started_at) ELSE n.started_at END,
    n.ended_at = CASE WHEN n.ended_at IS NULL OR row.ended_at > n.ended_at
                 THEN coalesce(row.ended_at, n.ended_at) ELSE n.ended_at END
REMOVE n.stub
{_SEEN}
WITH n, row, job, row.state IS NOT NULL AND (
       n.state_time IS NULL OR row.state.at > n.state_time
       OR (row.state.at = n.state_time
           AND row.state.rank >= {{START: 0, RUNNING: 1, COMPLETE: 2, ABORT: 3, FAIL: 4}}[n.state])
     ) AS newer
SET n.state = CASE WHEN newer THEN row.state.name ELSE n.state END,
    n.state_time = CASE WHEN newer THEN row.state.at ELSE n.state_time END
MERGE (n)-[e:RUN_OF]->(job)
  ON CREATE SET e.ingested_at = $now
SET {_earliest("e")}
WITH n, row
{_facets("n")}
"""

# A parent run and its job are stubs until their own events arrive.
RUN_PARENTS = f"""
UNWIND $rows AS row
MATCH (n:Run {{uid: row.run}})
MERGE (job:Job {{uid: row.parent.job}})
  ON CREATE SET job.stub = true, job.namespace = row.parent.namespace,
                job.name = row.parent.name, job.ingested_at = $now
MERGE (parent:Run {{uid: row.parent.uid}})
  ON CREATE SET parent.stub = true, parent.run_id = row.parent.run_id,
                parent.job = row.parent.job, parent.ingested_at = $now
SET {_earliest("job")}, {_earliest("parent")}
MERGE (parent)-[runOf:RUN_OF]->(job)
  ON CREATE SET runOf.ingested_at = $now
MERGE (n)-[e:CHILD_OF]->(parent)
  ON CREATE SET e.ingested_at = $now
SET {_earliest("runOf")}, {_earliest("e")}
"""

RUN_INPUTS = f"""
UNWIND $rows AS row
MATCH (n:Run {{uid: row.from}})
MATCH (dataset:Dataset {{uid: row.to}})
MERGE (n)-[e:READ]->(dataset)
  ON CREATE SET e.ingested_at = $now
SET {_earliest("e")}
"""

RUN_OUTPUTS = f"""
UNWIND $rows AS row
MATCH (n:Dataset {{uid: row.from}})
MATCH (run:Run {{uid: row.to}})
MERGE (n)-[e:PRODUCED_BY]->(run)
  ON CREATE SET e.ingested_at = $now
SET {_earliest("e")}
WITH e, row
{_facets("e")}
"""

JOB_INPUTS = f"""
UNWIND $rows AS row
MATCH (n:Job {{uid: row.from}})
MATCH (dataset:Dataset {{uid: row.to}})
MERGE (n)-[e:CONSUMES]->(dataset)
  ON CREATE SET e.ingested_at = $now
SET {_earliest("e")}
"""

JOB_OUTPUTS = f"""
UNWIND $rows AS row
MATCH (n:Dataset {{uid: row.from}})
MATCH (job:Job {{uid: row.to}})
MERGE (n)-[e:OUTPUT_OF]->(job)
  ON CREATE SET e.ingested_at = $now
SET {_earliest("e")}
"""

# A dataset is the same as each DataSource or FeatureVersion among its match_uids that
# exists; valid from when both are known.
_SAME_AS = """
CALL (target) {
  MATCH (signal:DataSource {uid: target}) RETURN signal
  UNION
  MATCH (signal:FeatureVersion {uid: target}) RETURN signal
}
MERGE (d)-[e:SAME_AS]->(signal)
  ON CREATE SET e.ingested_at = $now
SET e.valid_from = CASE WHEN signal.valid_from > d.valid_from
                   THEN signal.valid_from ELSE d.valid_from END
"""

# After OpenLineage writes: link the datasets just written.
LINK_DATASETS = f"""
UNWIND $datasets AS uid
MATCH (d:Dataset {{uid: uid}})
UNWIND d.match_uids AS target
{_SAME_AS}
"""

# After DataSource or FeatureVersion writes: link the datasets that name them.
LINK_SIGNALS = f"""
UNWIND $targets AS target
MATCH (d:Dataset) WHERE target IN d.match_uids
{_SAME_AS}
"""
