"""The risk rules of a planned change: each one fires on its condition, at its level."""

from __future__ import annotations

import pytest

from graph_lineage.change_plans.risk import (
    MAJOR_SHARE,
    NOTABLE_SHARE,
    Exposure,
    Reason,
    RiskLevel,
    assess,
    level_of,
)


def _rules(reasons: list[Reason]) -> dict[str, RiskLevel]:
    return {reason.rule: reason.level for reason in reasons}


def _exposure(**changes: object) -> Exposure:
    values: dict[str, object] = {"feature_versions": 1, "model_versions": 2, "recommendations": 0}
    values["share"] = 0.0
    values.update(changes)
    return Exposure(**values)  # type: ignore[arg-type]


def test_levels_are_ordered_and_parsed_by_name() -> None:
    assert [level.label for level in sorted(RiskLevel)] == [
        "none",
        "low",
        "medium",
        "high",
        "critical",
    ]
    assert RiskLevel.parse(" High ") is RiskLevel.HIGH
    with pytest.raises(ValueError, match="use one of none, low, medium, high, critical"):
        RiskLevel.parse("severe")
    assert level_of([]) is RiskLevel.NONE


def test_nothing_below_and_no_traffic_is_no_risk() -> None:
    reasons = assess(_exposure(feature_versions=0, model_versions=0, window="the 7 days before X"))

    assert _rules(reasons) == {"unused": RiskLevel.NONE}
    assert reasons[0].message == (
        "nothing depends on it and it served no recommendations in the 7 days before X"
    )


def test_dependents_alone_are_low_and_counted_in_words() -> None:
    reasons = assess(_exposure())

    assert _rules(reasons) == {"dependents": RiskLevel.LOW}
    assert reasons[0].message == "1 feature version and 2 model versions depend on it"
    assert assess(_exposure(feature_versions=0, model_versions=1))[0].message == (
        "1 model version depends on it"
    )


@pytest.mark.parametrize(
    ("share", "level"),
    [
        (0.001, RiskLevel.LOW),
        (NOTABLE_SHARE - 0.001, RiskLevel.LOW),
        (NOTABLE_SHARE, RiskLevel.MEDIUM),
        (MAJOR_SHARE - 0.001, RiskLevel.MEDIUM),
        (MAJOR_SHARE, RiskLevel.HIGH),
    ],
)
def test_traffic_share_sets_the_traffic_level(share: float, level: RiskLevel) -> None:
    reasons = assess(_exposure(recommendations=5, share=share))

    assert _rules(reasons)["traffic"] is level
    assert level_of(reasons) is level


def test_an_active_deployment_with_a_replacement_must_move_first() -> None:
    reasons = assess(_exposure(switches=(("deployment:r/production@v2", "model:r@v3"),)))

    assert _rules(reasons)["switch"] is RiskLevel.MEDIUM
    assert "deployment:r/production@v2 is active: move it to model:r@v3 first" in [
        r.message for r in reasons
    ]


def test_a_running_experiment_is_medium_with_a_replacement_and_high_without() -> None:
    replaced = assess(_exposure(experiments=(("experiment:e", True),)))
    lost = assess(_exposure(experiments=(("experiment:e", False),)))

    assert level_of(replaced) is RiskLevel.MEDIUM
    assert level_of(lost) is RiskLevel.HIGH
    assert _rules(lost)["experiment"] is RiskLevel.HIGH


def test_serving_without_replacement_is_high_and_critical_with_most_traffic() -> None:
    minor = assess(
        _exposure(
            serving_unreplaced=("model:r@v3",),
            recommendations=10,
            share=0.2,
            retrain_on="feature:f@v4",
        )
    )
    major = assess(
        _exposure(
            serving_unreplaced=("model:r@v3", "model:q@v1"), recommendations=60, share=MAJOR_SHARE
        )
    )

    assert level_of(minor) is RiskLevel.HIGH and "outage" not in _rules(minor)
    assert (
        "model:r@v3 serves traffic now and no other version of its model survives the plan:"
        " train one on feature:f@v4 and deploy it first"
    ) in [r.message for r in minor]
    assert _rules(major)["outage"] is RiskLevel.CRITICAL
    assert level_of(major) is RiskLevel.CRITICAL


def test_unreplaced_versions_that_serve_nothing_are_low() -> None:
    idle = tuple(f"model:r@v{n}" for n in range(1, 8))

    reasons = assess(_exposure(idle_unreplaced=idle))

    assert level_of(reasons) is RiskLevel.LOW
    assert _rules(reasons)["no-replacement"] is RiskLevel.LOW
    assert "model:r@v5 and 2 more (not serving now)" in reasons[-1].message
