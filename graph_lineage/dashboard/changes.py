"""Lineage changes in a time range, on one time axis: feature versions materialized, model
versions trained, deployments begun and ended, experiments started, changed and stopped.

Each comes from the node that records it (``materialized_at``, ``trained_at``,
``deployed_at`` and ``retired_at``, and an experiment's declarations, one per
``experiment.started``, ``.changed`` or ``.stopped`` event; an experiment stored before
declarations were kept tells its ``started_at`` and ``stopped_at`` only). Changes to nodes of
kinds the caller may not see are left out and counted by kind.

>>> found = lineage_changes(store, window)
>>> [(c.kind, c.uid) for c in found.changes][:1]
[('feature_version', 'feature:user_ctr_7d@v2')]
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_lineage import uids
from graph_lineage.dashboard.window import DashboardWindow
from graph_lineage.lineage.visibility import EVERYTHING, Visibility, kind_of_uid
from graph_lineage.store.connection import Reader
from graph_lineage.store.values import native

FEATURE_VERSIONS = """
MATCH (n:FeatureVersion)
WHERE n.materialized_at >= $from AND n.materialized_at < $to
RETURN n.uid AS uid, n.materialized_at AS at
"""

MODEL_VERSIONS = """
MATCH (n:ModelVersion)
WHERE n.trained_at >= $from AND n.trained_at < $to
RETURN n.uid AS uid, n.trained_at AS at
"""

DEPLOYMENTS = """
CALL () {
  MATCH (n:Deployment) WHERE n.deployed_at >= $from AND n.deployed_at < $to
  RETURN n, 'deployment' AS kind, n.deployed_at AS at
  UNION
  MATCH (n:Deployment) WHERE n.retired_at >= $from AND n.retired_at < $to
  RETURN n, 'retirement' AS kind, n.retired_at AS at
}
RETURN n.uid AS uid, n.model_version AS model_version, n.environment AS environment, kind, at
"""

# Experiments are few; their declarations are filtered by time once read.
EXPERIMENTS = """
MATCH (n:Experiment)
WHERE n.started_at < $to AND coalesce(n.stopped_at >= $from, true)
RETURN n.uid AS uid, n.name AS name, n.started_at AS started_at, n.stopped_at AS stopped_at,
       coalesce(n.declarations, []) AS declarations
"""

_DECLARED = {
    "experiment.started": "experiment_started",
    "experiment.changed": "experiment_changed",
    "experiment.stopped": "experiment_stopped",
}


@dataclass(frozen=True)
class LineageChange:
    at: datetime
    kind: str  # feature_version, model_version, deployment, retirement, experiment_started...
    uid: str
    name: str  # the node's name: user_ctr_7d@v3, ranker@v2 (production), ranker-v3-rollout


@dataclass
class LineageChanges:
    changes: list[LineageChange]  # oldest first
    hidden: dict[str, int] = field(default_factory=dict)  # node kind -> changes left out


def lineage_changes(
    store: Reader, window: DashboardWindow, visibility: Visibility = EVERYTHING
) -> LineageChanges:
    """The range's lineage changes, oldest first, as ``visibility`` lets the caller see them."""
    bounds = {"from": window.start, "to": window.end}
    found = [
        *_versions(store.read(FEATURE_VERSIONS, **bounds), "feature_version"),
        *_versions(store.read(MODEL_VERSIONS, **bounds), "model_version"),
        *_deployments(store.read(DEPLOYMENTS, **bounds)),
        *(
            change
            for row in store.read(EXPERIMENTS, **bounds)
            for change in _experiment(row)
            if window.start <= change.at < window.end
        ),
    ]
    hidden: Counter[str] = Counter()
    shown = []
    for change in sorted(found, key=lambda c: (c.at, c.uid, c.kind)):
        if visibility.hides_uid(change.uid):
            hidden[kind_of_uid(change.uid) or "?"] += 1
        else:
            shown.append(change)
    return LineageChanges(shown, dict(hidden))


def _versions(rows: list[dict[str, Any]], kind: str) -> Iterator[LineageChange]:
    for row in rows:
        uid = str(row["uid"])
        yield LineageChange(native(row["at"]), kind, uid, uid.split(":", 1)[1])


def _deployments(rows: list[dict[str, Any]]) -> Iterator[LineageChange]:
    for row in rows:
        model_version = str(row["model_version"] or "")
        name = model_version.split(":", 1)[-1]
        yield LineageChange(
            native(row["at"]), row["kind"], str(row["uid"]), f"{name} ({row['environment']})"
        )


def _experiment(row: dict[str, Any]) -> Iterator[LineageChange]:
    uid, name = str(row["uid"]), str(row["name"] or uids.parse(row["uid"]).name)
    declarations = [json.loads(text) for text in row["declarations"]]
    if not declarations:  # stored before declarations were kept
        ends = {"experiment_started": row["started_at"], "experiment_stopped": row["stopped_at"]}
        for kind, at in ends.items():
            if at is not None:
                yield LineageChange(native(at), kind, uid, name)
        return
    for declared in declarations:
        kind = _DECLARED.get(declared.get("type", ""), "experiment_changed")
        yield LineageChange(datetime.fromisoformat(declared["event_time"]), kind, uid, name)
