"""The Cypher of sealed properties: count them by key, page through them, re-seal them.

Which properties are sealed comes from the event model (fields marked sensitive) and from
the OpenLineage facets (``dataSource`` uris on datasets); this module knows on which label
each is stored. Every query takes the property
name as ``$key`` (``n[$key]``) and has one constant per label, so each is an index seek or
an ordered index scan on that label's ``uid`` constraint: paging with ``uid > $after`` is
linear in the number of nodes, never quadratic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import LiteralString

from graph_lineage.events import (
    SENSITIVE_FIELDS,
    BaseEvent,
    DataSourceEvent,
    ExperimentEvent,
    FeatureStatisticsObserved,
    FeatureVersionMaterialized,
    ModelVersionDeployment,
    ModelVersionTrained,
    OutcomeObserved,
    RecommendationServed,
)
from graph_lineage.store.labels import Label

# The node each event type describes, and so where its fields are stored.
NODE_OF_EVENT: dict[type[BaseEvent], Label] = {
    DataSourceEvent: Label.DATA_SOURCE,
    FeatureVersionMaterialized: Label.FEATURE_VERSION,
    ModelVersionTrained: Label.MODEL_VERSION,
    ModelVersionDeployment: Label.DEPLOYMENT,
    ExperimentEvent: Label.EXPERIMENT,
    RecommendationServed: Label.RECOMMENDATION,
    OutcomeObserved: Label.OUTCOME,
    FeatureStatisticsObserved: Label.FEATURE_STATISTICS,
}


@dataclass(frozen=True)
class SealedProperty:
    """A property stored sealed: ``label`` nodes hold it as ``name``."""

    label: Label
    name: str

    def __str__(self) -> str:
        return f"{self.label}.{self.name}"


# Sealed OpenLineage facet fields (graph_lineage.openlineage.facets.SEALED_FACET_FIELDS).
OPENLINEAGE_SEALED = (SealedProperty(Label.DATASET, "data_source_uri"),)

SEALED_PROPERTIES: tuple[SealedProperty, ...] = tuple(
    sorted(
        (
            *(
                SealedProperty(NODE_OF_EVENT[event_type], name)
                for event_type, names in SENSITIVE_FIELDS.items()
                for name in names
            ),
            *OPENLINEAGE_SEALED,
        ),
        key=str,
    )
)


@dataclass(frozen=True)
class SealedQueries:
    """The queries of sealed properties on one label."""

    count_by_key: LiteralString  # $key, $sealedPrefix -> key_id (null: plaintext), count
    page: LiteralString  # $key, $activePrefix, $after, $limit -> uid, value
    reseal: LiteralString  # $key, $rows [{uid, old, new: {key: envelope}}] -> resealed


DATA_SOURCE = SealedQueries(
    count_by_key="""
MATCH (n:DataSource) WHERE n[$key] IS NOT NULL
WITH CASE WHEN coalesce(n[$key] STARTS WITH $sealedPrefix, false)
     THEN split(n[$key], ':')[2] END AS key_id
RETURN key_id, count(*) AS count
""",
    page="""
MATCH (n:DataSource) WHERE n.uid > $after AND n[$key] IS NOT NULL
  AND NOT coalesce(n[$key] STARTS WITH $activePrefix, false)
RETURN n.uid AS uid, n[$key] AS value
ORDER BY n.uid
LIMIT $limit
""",
    reseal="""
UNWIND $rows AS row
MATCH (n:DataSource {uid: row.uid}) WHERE n[$key] = row.old
SET n += row.new
RETURN collect(n.uid) AS resealed
""",
)

EXPERIMENT = SealedQueries(
    count_by_key="""
MATCH (n:Experiment) WHERE n[$key] IS NOT NULL
WITH CASE WHEN coalesce(n[$key] STARTS WITH $sealedPrefix, false)
     THEN split(n[$key], ':')[2] END AS key_id
RETURN key_id, count(*) AS count
""",
    page="""
MATCH (n:Experiment) WHERE n.uid > $after AND n[$key] IS NOT NULL
  AND NOT coalesce(n[$key] STARTS WITH $activePrefix, false)
RETURN n.uid AS uid, n[$key] AS value
ORDER BY n.uid
LIMIT $limit
""",
    reseal="""
UNWIND $rows AS row
MATCH (n:Experiment {uid: row.uid}) WHERE n[$key] = row.old
SET n += row.new
RETURN collect(n.uid) AS resealed
""",
)

DATASET = SealedQueries(
    count_by_key="""
MATCH (n:Dataset) WHERE n[$key] IS NOT NULL
WITH CASE WHEN coalesce(n[$key] STARTS WITH $sealedPrefix, false)
     THEN split(n[$key], ':')[2] END AS key_id
RETURN key_id, count(*) AS count
""",
    page="""
MATCH (n:Dataset) WHERE n.uid > $after AND n[$key] IS NOT NULL
  AND NOT coalesce(n[$key] STARTS WITH $activePrefix, false)
RETURN n.uid AS uid, n[$key] AS value
ORDER BY n.uid
LIMIT $limit
""",
    reseal="""
UNWIND $rows AS row
MATCH (n:Dataset {uid: row.uid}) WHERE n[$key] = row.old
SET n += row.new
RETURN collect(n.uid) AS resealed
""",
)

# Every label that holds a sealed property needs its queries here (a test checks it).
QUERIES: dict[Label, SealedQueries] = {
    Label.DATA_SOURCE: DATA_SOURCE,
    Label.EXPERIMENT: EXPERIMENT,
    Label.DATASET: DATASET,
}
