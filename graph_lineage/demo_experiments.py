"""The demo's experiments, their true effects and their faults (``--inject experiment_srm=1``).

Experiment analysis needs a truth to be checked against. ``truth["effects"]`` gives, per
experiment uid, the true relative lift of its treatment over its control for each outcome
kind (:data:`graph_lineage.demo.EFFECTS`: 1.25 for clicks in ``ranker-v3-rollout``, 1.0
everywhere else). The two faults go into ``ranker-v3-rollout``, the experiment that runs to
the end of the month, and are written down as JSON objects in ``truth[kind]``:

- ``experiment_srm``: 30% of the treatment's users (by a hash of the user with a salt of its
  own) lose their exposure logging: their treatment requests and outcomes are not emitted,
  so units per variant no longer match the declared 50/50 split. The outcomes of the users
  that remain are unbiased (the hash knows nothing of them), so the true lift holds.
- ``arm_feature_switch``: from a day (24 to 27) chosen by a generator of its own, half of
  the treatment's requests (by a hash of the request) are served
  ``feature:user_ctr_7d@v3-hotfix`` in place of the ``user_ctr_7d`` version ranker v3 was
  trained on; the control is unchanged, and so are outcomes. The hotfix version is
  materialized two hours before the switch; ``onset`` is the switch, the start of the UTC
  day from which treatment requests are switched.

Like drift (:mod:`graph_lineage.demo_drift`), these never draw from the pipeline's random
stream: a dropped request is drawn and then not emitted, and the events added carry
``fault`` in their event id.

>>> from graph_lineage.demo import DemoPipeline
>>> faults = ExperimentFaults(DemoPipeline(100, seed=7), {"arm_feature_switch": 1})
>>> faults.truth["effects"]["experiment:ranker-v3-rollout"]["lift"]["click"]
1.25
>>> faults.truth["arm_feature_switch"][0]["replaces"]
'feature:user_ctr_7d@v3'
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from graph_lineage.demo import (
    EXPERIMENTS,
    MODELS,
    OUTCOMES,
    PRODUCER,
    DemoPipeline,
    Experiment,
    _bucket,
    _hash,
    _iso,
)
from graph_lineage.uids import experiment_uid, variant_uid

EXPERIMENT_KINDS: dict[str, str] = {
    "experiment_srm": "30% of ranker-v3-rollout's treatment users lose their exposure logging"
    " (no recommendation or outcome of theirs is emitted), a sample-ratio mismatch (0 or 1)",
    "arm_feature_switch": "from a day on, half of ranker-v3-rollout's treatment requests are"
    " served feature:user_ctr_7d@v3-hotfix instead of the version ranker v3 was trained on;"
    " the version_skew rule sees them too (0 or 1)",
}
FAULTED = "ranker-v3-rollout"
SRM_SHARE = 0.3  # of the treatment's users: a logging loss a sample-ratio test must catch
SWITCH_ONSETS = range(24, 28)
SWITCHED_FEATURE = "user_ctr_7d"
SWITCH_SHARE = 0.5
SWITCH_LEAD = timedelta(hours=2)  # the hotfix is materialized this long before the switch


def check_counts(counts: Mapping[str, int]) -> None:
    """Refuse more than one of a kind: there is one experiment to put each into."""
    for kind in EXPERIMENT_KINDS:
        if counts.get(kind, 0) > 1:
            raise ValueError(f"{kind} is 0 or 1: it goes into {FAULTED}, the one experiment")


class ExperimentFaults:
    """The experiment faults of ``counts`` (kind -> 0 or 1) in ``pipeline``, and ``truth``."""

    def __init__(self, pipeline: DemoPipeline, counts: Mapping[str, int]) -> None:
        check_counts(counts)
        self.pipeline = pipeline
        self.experiment = next(e for e in EXPERIMENTS if e.name == FAULTED)
        chooser = random.Random(f"experiments/{pipeline.seed}")  # never the pipeline's stream
        self.truth: dict[str, Any] = {
            "effects": true_effects(pipeline),
            "experiment_srm": [],
            "arm_feature_switch": [],
        }
        self._dropped_users: set[str] = set()
        self._srm: dict[str, Any] | None = None
        if counts.get("experiment_srm", 0):
            self._srm = self._record("experiment_srm", dropped_share=SRM_SHARE)
            self._srm.update(dropped_requests=0, dropped_users=0)
        self._switch: dict[str, Any] | None = None
        if counts.get("arm_feature_switch", 0):
            self._switch = self._choose_switch(chooser.choice(SWITCH_ONSETS))

    def _record(self, kind: str, **fields: Any) -> dict[str, Any]:
        instance = {
            "experiment": experiment_uid(FAULTED),
            "variant": variant_uid(FAULTED, "treatment"),
            **fields,
        }
        self.truth[kind].append(instance)
        return instance

    def _choose_switch(self, onset: int) -> dict[str, Any]:
        model, number = self.experiment.model, self.experiment.treatment
        replaces = self.pipeline.feature_version_on(SWITCHED_FEATURE, MODELS[model][1][number - 1])
        switched_at = self.pipeline.start + timedelta(days=onset)
        return self._record(
            "arm_feature_switch",
            feature_version=f"{replaces}-hotfix",
            replaces=replaces,
            model_version=f"model:{model}@v{number}",
            onset=_iso(switched_at),
            onset_day=onset,
            materialized_at=_iso(switched_at - SWITCH_LEAD),
            share=SWITCH_SHARE,
            requests=0,
        )

    @property
    def injected(self) -> dict[str, set[str]]:
        """Kind -> the uids it put in: the variant that lost logging, the hotfix version."""
        return {
            "experiment_srm": {i["variant"] for i in self.truth["experiment_srm"]},
            "arm_feature_switch": {i["feature_version"] for i in self.truth["arm_feature_switch"]},
        }

    # -- lineage --

    def lineage_events(self, materialized: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The hotfix version, materialized like the version it replaces, from its sources."""
        if self._switch is None:
            return
        by_uid = {f"feature:{e['feature']}@{e['version']}": e for e in materialized}
        version = self._switch["feature_version"].rsplit("@", 1)[1]
        at = self._switch["materialized_at"]
        yield {
            **by_uid[self._switch["replaces"]],
            "event_id": f"demo-{self.pipeline.seed}-fault-arm-switch-{SWITCHED_FEATURE}",
            "event_time": at,
            "producer": PRODUCER,
            "version": version,
            "transform_hash": _hash("transform", SWITCHED_FEATURE, version),
            "materialized_at": at,
        }

    # -- serving --

    def logged(self, served: dict[str, Any]) -> bool:
        """False for a treatment request of a user who lost exposure logging (not emitted)."""
        if self._srm is None or not _treated(served):
            return True
        user = served["user_id"]
        if _bucket("exposure-loss", str(self.pipeline.seed), user) >= SRM_SHARE:
            return True
        self._dropped_users.add(user)
        self._srm["dropped_requests"] += 1
        self._srm["dropped_users"] = len(self._dropped_users)
        return False

    def switch(self, served: dict[str, Any], day: int) -> bool:
        """Serve the hotfix in place of what ranker v3 was trained on; whether it did."""
        switch = self._switch
        features = served["feature_versions"]
        if (
            switch is None
            or day < switch["onset_day"]
            or not _treated(served)
            or switch["replaces"] not in features
            or _bucket("arm-switch", served["request_id"]) >= SWITCH_SHARE
        ):
            return False
        new = switch["feature_version"]
        served["feature_versions"] = [new if uid == switch["replaces"] else uid for uid in features]
        switch["requests"] += 1
        return True


def true_effects(pipeline: DemoPipeline) -> dict[str, dict[str, Any]]:
    """Experiment uid -> its arms and the true lift of treatment over control per outcome."""
    return {experiment_uid(e.name): _effect(pipeline, e) for e in EXPERIMENTS}


def _effect(pipeline: DemoPipeline, experiment: Experiment) -> dict[str, Any]:
    model = experiment.model
    treatment = f"model:{model}@v{experiment.treatment}"
    return {
        "control": variant_uid(experiment.name, "control"),
        "treatment": variant_uid(experiment.name, "treatment"),
        "control_model_version": f"model:{model}@v{experiment.control}",
        "treatment_model_version": treatment,
        "base_rate": dict(OUTCOMES),  # per request, of the control (and of everything else)
        "lift": {kind: pipeline.lift(treatment, kind) for kind, _ in OUTCOMES},
    }


def _treated(served: dict[str, Any]) -> bool:
    return bool(served["experiment"] == FAULTED and served["variant"] == "treatment")
