"""Turning validated events into batched, idempotent writes.

Before anything is written, a :class:`~graph_lineage.governance.screening.WriteScreen`
drops the events of erased people and those older than retention keeps, and counts them
(``dropped``). Sensitive fields of the events
(:data:`graph_lineage.events.SENSITIVE_FIELDS`) leave the writer sealed under the
active key, in ``row.sealed`` rather than ``row.props``.

>>> writer = LineageWriter(
...     store, Pseudonymizer.from_settings(settings), Sealer.from_settings(settings)
... )
>>> writer.write(events).events
{'recommendation.served': 1000, 'outcome.observed': 310}
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph_lineage import uids
from graph_lineage.events import (
    SENSITIVE_FIELDS,
    DataSourceEvent,
    Event,
    ExperimentEvent,
    FeatureStatisticsObserved,
    FeatureVersionMaterialized,
    ModelVersionDeployment,
    ModelVersionTrained,
    OutcomeObserved,
    RecommendationServed,
)
from graph_lineage.governance.retention import RetentionPolicy
from graph_lineage.governance.screening import Dropped, WriteScreen
from graph_lineage.pseudonymize import Pseudonymizer
from graph_lineage.sealing import SEALED_PREFIX, Sealer
from graph_lineage.store import openlineage_writes, writes
from graph_lineage.store.connection import Counters, Store

Row = dict[str, Any]


@dataclass
class WriteSummary:
    """What one or more writes stored: events by type, Neo4j's counters, what was dropped."""

    events: dict[str, int] = field(default_factory=dict)
    counters: Counters = field(default_factory=dict)
    dropped: Dropped = field(default_factory=Dropped)

    def add(self, other: WriteSummary) -> None:
        self.dropped.add(other.dropped)
        for name, count in other.events.items():
            self.events[name] = self.events.get(name, 0) + count
        for name, count in other.counters.items():
            self.counters[name] = self.counters.get(name, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {"events": dict(self.events), **self.counters, "dropped": self.dropped.as_dict()}


def context_fingerprint(
    model_version: str, feature_versions: Iterable[str], variant: str | None
) -> str:
    """Stable hash of what served a request: model version, sorted feature versions, variant."""
    canonical = json.dumps(
        {
            "model_version": model_version,
            "feature_versions": sorted(set(feature_versions)),
            "variant": variant,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


class LineageWriter:
    """Writes events to Neo4j in one transaction per call, grouped by type, in UNWIND batches.

    ``retention`` (None: keep every kind forever) sets the horizon before which events are
    dropped at write time; the erasure ledger is always consulted.
    """

    def __init__(
        self,
        store: Store,
        pseudonymizer: Pseudonymizer,
        sealer: Sealer,
        retention: RetentionPolicy | None = None,
    ) -> None:
        self.store = store
        self.pseudonymizer = pseudonymizer
        self.sealer = sealer
        self.screen = WriteScreen(pseudonymizer, retention)
        self._linked_contexts: set[str] = set()

    def write(self, events: Sequence[Event]) -> WriteSummary:
        now = datetime.now(UTC)
        events, dropped = self.screen.screen(self.store, events, now)
        summary = self._write(events, now)
        summary.dropped = dropped
        return summary

    def _write(self, events: Sequence[Event], now: datetime) -> WriteSummary:
        by_type: dict[type, list[Any]] = defaultdict(list)
        for event in events:
            by_type[type(event)].append(event)
        statements: list[tuple[LiteralString, dict[str, Any]]] = []
        new_contexts: list[str] = []
        for event_type, (query, to_rows) in _PLAN.items():
            batch = by_type.get(event_type)
            if not batch:
                continue
            if event_type is RecommendationServed:
                contexts, rows = self._recommendation_rows(batch)
                fresh = [c for c in contexts if c["uid"] not in self._linked_contexts]
                statements.append((writes.CONTEXTS_SEEN, {"contexts": contexts, "now": now}))
                if fresh:
                    statements.append((writes.CONTEXT_LINKS, {"contexts": fresh, "now": now}))
                    new_contexts.extend(c["uid"] for c in fresh)
            else:
                # One statement judges every row against the node as it stood before the
                # batch, so the last row to set a node wins: in event order, the newest.
                rows = [to_rows(event) for event in sorted(batch, key=_event_order)]
            if event_type in SENSITIVE_FIELDS:
                rows = [self._sealed(row, SENSITIVE_FIELDS[event_type]) for row in rows]
            statements.append((query, {"rows": rows, "now": now, "sealedPrefix": SEALED_PREFIX}))
            if event_type in (DataSourceEvent, FeatureVersionMaterialized):
                # OpenLineage datasets seen before the signal they name link to it now.
                targets = sorted({row["uid"] for row in rows})
                statements.append(
                    (openlineage_writes.LINK_SIGNALS, {"targets": targets, "now": now})
                )
        counters = self.store.write_all(statements) if statements else {}
        self._linked_contexts.update(new_contexts)
        summary = WriteSummary(counters=counters)
        for event in events:
            summary.events[event.type] = summary.events.get(event.type, 0) + 1
        return summary

    def _sealed(self, row: Row, names: frozenset[str]) -> Row:
        """``row`` with its sensitive props moved to ``sealed``, sealed; nulls stay props."""
        props = dict(row["props"])
        sealed = {}
        for name in sorted(names):
            value = props.pop(name)  # a sensitive field the row does not store is a bug
            if value is None:
                props[name] = None
            else:
                sealed[name] = self.sealer.seal(value, name, row["uid"])
        return {**row, "props": props, "sealed": sealed}

    def _recommendation_rows(
        self, batch: list[RecommendationServed]
    ) -> tuple[list[Row], list[Row]]:
        contexts: dict[str, Row] = {}
        rows: dict[str, Row] = {}
        for event in batch:
            if event.uid in rows:
                # The same request twice in one batch (a retried or at-least-once producer):
                # the first occurrence is stored, so HAS_CONTEXT and ContextUsage count it
                # once; a single UNWIND would see both rows as first storage.
                continue
            variant = event.variant_uid
            fingerprint = context_fingerprint(event.model_version, event.feature_versions, variant)
            uid = uids.context_uid(fingerprint)
            context = contexts.get(uid)
            if context is None:
                context = contexts[uid] = _context_row(uid, fingerprint, event)
            context["first_seen"] = min(context["first_seen"], event.served_at)
            context["last_seen"] = max(context["last_seen"], event.served_at)
            rows[event.uid] = self._recommendation_row(event, uid)
        return list(contexts.values()), list(rows.values())

    def _recommendation_row(self, event: RecommendationServed, context: str) -> Row:
        items = sorted(event.items, key=lambda item: item.position)
        props = {
            "request_id": event.request_id,
            "served_at": event.served_at,
            "user_pseudonym": self.pseudonymizer.pseudonym(event.user_id),
            "segment": event.segment,
            "cohort": event.cohort,
            "items": [item.item_id for item in items],
            "scores": [item.score for item in items],
            "positions": [item.position for item in items],
            "latency_ms": event.latency_ms,
            "error": event.error,
            "producer": event.producer,
        }
        return {
            "uid": event.uid,
            "context": context,
            "props": props,
            "day": event.served_at.astimezone(UTC).date(),
            **_provenance(event),
        }


def _event_order(event: Event) -> tuple[datetime, str]:
    return event.event_time, event.event_id


def _provenance(event: Event) -> Row:
    return {"event_time": event.event_time, "event_id": event.event_id}


def _feature_version_ref(uid: str) -> Row:
    parsed = uids.parse(uid)
    return {
        "uid": uid,
        "feature": parsed.name,
        "version": parsed.version,
        "feature_uid": uids.feature_uid(parsed.name),
    }


def _model_version_ref(uid: str) -> Row:
    parsed = uids.parse(uid)
    return {
        "uid": uid,
        "model": parsed.name,
        "version": parsed.version,
        "model_uid": uids.model_uid(parsed.name),
    }


def _context_row(uid: str, fingerprint: str, event: RecommendationServed) -> Row:
    variant = None
    if event.experiment is not None and event.variant is not None:
        variant = {
            "uid": event.variant_uid,
            "name": event.variant,
            "experiment": event.experiment,
            "experiment_uid": uids.experiment_uid(event.experiment),
        }
    return {
        "uid": uid,
        "fingerprint": fingerprint,
        "model_version": _model_version_ref(event.model_version),
        "feature_versions": [
            _feature_version_ref(fv) for fv in sorted(set(event.feature_versions))
        ],
        "variant": variant,
        "first_seen": event.served_at,
        "last_seen": event.served_at,
    }


def _data_source_row(event: DataSourceEvent) -> Row:
    props = {
        "name": event.name,
        "kind": event.kind,
        "uri": event.uri,
        "owner": event.owner,
        "contains_pii": event.contains_pii,
        "description": event.description,
        "producer": event.producer,
    }
    return {"uid": event.uid, "props": props, **_provenance(event)}


def _feature_version_row(event: FeatureVersionMaterialized) -> Row:
    props = {
        "feature": event.feature,
        "version": event.version,
        "schema_hash": event.schema_hash,
        "transform_hash": event.transform_hash,
        "feature_store": event.feature_store,
        "materialized_at": event.materialized_at,
        "freshness_sla_seconds": event.freshness_sla_seconds,
        "owner": event.owner,
        "derived_from": event.derived_from,
        "producer": event.producer,
    }
    sources = [uid for uid in event.derived_from if uid.startswith("source:")]
    return {
        "uid": event.uid,
        "version": _feature_version_ref(event.uid),
        "sources": [{"uid": uid, "name": uids.parse(uid).name} for uid in sources],
        "parents": [_feature_version_ref(uid) for uid in event.derived_from if uid not in sources],
        "valid_from": event.materialized_at,
        "props": props,
        **_provenance(event),
    }


def _model_version_row(event: ModelVersionTrained) -> Row:
    props = {
        "model": event.model,
        "version": event.version,
        "training_window_start": event.training_window_start,
        "training_window_end": event.training_window_end,
        "artifact_uri": event.artifact_uri,
        "artifact_hash": event.artifact_hash,
        "metrics": json.dumps(event.metrics, sort_keys=True),
        "owner": event.owner,
        "trained_on": event.trained_on,
        "producer": event.producer,
    }
    return {
        "uid": event.uid,
        "version": _model_version_ref(event.uid),
        "trained_on": [_feature_version_ref(uid) for uid in event.trained_on],
        "props": props,
        **_provenance(event),
    }


def _deployment_row(event: ModelVersionDeployment) -> Row:
    deployed = event.type == "model_version.deployed"
    return {
        "uid": event.uid,
        "version": _model_version_ref(event.model_version_uid),
        "environment": event.environment,
        "deployed": deployed,
        "status": "deployed" if deployed else "retired",
        "traffic": event.traffic if deployed else 0.0,
        **_provenance(event),
    }


def _experiment_row(event: ExperimentEvent) -> Row:
    variants = [
        {
            "uid": uids.variant_uid(event.experiment, v.name),
            "name": v.name,
            "traffic_share": v.traffic_share,
            "model_version": _model_version_ref(v.model_version),
        }
        for v in event.variants
    ]
    props = {
        "randomization_unit": event.randomization_unit,
        "salt": event.salt,
        "feature_flags": json.dumps(event.feature_flags, sort_keys=True),
        "owner": event.owner,
        "producer": event.producer,
    }
    return {
        "uid": event.uid,
        "name": event.experiment,
        "variants": variants,
        "props": props,
        "declaration": json.dumps(
            {
                "event_id": event.event_id,
                "event_time": event.event_time.astimezone(UTC).isoformat(),
                "type": event.type,
                "variants": {
                    v.name: {"traffic_share": v.traffic_share, "model_version": v.model_version}
                    for v in event.variants
                },
                "feature_flags": event.feature_flags,
            },
            sort_keys=True,
        ),
        "stopped": event.type == "experiment.stopped",
        "status": event.type.removeprefix("experiment."),
        **_provenance(event),
    }


def _outcome_row(event: OutcomeObserved) -> Row:
    props = {
        "request_id": event.request_id,
        "item_id": event.item_id,
        "kind": event.kind,
        "value": event.value,
        "observed_at": event.observed_at or event.event_time,
        "producer": event.producer,
    }
    return {
        "uid": event.uid,
        "recommendation": uids.recommendation_uid(event.request_id),
        "props": props,
        **_provenance(event),
    }


def _statistics_row(event: FeatureStatisticsObserved) -> Row:
    histogram, quantiles, categories = (
        event.histogram,
        event.quantiles or {},
        event.categories or {},
    )
    props = {
        "feature_version": event.feature_version,
        "window_start": event.window_start,
        "window_end": event.window_end,
        "count": event.count,
        "nulls": event.nulls,
        "histogram_edges": histogram.edges if histogram else None,
        "histogram_counts": histogram.counts if histogram else None,
        "quantile_levels": [float(q) for q in quantiles] or None,
        "quantile_values": list(quantiles.values()) or None,
        "categories": list(categories) or None,
        "category_counts": list(categories.values()) or None,
        "producer": event.producer,
    }
    return {
        "uid": event.uid,
        "version": _feature_version_ref(event.feature_version),
        "props": props,
        **_provenance(event),
    }


# Write order: what is referenced first, so stubs are rare within one batch.
_PLAN: dict[type, tuple[LiteralString, Callable[[Any], Row]]] = {
    DataSourceEvent: (writes.DATA_SOURCES, _data_source_row),
    FeatureVersionMaterialized: (writes.FEATURE_VERSIONS, _feature_version_row),
    ModelVersionTrained: (writes.MODEL_VERSIONS, _model_version_row),
    ModelVersionDeployment: (writes.DEPLOYMENTS, _deployment_row),
    ExperimentEvent: (writes.EXPERIMENTS, _experiment_row),
    RecommendationServed: (writes.RECOMMENDATIONS, lambda event: {}),
    OutcomeObserved: (writes.OUTCOMES, _outcome_row),
    FeatureStatisticsObserved: (writes.FEATURE_STATISTICS, _statistics_row),
}
