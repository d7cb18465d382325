"""What each arm actually served, what differs between the arms, and what changed mid-way.

An arm's lineage is read from the contexts of its requests, weighted by requests: the model
versions, the feature versions served, the feature versions its model versions were
trained on, the data sources beneath the served feature versions, and the feature flags.
A difference is anything whose share of requests differs between control and a treatment
by more than :data:`DIFFERENT`.

What changed while the experiment ran is :mod:`graph_lineage.experiments.interventions`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_lineage import uids
from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import Exposure
from graph_lineage.experiments.interventions import (
    DIFFERENT,
    Intervention,
    interventions_during,
    shown_intervention,
)
from graph_lineage.lineage.visibility import HIDDEN, Visibility
from graph_lineage.store.connection import Reader

LINEAGE_OF_VERSIONS = """
UNWIND $modelVersions AS uid
OPTIONAL MATCH (m:ModelVersion {uid: uid})-[:TRAINED_ON]->(f:FeatureVersion)
WITH uid, collect(f.uid) AS trainedOn
RETURN uid, trainedOn,
       COLLECT { MATCH (d:Deployment)-[:DEPLOYS]->(:ModelVersion {uid: uid})
                 RETURN {uid: d.uid, deployed_at: d.deployed_at, retired_at: d.retired_at} }
         AS deployments
"""

SOURCES_OF = """
UNWIND $featureVersions AS uid
MATCH (f:FeatureVersion {uid: uid})-[:DERIVED_FROM*0..20]->(s:DataSource)
WITH uid, s
RETURN uid, collect(DISTINCT {uid: s.uid, changed_at: s.event_time}) AS sources
"""


@dataclass(frozen=True)
class ArmLineage:
    variant: str
    requests: int
    model_versions: dict[str, float]  # uid -> share of the arm's requests
    feature_versions: dict[str, float]
    trained_on: dict[str, float]
    sources: dict[str, float]
    flags: dict[str, float]


@dataclass(frozen=True)
class ArmComparison:
    arms: list[ArmLineage]
    differences: list[str]  # one line per thing whose share differs
    statement: str  # what the treatment changed, in a sentence per treatment
    interventions: list[Intervention]


def compare_arms(
    store: Reader,
    design: Design,
    contexts: list[dict[str, Any]],
    exposure: Exposure,
    end: datetime,
    visibility: Visibility,
) -> ArmComparison:
    served = [c for c in contexts if exposure.context_requests[(c["uid"], c["variant"])]]
    versions = {
        row["uid"]: row
        for row in store.read(
            LINEAGE_OF_VERSIONS, modelVersions=sorted({c["model_version"] for c in served})
        )
    }
    features = sorted({fv for c in served for fv in c["feature_versions"] or []})
    sources = {
        row["uid"]: row["sources"] for row in store.read(SOURCES_OF, featureVersions=features)
    }
    arms = [_arm(design, v, served, exposure, versions, sources) for v in design.variants]
    interventions = interventions_during(design, served, exposure, versions, sources, end)
    arms = [_shown(arm, visibility) for arm in arms]
    return ArmComparison(
        arms,
        _differences(arms),
        _statement(arms),
        [shown_intervention(i, visibility) for i in interventions],
    )


def _arm(
    design: Design,
    variant: str,
    contexts: list[dict[str, Any]],
    exposure: Exposure,
    versions: dict[str, Any],
    sources: dict[str, Any],
) -> ArmLineage:
    mine = [
        (c, exposure.context_requests[(c["uid"], variant)])
        for c in contexts
        if c["variant"] == variant
    ]
    total = sum(n for _, n in mine) or 1
    model_versions: Counter[str] = Counter()
    feature_versions: Counter[str] = Counter()
    trained_on: Counter[str] = Counter()
    upstream: Counter[str] = Counter()
    for context, requests in mine:
        model_versions[context["model_version"]] += requests
        fvs = context["feature_versions"] or []
        for fv in fvs:
            feature_versions[fv] += requests
        for fv in versions.get(context["model_version"], {}).get("trainedOn", []):
            trained_on[fv] += requests
        for source in {s["uid"] for fv in fvs for s in sources.get(fv, [])}:
            upstream[source] += requests
    flags = Counter({f: n for (v, f), n in exposure.flag_requests.items() if v == variant})
    return ArmLineage(
        variant,
        sum(n for _, n in mine),
        *(
            _shares(counter, total)
            for counter in (model_versions, feature_versions, trained_on, upstream, flags)
        ),
    )


def _shares(counter: Counter[str], total: int) -> dict[str, float]:
    return {key: round(n / total, 4) for key, n in sorted(counter.items())}


def _differences(arms: list[ArmLineage]) -> list[str]:
    """One line per kind of lineage whose shares differ between control and a treatment."""
    control, lines = arms[0], []
    for treatment in arms[1:]:
        for what in ("model_versions", "feature_versions", "trained_on", "sources", "flags"):
            a, b = getattr(control, what), getattr(treatment, what)
            differing = [
                k for k in sorted(set(a) | set(b)) if abs(a.get(k, 0.0) - b.get(k, 0.0)) > DIFFERENT
            ]
            if differing:
                lines.append(
                    f"{what.replace('_', ' ')}: {control.variant} "
                    + _listed(a, differing)
                    + f"; {treatment.variant} "
                    + _listed(b, differing)
                )
    return lines


def _listed(shares: dict[str, float], keys: list[str]) -> str:
    found = [f"{key} {shares[key]:.0%}" for key in keys if shares.get(key)]
    return ", ".join(found) or "none of them"


def _statement(arms: list[ArmLineage]) -> str:
    """E.g. "treatment served model:ranker@v3, trained on feature:user_ctr_7d@v3; control
    served model:ranker@v2 on feature:user_ctr_7d@v2"."""
    control = arms[0]
    sentences = []
    for treatment in arms[1:]:
        trained = _changed_features(control.trained_on, treatment.trained_on)
        served = _changed_features(control.feature_versions, treatment.feature_versions)
        models_t, models_c = _main(treatment.model_versions), _main(control.model_versions)
        if models_t == models_c and not served:
            sentences.append(f"{treatment.variant} served what {control.variant} served")
            continue
        left = f"{treatment.variant} served {', '.join(models_t) or 'nothing'}"
        right = f"{control.variant} served {', '.join(models_c) or 'nothing'}"
        if trained:
            both = " and reading" if trained == served else ""
            left += f", trained on{both} " + ", ".join(t for _, t in trained)
            right += " on " + ", ".join(c for c, _ in trained)
        if served and served != trained:
            left += "; reading " + ", ".join(t for _, t in served)
            right += " reading " + ", ".join(c for c, _ in served)
        sentences.append(f"{left}; {right}")
    return ". ".join(sentences)


def _main(shares: dict[str, float]) -> list[str]:
    return [uid for uid, share in shares.items() if share > DIFFERENT]


def _changed_features(a: dict[str, float], b: dict[str, float]) -> list[tuple[str, str]]:
    """(control's, treatment's) versions of each feature whose main versions differ."""

    def by_feature(shares: dict[str, float]) -> dict[str, str]:
        main: dict[str, tuple[float, str]] = {}
        for uid, share in shares.items():
            name = uids.parse(uid).name if uid != HIDDEN else HIDDEN
            if share > main.get(name, (0.0, ""))[0]:
                main[name] = (share, uid)
        return {name: uid for name, (_, uid) in main.items()}

    left, right = by_feature(a), by_feature(b)
    return [
        (left.get(n, "none"), right.get(n, "none"))
        for n in sorted(set(left) | set(right))
        if left.get(n) != right.get(n) and n != HIDDEN
    ]


def _shown(arm: ArmLineage, visibility: Visibility) -> ArmLineage:
    def hide(shares: dict[str, float]) -> dict[str, float]:
        kept: defaultdict[str, float] = defaultdict(float)
        for uid, share in shares.items():
            kept[HIDDEN if visibility.hides_uid(uid) else uid] += share
        return dict(kept)

    return ArmLineage(
        arm.variant,
        arm.requests,
        hide(arm.model_versions),
        hide(arm.feature_versions),
        hide(arm.trained_on),
        hide(arm.sources),
        arm.flags,
    )
