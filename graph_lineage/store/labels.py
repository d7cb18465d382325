"""The node labels and relationship types of the lineage graph: one home for their names."""

from __future__ import annotations

from enum import StrEnum


class Label(StrEnum):
    DATA_SOURCE = "DataSource"
    FEATURE = "Feature"
    FEATURE_VERSION = "FeatureVersion"
    MODEL = "Model"
    MODEL_VERSION = "ModelVersion"
    EXPERIMENT = "Experiment"
    VARIANT = "Variant"
    LINEAGE_CONTEXT = "LineageContext"
    RECOMMENDATION = "Recommendation"
    OUTCOME = "Outcome"
    DRIFT_ALERT = "DriftAlert"
    DRIFT_WINDOW = "DriftWindow"
    ANOMALY = "Anomaly"
    RUN_RECORD = "RunRecord"
    DEBUG_SESSION = "DebugSession"
    DEPLOYMENT = "Deployment"
    FEATURE_STATISTICS = "FeatureStatistics"
    JOB = "Job"
    RUN = "Run"
    DATASET = "Dataset"
    CONTEXT_USAGE = "ContextUsage"
    SCHEMA_MIGRATION = "SchemaMigration"
    DRIFT_SCAN = "DriftScan"
    ACCESS_RECORD = "AccessRecord"
    ACCESS_LOG_HEAD = "AccessLogHead"
    ERASURE_ENTRY = "ErasureEntry"


# Bookkeeping (drift scan cursors too), the access log and the erasure ledger: no uid, no
# edges, never part of an answer about lineage.
_NOT_LINEAGE = (
    Label.SCHEMA_MIGRATION,
    Label.CONTEXT_USAGE,
    Label.DRIFT_SCAN,
    Label.ACCESS_RECORD,
    Label.ACCESS_LOG_HEAD,
    Label.ERASURE_ENTRY,
)

# Every label whose nodes carry the ``uid`` contract (all but bookkeeping ones).
LINEAGE_LABELS: tuple[Label, ...] = tuple(label for label in Label if label not in _NOT_LINEAGE)


class Rel(StrEnum):
    DERIVED_FROM = "DERIVED_FROM"
    VERSION_OF = "VERSION_OF"
    TRAINED_ON = "TRAINED_ON"
    OF = "OF"
    SERVES = "SERVES"
    USED_MODEL = "USED_MODEL"
    USED_FEATURE = "USED_FEATURE"
    IN_VARIANT = "IN_VARIANT"
    HAS_CONTEXT = "HAS_CONTEXT"
    FOR = "FOR"
    DEPLOYS = "DEPLOYS"
    DESCRIBES = "DESCRIBES"
    OF_CONTEXT = "OF_CONTEXT"
    RUN_OF = "RUN_OF"
    READ = "READ"
    PRODUCED_BY = "PRODUCED_BY"
    CHILD_OF = "CHILD_OF"
    CONSUMES = "CONSUMES"
    OUTPUT_OF = "OUTPUT_OF"
    SAME_AS = "SAME_AS"
    EVIDENCE = "EVIDENCE"
    MEASURES = "MEASURES"
