"""What serves at a moment: active deployments, and live arms of running experiments.

A deployment is active from its ``deployed_at`` until its ``retired_at``; an experiment
runs from its ``started_at`` until its ``stopped_at``; a variant's arm serves a model
version over each of its serving intervals (one ``SERVES`` edge apiece).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graph_lineage.lineage.impact import Arm, Dependents
from graph_lineage.store.values import moment


class Serving:
    """What of ``found`` serves at ``as_of``."""

    def __init__(self, found: Dependents, as_of: datetime) -> None:
        self.active_deployments: dict[str, str] = {}  # deployment -> its model version
        for node in found.deployments:
            if _active(node.properties, "deployed_at", "retired_at", as_of, needs_start=True):
                self.active_deployments[node.uid] = str(node.properties.get("model_version"))
        running = {
            node.uid
            for node in found.experiments
            if _active(node.properties, "started_at", "stopped_at", as_of, needs_start=False)
        }
        self.arms: list[Arm] = [
            arm for arm in found.arms if arm.experiment in running and _arm_live(arm, as_of)
        ]
        self.running_experiments = {arm.experiment for arm in self.arms if arm.experiment}

    @property
    def model_versions(self) -> set[str]:
        """The model versions serving: through an active deployment or a live arm."""
        return {*self.active_deployments.values(), *(arm.model_version for arm in self.arms)}


def _active(
    props: dict[str, Any], start: str, stop: str, as_of: datetime, needs_start: bool
) -> bool:
    began, ended = moment(props.get(start)), moment(props.get(stop))
    if began is None and needs_start:
        return False
    return (began is None or began <= as_of) and (ended is None or ended > as_of)


def _arm_live(arm: Arm, as_of: datetime) -> bool:
    return (arm.valid_from is None or arm.valid_from <= as_of) and (
        arm.valid_to is None or arm.valid_to > as_of
    )
