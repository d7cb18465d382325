"""How risky one planned change is: explicit rules, each giving a level and a reason.

Levels, lowest first: ``none < low < medium < high < critical``. A change's level is the
highest any rule gives it; a plan's is the highest of its changes' levels.

=================  ===============  ==========================================================
rule               level            when
=================  ===============  ==========================================================
``unused``         none             nothing depends on it and it served nothing in the window
``dependents``     low              feature or model versions depend on it
``traffic``        low/medium/high  it served recommendations in the window: any, at least
                                    10 %, at least 50 % of all of them
``no-replacement`` low              an affected version has no replacement but serves nothing
``switch``         medium           an active deployment serves an affected model version that
                                    has a replacement: the deployment must move first
``experiment``     medium/high      a running experiment has an arm on an affected model
                                    version: with a replacement (the arm changes mid-run) /
                                    without one (the arm is lost)
``retrain``        high             an affected model version serves now (active deployment or
                                    running experiment) and nothing replaces it
``outage``         critical         ``retrain``, and the change touches at least 50 % of the
                                    window's recommendations
=================  ===============  ==========================================================

A replacement is another version of the same feature or model that the whole plan leaves
standing (for ``replace``: one built on the new version). docs/change-plans.md has the table.

>>> reasons = assess(Exposure(feature_versions=1, model_versions=1, recommendations=40, share=0.4))
>>> [(r.rule, r.level.label) for r in reasons], level_of(reasons).label
([('dependents', 'low'), ('traffic', 'medium')], 'medium')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

NOTABLE_SHARE = 0.10  # of the window's recommendations: medium from here
MAJOR_SHARE = 0.50  # high from here, and critical with a model version left unreplaced


class RiskLevel(IntEnum):
    NONE = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> RiskLevel:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(level.label for level in cls)
            raise ValueError(f"{text!r} is not a risk level; use one of {names}") from None


@dataclass(frozen=True)
class Reason:
    level: RiskLevel
    rule: str
    message: str


@dataclass(frozen=True)
class Exposure:
    """What one change would do, in the terms the rules judge; names as the caller sees them."""

    feature_versions: int  # that depend on the changed node
    model_versions: int
    recommendations: int  # served in the window through what the change affects
    share: float  # of all recommendations in the window, 0 to 1
    window: str = "the window"  # e.g. "the 7 days before 2026-10-31"
    serving_unreplaced: tuple[str, ...] = ()  # model versions serving now, nothing to take over
    idle_unreplaced: tuple[str, ...] = ()  # affected versions with no replacement, not serving
    switches: tuple[tuple[str, str], ...] = ()  # (active deployment, model version to move to)
    experiments: tuple[tuple[str, bool], ...] = ()  # (running experiment, all arms replaced)
    retrain_on: str | None = None  # for a replace: the new feature version


def assess(exposure: Exposure) -> list[Reason]:
    """Every rule that applies to ``exposure``, in the order of the table above."""
    e = exposure
    if not e.feature_versions and not e.model_versions and not e.recommendations:
        message = f"nothing depends on it and it served no recommendations in {e.window}"
        return [Reason(RiskLevel.NONE, "unused", message)]
    reasons = []
    if e.feature_versions or e.model_versions:
        counts = [
            _count(n, noun)
            for n, noun in (
                (e.feature_versions, "feature version"),
                (e.model_versions, "model version"),
            )
            if n
        ]
        verb = "depends" if e.feature_versions + e.model_versions == 1 else "depend"
        message = f"{' and '.join(counts)} {verb} on it"
        reasons.append(Reason(RiskLevel.LOW, "dependents", message))
    if e.recommendations:
        reasons.append(_traffic(e))
    if e.idle_unreplaced:
        message = f"no replacement for {_names(e.idle_unreplaced)} (not serving now)"
        reasons.append(Reason(RiskLevel.LOW, "no-replacement", message))
    for deployment, model_version in e.switches:
        message = f"{deployment} is active: move it to {model_version} first"
        reasons.append(Reason(RiskLevel.MEDIUM, "switch", message))
    for experiment, replaced in e.experiments:
        reasons.append(_experiment(experiment, replaced))
    if e.serving_unreplaced:
        target = f" on {e.retrain_on}" if e.retrain_on else ""
        one = len(e.serving_unreplaced) == 1
        message = (
            f"{_names(e.serving_unreplaced)} {'serves' if one else 'serve'} traffic now and no"
            f" other version of {'its' if one else 'their'} model survives the plan:"
            f" train one{target} and deploy it first"
        )
        reasons.append(Reason(RiskLevel.HIGH, "retrain", message))
        if e.share >= MAJOR_SHARE:
            message = (
                f"{e.share:.0%} of the window's recommendations go through it, and some of"
                " the model versions serving them have nothing to take over"
            )
            reasons.append(Reason(RiskLevel.CRITICAL, "outage", message))
    return reasons


def level_of(reasons: Iterable[Reason]) -> RiskLevel:
    return max((reason.level for reason in reasons), default=RiskLevel.NONE)


def _traffic(e: Exposure) -> Reason:
    level = RiskLevel.LOW
    if e.share >= MAJOR_SHARE:
        level = RiskLevel.HIGH
    elif e.share >= NOTABLE_SHARE:
        level = RiskLevel.MEDIUM
    served = _count(e.recommendations, "recommendation")
    message = f"it served {served} in {e.window}, {e.share:.0%} of all"
    return Reason(level, "traffic", message)


def _experiment(experiment: str, replaced: bool) -> Reason:
    if replaced:
        message = (
            f"{experiment} is running with an arm on an affected model version: the arm would"
            " change mid-experiment; wait for it to stop, or restart it"
        )
        return Reason(RiskLevel.MEDIUM, "experiment", message)
    message = f"{experiment} is running and an affected arm has nothing to take over"
    return Reason(RiskLevel.HIGH, "experiment", message)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _names(uids: tuple[str, ...]) -> str:
    shown = ", ".join(uids[:5])
    return shown + (f" and {len(uids) - 5} more" if len(uids) > 5 else "")
