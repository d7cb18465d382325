"""Change plan assessment: what a change plan touches, whom to tell, and how risky it is.

For each change of a :class:`~graph_lineage.change_plans.plan.ChangePlan`: the feature
versions, model versions, deployments, variants and experiments below what it changes
(:func:`graph_lineage.lineage.impact.dependents`), which deployments are active and which
experiments run at ``as_of``, the recommendations they served over the window, day by day
and by segment (the ``ContextUsage`` counters, :func:`~graph_lineage.lineage.impact.usage`),
the owners to tell, the replacement of each affected version (another version of the same
feature or model that the whole plan leaves standing; for ``replace``, one built on the new
version), and a risk level with its reasons (:mod:`graph_lineage.change_plans.risk`).

The window is the ``window_days`` whole UTC days before ``as_of``'s day. Nodes of kinds the
caller may not see are left out and counted; every count and the risk level stay whole.

>>> result = analyze(store, load_plan(Path("plan.yaml").read_text()))
>>> result.level.label, result.traffic.recommendations
('medium', 1771)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from graph_lineage import uids
from graph_lineage.change_plans.plan import Change, ChangePlan
from graph_lineage.change_plans.replacements import Replacements
from graph_lineage.change_plans.risk import Exposure, Reason, RiskLevel, assess, level_of
from graph_lineage.change_plans.serving import Serving
from graph_lineage.errors import InvalidPlan
from graph_lineage.lineage.impact import Dependents, Usage, all_usage, dependents, usage
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.traversal import find_node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility
from graph_lineage.sealing import is_sealed
from graph_lineage.store.connection import Store

Namer = Callable[[str], str]


@dataclass(frozen=True)
class Window:
    """The days whose traffic weighs a plan: ``start`` up to, not including, ``end``."""

    as_of: datetime
    start: date
    end: date  # as_of's day, which is not counted

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days)]


@dataclass
class Traffic:
    """Recommendations over a window, by day (every day of it), segment and model version."""

    by_day: dict[date, int]
    by_segment: dict[str, int] = field(default_factory=dict)
    by_model_version: dict[str, int] = field(default_factory=dict)

    @property
    def recommendations(self) -> int:
        return sum(self.by_day.values())


@dataclass
class ChangeImpact:
    """One change of the plan: what it touches, its traffic, replacements and risk."""

    index: int  # counted from 1, as in the plan
    change: Change
    target: Node
    replacement: Node | None  # the new version of a replace
    feature_versions: list[Node]
    model_versions: list[Node]
    deployments: list[Node]
    variants: list[Node]
    experiments: list[Node]
    active_deployments: list[str]
    running_experiments: list[str]
    replacements: dict[str, str | None]  # affected version -> what takes over, or None
    recommendations: int
    share: float  # of all recommendations in the window
    reasons: list[Reason]
    hidden: dict[str, int]  # affected nodes the caller may not see, by kind

    @property
    def level(self) -> RiskLevel:
        return level_of(self.reasons)


@dataclass
class PlanImpact:
    """A whole plan: its changes, and what they touch together, each node counted once."""

    plan: ChangePlan
    window: Window
    changes: list[ChangeImpact]
    feature_versions: list[Node]
    model_versions: list[Node]
    deployments: list[Node]
    variants: list[Node]
    experiments: list[Node]
    active_deployments: list[str]
    running_experiments: list[str]
    traffic: Traffic  # through what the plan touches
    totals: Traffic  # every recommendation of the window
    owners: dict[str, list[str]]  # owner -> the affected things they own
    hidden: dict[str, int]

    @property
    def level(self) -> RiskLevel:
        return max((change.level for change in self.changes), default=RiskLevel.NONE)

    @property
    def share(self) -> float:
        total = self.totals.recommendations
        return self.traffic.recommendations / total if total else 0.0

    @property
    def replacements(self) -> dict[str, str | None]:
        """Every affected version and what takes over; None when any change finds nothing."""
        merged: dict[str, str | None] = {}
        for change in self.changes:
            for uid, new in change.replacements.items():
                merged[uid] = new if merged.get(uid, new) is not None else None
        return dict(sorted(merged.items()))

    @property
    def without_replacement(self) -> list[str]:
        return [uid for uid, new in self.replacements.items() if new is None]


def analyze(store: Store, plan: ChangePlan, visibility: Visibility = EVERYTHING) -> PlanImpact:
    """The impact of ``plan``; :class:`InvalidPlan` when one of its uids names no node."""
    window = _window(plan.judged_at(), plan.window_days)
    resolved = _resolve(store, plan, visibility)
    found = [dependents(store, target) for _, target, _ in resolved]
    successors = [dependents(store, new) if new else None for _, _, new in resolved]
    gone = {target.id for _, target, _ in resolved}
    gone |= {n.id for d in found for n in (*d.feature_versions, *d.model_versions)}
    pick = Replacements(store, found, gone)
    totals = _traffic(all_usage(store, window.start, window.end), window, visibility)
    changes = []
    steps = zip(resolved, found, successors, strict=True)
    for index, ((change, _, new), below, after) in enumerate(steps, start=1):
        replacements = pick.for_change(change, below, after, new)
        judged = _Judged(index, change, new, replacements, window, totals)
        changes.append(_change_impact(store, below, judged, visibility))
    return _whole(store, plan, window, changes, found, totals, visibility)


def _window(as_of: datetime, days: int) -> Window:
    end = as_of.astimezone(UTC).date()  # ContextUsage counts by UTC day
    return Window(as_of=as_of, start=end - timedelta(days=days), end=end)


def _resolve(
    store: Store, plan: ChangePlan, visibility: Visibility
) -> list[tuple[Change, Node, Node | None]]:
    """Each change with the node it changes and its replacement, or every uid that is unknown."""
    resolved: list[tuple[Change, Node, Node | None]] = []
    problems: list[str] = []
    for index, change in enumerate(plan.changes, start=1):
        target = find_node(store, change.target, visibility)
        if target is None:
            problems.append(f"change {index}: {_unknown(change.target)}")
        new = None
        if change.replacement is not None:
            new = find_node(store, change.replacement, visibility)
            if new is None:
                problems.append(
                    f"change {index} `with`: {_unknown(change.replacement)}; a replacement"
                    " must be materialized (feature_version.materialized) before it is planned"
                )
        if target is not None:
            resolved.append((change, target, new))
    if problems:
        raise InvalidPlan(problems)
    return resolved


def _unknown(uid: str) -> str:
    parsed = uids.parse(uid)
    if parsed.version is None:
        return f"no lineage node has uid {uid!r}; check its spelling"
    family = f"{parsed.kind}:{parsed.name}"
    return (
        f"no lineage node has uid {uid!r};"
        f" `graph-lineage lineage {family} --down --depth 1` lists its versions"
    )


@dataclass(frozen=True)
class _Judged:
    """One change and what the whole plan decided about it."""

    index: int
    change: Change
    new: Node | None
    replacements: dict[str, Node | None]
    window: Window
    totals: Traffic


def _change_impact(
    store: Store, below: Dependents, judged: _Judged, visibility: Visibility
) -> ChangeImpact:
    hidden: Counter[str] = Counter()
    shown = _Shown([below], visibility, hidden)
    status = Serving(below, judged.window.as_of)
    window, total, replacements = judged.window, judged.totals.recommendations, judged.replacements
    recommendations = sum(u.count for u in usage(store, below.counted, window.start, window.end))
    share = recommendations / total if total else 0.0
    name = _namer(visibility)
    exposure = _exposure(below, status, judged, recommendations, share, name)
    return ChangeImpact(
        index=judged.index,
        change=judged.change,
        target=visibility.scrub(below.root),
        replacement=visibility.scrub(judged.new) if judged.new is not None else None,
        feature_versions=shown.feature_versions,
        model_versions=shown.model_versions,
        deployments=shown.deployments,
        variants=shown.variants,
        experiments=shown.experiments,
        active_deployments=visibility.visible_uids(sorted(status.active_deployments)),
        running_experiments=visibility.visible_uids(sorted(status.running_experiments)),
        replacements={
            uid: name(node.uid) if node is not None else None
            for uid, node in replacements.items()
            if not visibility.hides_uid(uid)
        },
        recommendations=recommendations,
        share=share,
        reasons=assess(exposure),
        hidden=dict(hidden),
    )


class _Shown:
    """The affected nodes the caller may see, each once; the others counted into ``hidden``."""

    def __init__(
        self, found: list[Dependents], visibility: Visibility, hidden: Counter[str]
    ) -> None:
        def shown(nodes: Iterable[Node]) -> list[Node]:
            unique = {node.id: node for node in nodes}
            ordered = sorted(unique.values(), key=lambda node: node.uid)
            return visibility.visible(ordered, hidden)

        self.feature_versions = shown(n for d in found for n in d.feature_versions)
        self.model_versions = shown(n for d in found for n in d.model_versions)
        self.deployments = shown(n for d in found for n in d.deployments)
        self.variants = shown(n for d in found for n in d.variants)
        self.experiments = shown(n for d in found for n in d.experiments)


def _namer(visibility: Visibility) -> Namer:
    def name(uid: str) -> str:
        return HIDDEN if visibility.hides_uid(uid) else uid

    return name


def _exposure(
    found: Dependents,
    status: Serving,
    judged: _Judged,
    recommendations: int,
    share: float,
    name: Namer,
) -> Exposure:
    replacements = judged.replacements
    serving = status.model_versions
    unreplaced = sorted(uid for uid, new in replacements.items() if new is None)
    switches = []
    for deployment, model_version in sorted(status.active_deployments.items()):
        new = replacements.get(model_version)
        if new is not None:
            switches.append((name(deployment), name(new.uid)))
    experiments = []
    for experiment in sorted(status.running_experiments):
        arms = [arm.model_version for arm in status.arms if arm.experiment == experiment]
        experiments.append((name(experiment), all(replacements.get(mv) for mv in arms)))
    window = judged.window
    return Exposure(
        feature_versions=len(found.feature_versions),
        model_versions=sum(1 for n in found.model_versions if n.id != found.root.id),
        recommendations=recommendations,
        share=share,
        window=f"the {len(window.days)} days before {window.end.isoformat()}",
        serving_unreplaced=tuple(name(uid) for uid in unreplaced if uid in serving),
        idle_unreplaced=tuple(name(uid) for uid in unreplaced if uid not in serving),
        switches=tuple(switches),
        experiments=tuple(experiments),
        retrain_on=name(judged.new.uid) if judged.new is not None else None,
    )


def _traffic(uses: list[Usage], window: Window, visibility: Visibility) -> Traffic:
    traffic = Traffic(by_day=dict.fromkeys(window.days, 0))
    for use in uses:
        traffic.by_day[use.day] = traffic.by_day.get(use.day, 0) + use.count
        traffic.by_segment[use.segment] = traffic.by_segment.get(use.segment, 0) + use.count
        if use.model_version is not None:
            model = HIDDEN if visibility.hides_uid(use.model_version) else use.model_version
            traffic.by_model_version[model] = traffic.by_model_version.get(model, 0) + use.count
    return traffic


def _whole(
    store: Store,
    plan: ChangePlan,
    window: Window,
    changes: list[ChangeImpact],
    found: list[Dependents],
    totals: Traffic,
    visibility: Visibility,
) -> PlanImpact:
    counted = sorted({node_id for d in found for node_id in d.counted})
    hidden: Counter[str] = Counter()
    shown = _Shown(found, visibility, hidden)
    targets = [visibility.scrub(d.root) for d in found if not visibility.hides(d.root)]
    return PlanImpact(
        plan=plan,
        window=window,
        changes=changes,
        feature_versions=shown.feature_versions,
        model_versions=shown.model_versions,
        deployments=shown.deployments,
        variants=shown.variants,
        experiments=shown.experiments,
        active_deployments=sorted({uid for c in changes for uid in c.active_deployments}),
        running_experiments=sorted({uid for c in changes for uid in c.running_experiments}),
        traffic=_traffic(usage(store, counted, window.start, window.end), window, visibility),
        totals=totals,
        owners=_owners(
            [*targets, *shown.feature_versions, *shown.model_versions, *shown.experiments]
        ),
        hidden=dict(hidden),
    )


def _owners(nodes: list[Node]) -> dict[str, list[str]]:
    owners: dict[str, set[str]] = {}
    for node in nodes:
        owner = node.properties.get("owner")
        if isinstance(owner, str) and owner and not is_sealed(owner):
            owners.setdefault(owner, set()).add(node.uid)
    return {owner: sorted(owned) for owner, owned in sorted(owners.items())}
