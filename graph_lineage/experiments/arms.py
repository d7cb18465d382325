"""What each arm actually served, what differs between the arms, and what changed mid-way.

An arm's lineage is read from the contexts of its requests, weighted by requests: the model
versions, the feature versions served, the feature versions its model versions were
trained on, the data sources beneath the served feature versions, and the feature flags.
A difference is anything whose share of requests differs between control and a treatment
by more than :data:`DIFFERENT`.

Interventions are changes during the experiment: a split or a variant's model version
redeclared, a feature version switched in, a model version redeployed or retired, a data
source re-registered. Each says when, and what share of each arm's requests since then it
touched; one that touched one arm more than another confounds the comparison.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from graph_lineage import uids
from graph_lineage.drift.signals import utc
from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import Exposure
from graph_lineage.lineage.visibility import HIDDEN, Visibility
from graph_lineage.store.connection import Reader
from graph_lineage.store.values import moment

DIFFERENT = 0.05  # share points of requests
SETTLE = timedelta(hours=1)  # a feature version seen this soon after an arm's start is not a switch

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
class Intervention:
    kind: str  # split_change, model_version_change, feature_switch, deployment, source_change
    at: datetime
    subject: str  # a uid, or the experiment's for a split change
    summary: str
    shares: dict[str, float] = field(default_factory=dict)  # variant -> share of requests since
    confounds: bool = False


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
    interventions = [
        *_declared_changes(design),
        *_feature_switches(design, served, exposure),
        *_deployments(design, served, exposure, versions, end),
        *_source_changes(design, served, exposure, sources, end),
    ]
    interventions.sort(key=lambda i: (i.at, i.kind, i.subject))
    arms = [_shown(arm, visibility) for arm in arms]
    return ArmComparison(
        arms,
        _differences(arms),
        _statement(arms),
        [_shown_intervention(i, visibility) for i in interventions],
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


# -- interventions --


def _declared_changes(design: Design) -> Iterable[Intervention]:
    for before, after in zip(design.periods, design.periods[1:], strict=False):
        if before.shares != after.shares:
            old = " / ".join(f"{v} {s:g}" for v, s in before.shares.items())
            new = " / ".join(f"{v} {s:g}" for v, s in after.shares.items())
            yield Intervention(
                "split_change",
                after.start,
                design.uid,
                f"the split changed from {old} to {new}",
                confounds=True,
            )
        if before.flags != after.flags:
            yield Intervention(
                "flag_change",
                after.start,
                design.uid,
                f"feature flags changed from {_flags(before.flags)} to {_flags(after.flags)}",
                dict.fromkeys(after.shares, 1.0),
            )
        for variant, model_version in after.model_versions.items():
            if before.model_versions.get(variant, model_version) != model_version:
                yield Intervention(
                    "model_version_change",
                    after.start,
                    model_version,
                    f"{variant} was redeclared from {before.model_versions[variant]} to"
                    f" {model_version}",
                    {variant: 1.0},
                    confounds=True,
                )


def _feature_switches(
    design: Design, contexts: list[dict[str, Any]], exposure: Exposure
) -> Iterable[Intervention]:
    first_seen: dict[str, datetime] = {}
    for context in contexts:
        for fv in context["feature_versions"] or []:
            at = exposure.context_first[context["uid"]]
            first_seen[fv] = min(first_seen.get(fv, at), at)
    arm_start = {
        v: min(
            (exposure.context_first[c["uid"]] for c in contexts if c["variant"] == v), default=None
        )
        for v in design.variants
    }
    for fv, at in sorted(first_seen.items(), key=lambda item: (item[1], item[0])):
        starts = [s for s in arm_start.values() if s is not None]
        if not starts or at < max(starts) + SETTLE:
            continue
        shares = _shares_since(
            design, contexts, exposure, at, lambda c, fv=fv: fv in (c["feature_versions"] or [])
        )
        replaced = _replaced(fv, contexts, exposure, at)
        yield Intervention(
            "feature_switch",
            at,
            fv,
            f"{fv} came into use"
            + (f", replacing {replaced}," if replaced else "")
            + " in "
            + _spread(shares),
            shares,
            _uneven(shares),
        )


def _replaced(fv: str, contexts: list[dict[str, Any]], exposure: Exposure, at: datetime) -> str:
    name = uids.parse(fv).name
    earlier = {
        f
        for c in contexts
        if exposure.context_first[c["uid"]] < at
        for f in c["feature_versions"] or []
        if uids.parse(f).name == name and f != fv
    }
    return ", ".join(sorted(earlier))


def _deployments(
    design: Design,
    contexts: list[dict[str, Any]],
    exposure: Exposure,
    versions: dict[str, Any],
    end: datetime,
) -> Iterable[Intervention]:
    start = design.periods[0].start if design.periods else None
    for uid, row in versions.items():
        for deployment in row["deployments"]:
            for what in ("deployed_at", "retired_at"):
                at = moment(deployment[what])
                if at is None or start is None or not start < utc(at) < end:
                    continue
                shares = _shares_since(
                    design,
                    contexts,
                    exposure,
                    utc(at),
                    lambda c, uid=uid: c["model_version"] == uid,
                )
                verb = "deployed" if what == "deployed_at" else "retired"
                yield Intervention(
                    "deployment",
                    utc(at),
                    deployment["uid"],
                    f"{uid} was {verb} ({deployment['uid']}) while it served " + _spread(shares),
                    shares,
                    _uneven(shares),
                )


def _source_changes(
    design: Design,
    contexts: list[dict[str, Any]],
    exposure: Exposure,
    sources: dict[str, Any],
    end: datetime,
) -> Iterable[Intervention]:
    start = design.periods[0].start if design.periods else None
    changed: dict[str, datetime] = {}
    for found in sources.values():
        for source in found:
            at = moment(source["changed_at"])
            if at is not None and start is not None and start < utc(at) < end:
                changed[source["uid"]] = utc(at)
    for uid, at in sorted(changed.items()):
        below = {fv for fv, found in sources.items() if any(s["uid"] == uid for s in found)}
        shares = _shares_since(
            design,
            contexts,
            exposure,
            at,
            lambda c, below=below: bool(below & set(c["feature_versions"] or [])),
        )
        yield Intervention(
            "source_change",
            at,
            uid,
            f"{uid} was re-registered (changed) under " + _spread(shares),
            shares,
            _uneven(shares),
        )


def _shares_since(
    design: Design,
    contexts: list[dict[str, Any]],
    exposure: Exposure,
    at: datetime,
    touches: Any,
) -> dict[str, float]:
    """Per variant: the share of its requests from the hour of ``at`` on that went through a
    context ``touches`` holds for."""
    touching = {c["uid"] for c in contexts if touches(c)}
    since = at.replace(minute=0, second=0, microsecond=0)
    touched: defaultdict[str, int] = defaultdict(int)
    total: defaultdict[str, int] = defaultdict(int)
    for (context, variant, hour), requests in exposure.context_hours.items():
        if hour >= since:
            total[variant] += requests
            if context in touching:
                touched[variant] += requests
    return {v: round(touched[v] / total[v], 4) if total[v] else 0.0 for v in design.variants}


def _flags(flags: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(flags.items())) or "none"


def _spread(shares: dict[str, float]) -> str:
    return ", ".join(
        f"{share:.0%} of {variant}'s requests since" for variant, share in shares.items()
    )


def _uneven(shares: dict[str, float]) -> bool:
    return bool(shares) and max(shares.values()) - min(shares.values()) > DIFFERENT


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


def _shown_intervention(intervention: Intervention, visibility: Visibility) -> Intervention:
    if not visibility.hides_uid(intervention.subject):
        return intervention
    return Intervention(
        intervention.kind,
        intervention.at,
        HIDDEN,
        f"a change to a node your role may not see ({intervention.kind})",
        intervention.shares,
        intervention.confounds,
    )
