"""A drift alert as a caller may see it: withheld causes are left out whole and counted."""

from __future__ import annotations

from typing import Any

from graph_lineage.drift.listing import visible_alert
from graph_lineage.lineage.model import Node
from graph_lineage.lineage.visibility import EVERYTHING, HIDDEN, Visibility

VIEWER = Visibility(hidden=frozenset({"Recommendation", "Outcome"}))
NO_SOURCES = Visibility(hidden=frozenset({"DataSource"}))


def _alert(kind: str, causes: list[tuple[str, str, float, str]], **extra: Any) -> Node:
    uids, kinds, scores, evidence = (list(column) for column in zip(*causes, strict=True))
    top = f"; likely cause: {uids[0]}: {evidence[0]}"
    properties = {
        "uid": f"drift:{kind}/0123",
        "kind": kind,
        "summary": f"drift in {kind}|served from 2026-10-20T00:00:00Z{top}",
        "cause_uids": uids,
        "cause_kinds": kinds,
        "cause_scores": scores,
        "cause_evidence": evidence,
        **extra,
    }
    return Node(id="4:x:1", labels=("DriftAlert",), properties=properties)


ITEMS = _alert(
    "item_popularity",
    [
        ("served:sku-0042", "new_category", 0.9, "new: sku-0042 was under a fifth of its share"),
        ("seasonality", "seasonality", 0.2, "the seasonal baseline explains 40% of the shift"),
    ],
)
SOURCED = _alert(
    "feature_distribution",
    [
        ("source:catalog", "source_change", 0.5, "source:catalog changed at 2026-10-20"),
        ("feature:price@v2", "own_pipeline", 0.25, "nothing upstream of feature:price@v2"),
    ],
    evidence=["feature:price@v2", "source:catalog"],
)


def test_an_item_is_withheld_from_who_may_not_see_recommendations() -> None:
    shown = visible_alert(ITEMS, VIEWER).properties

    assert shown["cause_uids"] == ["seasonality"]
    assert shown["cause_kinds"] == ["seasonality"] and shown["cause_scores"] == [0.2]
    assert shown["cause_evidence"] == ["the seasonal baseline explains 40% of the shift"]
    assert shown["hidden_causes"] == 1
    assert "sku-0042" not in str(shown) and HIDDEN in shown["summary"]


def test_a_cause_naming_a_hidden_kind_is_withheld_with_its_score_and_evidence() -> None:
    shown = visible_alert(SOURCED, NO_SOURCES).properties

    assert list(zip(shown["cause_uids"], shown["cause_scores"], strict=True)) == [
        ("feature:price@v2", 0.25)
    ]
    assert shown["evidence"] == ["feature:price@v2"]
    assert shown["hidden_causes"] == 1
    assert "catalog" not in str(shown)
    assert (
        visible_alert(ITEMS, NO_SOURCES).properties["cause_uids"] == ITEMS.properties["cause_uids"]
    )  # items are not data sources


def test_who_sees_everything_gets_the_alert_as_stored() -> None:
    assert visible_alert(SOURCED, EVERYTHING) is SOURCED
