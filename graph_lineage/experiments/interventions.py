"""What changed while an experiment ran, and which arm it touched.

Interventions: a split, flags or a variant's model version redeclared, a feature version
switched in, a model version deployed or retired, a data source re-registered. Each says
when, and what share of each arm's requests from then on it touched (counted per hour);
one that touched one arm more than another, by more than :data:`DIFFERENT`, confounds the
comparison: the arms then differ by more than the treatment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from graph_lineage import uids
from graph_lineage.drift.signals import utc
from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import Exposure
from graph_lineage.lineage.visibility import HIDDEN, Visibility
from graph_lineage.store.values import moment

DIFFERENT = 0.05  # share points of requests
SETTLE = timedelta(hours=1)  # a feature version seen this soon after an arm's start is not a switch


@dataclass(frozen=True)
class Intervention:
    kind: str  # split_change, flag_change, model_version_change, feature_switch, deployment,
    # source_change
    at: datetime
    subject: str  # a uid, or the experiment's for a split change
    summary: str
    shares: dict[str, float] = field(default_factory=dict)  # variant -> share of requests since
    confounds: bool = False


def interventions_during(
    design: Design,
    contexts: list[dict[str, Any]],
    exposure: Exposure,
    versions: dict[str, Any],
    sources: dict[str, Any],
    end: datetime,
) -> list[Intervention]:
    """Every intervention before ``end``, in time order; ``versions`` holds each served model
    version's deployments, ``sources`` each served feature version's sources."""
    found = [
        *_declared_changes(design),
        *_feature_switches(design, contexts, exposure),
        *_deployments(design, contexts, exposure, versions, end),
        *_source_changes(design, contexts, exposure, sources, end),
    ]
    return sorted(found, key=lambda i: (i.at, i.kind, i.subject))


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
    """A feature version an arm began to read after it started (by more than SETTLE): one
    intervention per version, at the first arm's switch; the arms that read it from their
    start were not touched by it."""
    first_use: dict[tuple[str, str], datetime] = {}  # (variant, feature version) -> first
    arm_start: dict[str, datetime] = {}
    for context in contexts:
        at, variant = exposure.context_first[context["uid"]], context["variant"]
        arm_start[variant] = min(arm_start.get(variant, at), at)
        for fv in context["feature_versions"] or []:
            first_use[(variant, fv)] = min(first_use.get((variant, fv), at), at)
    switched: defaultdict[str, dict[str, datetime]] = defaultdict(dict)  # fv -> arm -> when
    for (variant, fv), at in first_use.items():
        if at >= arm_start[variant] + SETTLE:
            switched[fv][variant] = at
    for fv, arms in sorted(switched.items(), key=lambda item: (min(item[1].values()), item[0])):
        at = min(arms.values())
        reads = _shares_since(
            design, contexts, exposure, at, lambda c, fv=fv: fv in (c["feature_versions"] or [])
        )
        shares = {v: reads[v] if v in arms else 0.0 for v in design.variants}
        replaced = _replaced(fv, contexts, exposure, at, set(arms))
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


def _replaced(
    fv: str, contexts: list[dict[str, Any]], exposure: Exposure, at: datetime, arms: set[str]
) -> str:
    """The versions of the same feature that the arms switching to ``fv`` served before."""
    name = uids.parse(fv).name
    earlier = {
        f
        for c in contexts
        if c["variant"] in arms and exposure.context_first[c["uid"]] < at
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
    """E.g. "0% of control's and 53% of treatment's requests since"."""
    parts = [f"{share:.0%} of {variant}'s" for variant, share in shares.items()]
    joined = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)
    return f"{joined} requests since"


def _uneven(shares: dict[str, float]) -> bool:
    return bool(shares) and max(shares.values()) - min(shares.values()) > DIFFERENT


def shown_intervention(intervention: Intervention, visibility: Visibility) -> Intervention:
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
