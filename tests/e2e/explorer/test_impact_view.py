"""The Impact view on up's demo: a node's downstream and traffic, a change plan's risk.

Numbers on screen are checked against the API's impact and changePlan answers for the same
inputs; plans are judged as of today (the demo's traffic ends yesterday).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .conftest import DemoServer, Visit, axe_violations
from .screen import (
    assert_chart_png,
    assert_export_equals_table,
    assert_printable,
    downloaded_pdf_text,
    export_csv,
    figure,
    graphql_data,
    shows,
    table,
)

IMPACT = """
query ($uid: ID!) {
  impact(uid: $uid) { recommendations bySegment { key count } byModelVersion { key count } }
}"""

CHANGE_PLAN = """
query ($change: ChangePlanInput!) {
  changePlan(change: $change) {
    title level recommendations allRecommendations share
    reasons { change level rule message }
    byDay { day recommendations total } bySegment { segment recommendations total }
    owners { owner affected }
  }
}"""

FEATURE = "feature:user_ctr_7d@v2"
PLAN_TEXT = "Change plan (YAML or JSON, as for graph-lineage change-plan)"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _plan(server: DemoServer, role: str, change: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = graphql_data(
        server.graphql(CHANGE_PLAN, {"change": change}, role=role)
    )["changePlan"]
    return report


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _assert_plan_shown(page: Any, name: str, report: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    expect(page.locator('[data-figure="level"]')).to_have_text(re.compile(report["level"].lower()))
    assert _count(figure(page, "recommendations")) == report["recommendations"]
    assert _count(figure(page, "all-recommendations")) == report["allRecommendations"]
    assert shows(figure(page, "share"), report["share"])
    reasons = table(page, f"{name}-reasons").rows
    assert reasons == [
        [str(r["change"]), r["level"].lower(), r["rule"], r["message"]] for r in report["reasons"]
    ]
    days = table(page, f"{name}-by-day").rows
    assert [(d, _count(n), _count(t)) for d, n, t in days] == [
        (d["day"], d["recommendations"], d["total"]) for d in report["byDay"]
    ]
    segments = table(page, f"{name}-by-segment").rows
    assert [(s, _count(n), _count(t)) for s, n, t in segments] == [
        (s["segment"], s["recommendations"], s["total"]) for s in report["bySegment"]
    ]
    owners = table(page, f"{name}-owners").rows
    assert owners == [[o["owner"], ", ".join(o["affected"])] for o in report["owners"]]


def test_a_node_shows_what_it_touches_its_traffic_owners_and_risk(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("engineer", "impact").page
    expect(page.get_by_text("Type a node's uid")).to_be_visible()
    page.get_by_label("Risk judged as of (UTC day)", exact=True).fill(_today())
    page.get_by_label("Node uid", exact=True).fill(FEATURE)
    page.get_by_label("Node uid", exact=True).press("Enter")
    expect(page.get_by_role("heading", name=f"Impact of {FEATURE}")).to_be_visible()

    impact = graphql_data(demo_server.graphql(IMPACT, {"uid": FEATURE}, role="engineer"))["impact"]
    assert _count(figure(page, "impact-recommendations")) == impact["recommendations"]
    assert [(k, _count(n)) for k, n in table(page, "by-segment").rows] == [
        (s["key"], s["count"]) for s in impact["bySegment"]
    ]
    assert [(k, _count(n)) for k, n in table(page, "by-model-version").rows] == [
        (m["key"], m["count"]) for m in impact["byModelVersion"]
    ]
    expect(
        page.get_by_role("heading", name=f"If it went away: deprecate {FEATURE}")
    ).to_be_visible()
    change = {"changes": [{"deprecate": FEATURE}], "asOf": f"{_today()}T00:00:00Z", "windowDays": 7}
    _assert_plan_shown(page, "going-away", _plan(demo_server, "engineer", change))
    # the server's PDF of the same impact, stamped with who asked
    text = downloaded_pdf_text(page, "Download the impact report as PDF")
    assert FEATURE in text and "Exported by demo-engineer (engineer)" in text
    assert axe_violations(page) == []

    expect(page).to_have_url(re.compile(rf"uid={re.escape('feature%3Auser_ctr_7d%40v2')}"))
    page.goto(page.url)  # the address alone brings the same report back
    expect(page.get_by_label("Node uid", exact=True)).to_have_value(FEATURE)
    expect(page.get_by_label("Risk judged as of (UTC day)", exact=True)).to_have_value(_today())
    assert _count(figure(page, "impact-recommendations")) == impact["recommendations"]


def test_a_written_plan_and_an_uploaded_one_are_assessed(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = visit("viewer", "impact?mode=plan").page
    written = (
        "title: move user_ctr_7d to v3\n"
        f"as_of: {_today()}\n"
        "window_days: 5\n"
        "changes:\n"
        "  - replace: feature:user_ctr_7d@v2\n"
        "    with: feature:user_ctr_7d@v3\n"
    )
    page.get_by_label(PLAN_TEXT, exact=True).fill(written)
    page.get_by_role("button", name="Assess the plan").click()
    expect(page.get_by_role("heading", name="move user_ctr_7d to v3")).to_be_visible()
    replace = {"replace": "feature:user_ctr_7d@v2", "with": "feature:user_ctr_7d@v3"}
    change = {"title": "move user_ctr_7d to v3", "asOf": f"{_today()}T00:00:00Z", "windowDays": 5}
    report = _plan(demo_server, "viewer", {**change, "changes": [replace]})
    _assert_plan_shown(page, "plan", report)
    assert len(table(page, "plan-by-day").rows) == 5

    page.goto(page.url)  # the plan is in the address: the report comes back
    expect(page.get_by_role("heading", name="move user_ctr_7d to v3")).to_be_visible()
    expect(page.get_by_label(PLAN_TEXT, exact=True)).to_have_value(written)
    assert _count(figure(page, "recommendations")) == report["recommendations"]
    assert_export_equals_table(
        table(page, "plan-reasons"), export_csv(page, "plan-reasons", tmp_path)
    )
    assert_export_equals_table(
        table(page, "plan-by-day"), export_csv(page, "plan-by-day", tmp_path)
    )
    assert_chart_png(page, "Recommendations per day", tmp_path)
    assert_printable(page, "move user_ctr_7d to v3", "the change plan's report", "demo-viewer")
    assert axe_violations(page) == []

    uploaded = {
        "title": "retire ranker v2",
        "asOf": f"{_today()}T00:00:00Z",
        "changes": [{"retire": "model:ranker@v2"}],
    }
    page.get_by_label("Or upload a plan file", exact=True).set_input_files(
        files=[
            {
                "name": "retire.json",
                "mimeType": "application/json",
                "buffer": json.dumps(uploaded).encode(),
            }
        ]
    )
    expect(page.get_by_role("heading", name="retire ranker v2")).to_be_visible()
    _assert_plan_shown(page, "plan", _plan(demo_server, "viewer", uploaded))

    page.get_by_label(PLAN_TEXT, exact=True).fill("changes:\n  - replace: feature:user_ctr_7d@v2\n")
    page.get_by_role("button", name="Assess the plan").click()
    expect(page.get_by_role("alert")).to_contain_text("change 1: replace needs `with`")
    page.get_by_label(PLAN_TEXT, exact=True).fill(
        "changes:\n  - replace: feature:user_ctr_7d@v2\n    with: feature:user_ctr_7d@v9\n"
    )
    page.get_by_role("button", name="Assess the plan").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "no lineage node has uid 'feature:user_ctr_7d@v9'"
    )


def test_a_role_that_may_not_read_a_nodes_properties_sees_it_said(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    uid = "experiment:ranker-v3-rollout"
    answer = demo_server.graphql(
        "query ($uid: ID!) { impact(uid: $uid) { root { properties } } }",
        {"uid": uid},
        role="viewer",
    )
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN_FIELD"]
    page = visit("viewer", f"impact?uid={uid}").page
    expect(page.get_by_role("heading", name=f"Impact of {uid}")).to_be_visible()
    expect(page.get_by_text("Properties: not visible to your role")).to_be_visible()
    expect(
        page.get_by_text("Risk, owners and traffic per day are judged for a change")
    ).to_be_visible()
