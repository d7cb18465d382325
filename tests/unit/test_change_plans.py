"""Change plans: what a valid plan holds, and what each kind of mistake is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from graph_lineage.change_plans.plan import (
    DEFAULT_WINDOW_DAYS,
    Deprecate,
    Drop,
    InvalidPlan,
    Replace,
    Retire,
    load_plan,
    parse_plan,
)

FULL = """
title: move user_ctr_7d to v4
window_days: 14
as_of: 2026-10-31T00:00:00Z
changes:
  - replace: feature:user_ctr_7d@v3
    with: feature:user_ctr_7d@v4
  - deprecate: feature:item_price@v1
  - drop: source:inventory
  - retire: model:ranker@v2
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(InvalidPlan) as raised:
        load_plan(text)
    return raised.value.problems


def test_a_yaml_plan_holds_each_kind_of_change_in_order() -> None:
    plan = load_plan(FULL)

    assert plan.title == "move user_ctr_7d to v4" and plan.window_days == 14
    assert plan.as_of == datetime(2026, 10, 31, tzinfo=UTC)
    assert [type(change) for change in plan.changes] == [Replace, Deprecate, Drop, Retire]
    assert [change.target for change in plan.changes] == [
        "feature:user_ctr_7d@v3",
        "feature:item_price@v1",
        "source:inventory",
        "model:ranker@v2",
    ]
    assert plan.changes[0].replacement == "feature:user_ctr_7d@v4"
    assert [change.replacement for change in plan.changes[1:]] == [None, None, None]
    assert plan.changes[0].describe() == (
        "replace feature:user_ctr_7d@v3 with feature:user_ctr_7d@v4"
    )


def test_json_is_read_too_and_defaults_apply() -> None:
    plan = load_plan('{"changes": [{"drop": "source:orders"}]}')

    assert plan.window_days == DEFAULT_WINDOW_DAYS == 7
    assert plan.as_of is None and plan.title is None
    before = datetime.now(UTC)
    assert before <= plan.judged_at() <= datetime.now(UTC)


def test_as_of_keeps_its_zone_and_a_date_means_midnight_utc() -> None:
    zoned = load_plan("as_of: 2026-10-31T02:00:00+02:00\nchanges: [{drop: source:a}]")
    day = load_plan("as_of: 2026-10-31\nchanges: [{drop: source:a}]")

    assert zoned.as_of == datetime(2026, 10, 31, 2, tzinfo=timezone(timedelta(hours=2)))
    assert day.as_of == datetime(2026, 10, 31, tzinfo=UTC)
    assert _problems("as_of: 2026-10-31T00:00:00\nchanges: [{drop: source:a}]") == [
        "plan `as_of`: Input should have timezone info; write e.g. 2026-10-31T00:00:00Z"
    ]
    assert _problems("as_of: soon\nchanges: [{drop: source:a}]") == [
        "plan `as_of`: 'soon' is not an ISO 8601 time; write e.g. 2026-10-31T00:00:00Z"
    ]


def test_every_problem_is_named_with_its_change_at_once() -> None:
    problems = _problems(
        """
changes:
  - replace: feature:user_ctr_7d@v3
    with: feature:item_price@v4
  - drop: source:inventory
    retire: model:ranker@v2
  - drop: feature:item_price@v1
  - retire: model:ranker
  - replace: feature:user_ctr_7d@v1
  - drop source:inventory
  - deprecate: feature:item_price@v1
    note: not yet
"""
    )

    assert problems == [
        "change 1: `with` must be a version of the feature user_ctr_7d, not"
        " feature:item_price@v4; to move to another feature, deprecate feature:user_ctr_7d@v3"
        " instead",
        "change 2: a change needs exactly one of replace, deprecate, drop, retire"
        " (got ['drop', 'retire'])",
        "change 3 `drop`: 'feature:item_price@v1' is not a data source; write source:<name>",
        "change 4 `retire`: 'model:ranker' is not a model version; write model:<name>@<version>",
        "change 5 `with`: missing: give the feature version that replaces it",
        "change 6: a change needs exactly one of replace, deprecate, drop, retire"
        " (got 'drop source:inventory')",
        "change 7 `note`: unknown key; a change has one of replace (with `with`), deprecate,"
        " drop or retire",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("changes: []", "plan `changes`: List should have at least 1 item after validation"),
        ("window_days: 0\nchanges: [{drop: source:a}]", "plan `window_days`: Input should be"),
        ("window_days: '7'\nchanges: [{drop: source:a}]", "plan `window_days`: Input should be"),
        (
            "changes: [{replace: feature:a@v1, with: feature:a@v1}]",
            "change 1: `with` names the version it replaces, feature:a@v1",
        ),
        (
            "changes: [{deprecate: 'feature:a b@v1'}]",
            "change 1 `deprecate`: 'feature:a b@v1' is not a uid of the form",
        ),
        (
            "changes: [{drop: source:a}, {retire: model:m@v1}, {drop: source:a}]",
            "change 3 changes source:a again, as change 1 does; keep one of them",
        ),
        ("- drop: source:a", "the plan must be a mapping with a `changes:` list, not list"),
        ("changes: [", "the plan is neither YAML nor JSON: while parsing a flow"),
    ],
)
def test_each_mistake_says_what_to_do(text: str, problem: str) -> None:
    problems = _problems(text)

    assert len(problems) == 1 and problems[0].startswith(problem), problems


def test_a_misspelt_key_is_unknown_and_leaves_changes_missing() -> None:
    assert _problems("changez: [{drop: source:a}]") == [
        "plan `changes`: missing: list the changes, e.g. `changes: [{drop: source:<name>}]`",
        "plan `changez`: unknown key; a plan has title, as_of, window_days and changes",
    ]


def test_the_error_message_lists_every_problem() -> None:
    with pytest.raises(InvalidPlan, match=r"not valid: change 1 .*; change 2 "):
        parse_plan({"changes": [{"drop": "model:m@v1"}, {"retire": "source:s"}]})
