"""The recommendation view in Chromium: the trace and the diff on screen equal the API's
answers, the URL restores them, tables export, and a viewer gets no recommendation uid."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graph_lineage.store import Store

from .conftest import DemoServer, Visit, axe_violations, graphql_answers
from .screen import assert_printable, downloaded_pdf_text

TRACE = """query($id: ID!) { trace(recommendationId: $id) {
  recommendation { uid segment items }
  modelVersion { uid trainingWindowStart trainingWindowEnd }
  servedFeatures { uid schemaHash transformHash materializedAt }
  variant { uid } experiment { uid } outcomes { uid itemId outcomeType observedAt } notes } }"""
DIFF = """query($a: ID!, $b: ID!) { lineageDiff(a: $a, b: $b) { identical
  modelVersion { a b } variant { a b } featureChanges { feature a b }
  ancestryOnlyInA ancestryOnlyInB hiddenDifferences } }"""


def _pair(server: DemoServer) -> tuple[str, str]:
    """A recommendation with outcomes and one served by another model version."""
    with Store.connect(server.settings) as store:
        rows = store.read(
            "MATCH (o:Outcome)-[:FOR]->(r:Recommendation)-[:HAS_CONTEXT]->(c:LineageContext)"
            " WITH r, c ORDER BY r.uid LIMIT 1"
            " MATCH (s:Recommendation)-[:HAS_CONTEXT]->(d:LineageContext)"
            " WHERE d.model_version <> c.model_version"
            " RETURN r.uid AS a, s.uid AS b ORDER BY b LIMIT 1"
        )
    return rows[0]["a"], rows[0]["b"]


def _texts(locator: Any) -> list[str]:
    return [text.strip() for text in locator.all_inner_texts()]


def _column(page: Any, table: str, index: int) -> list[str]:
    return _texts(page.locator(f"table[data-table={table}] tbody tr td:nth-child({index})"))


def test_the_trace_and_the_diff_equal_the_answers_and_the_url_restores_them(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    a, b = _pair(demo_server)
    trace = demo_server.graphql(TRACE, {"id": a}, role="engineer")["data"]["trace"]
    diff = demo_server.graphql(DIFF, {"a": a, "b": b}, role="engineer")["data"]["lineageDiff"]
    page = visit("engineer", f"recommendation?id={a}&b={b}").page

    expect(page.get_by_test_id("model-version")).to_have_text(trace["modelVersion"]["uid"])
    variant = page.get_by_test_id("variant")
    if trace["variant"]:
        expect(variant).to_contain_text(trace["variant"]["uid"])
    else:
        expect(variant).to_have_text("not in an experiment")
    expect(page.get_by_test_id("trace-facts")).to_contain_text("not visible to your role")

    served = page.locator("table[data-table=served-features] tbody tr")
    expect(served).to_have_count(len(trace["servedFeatures"]))
    assert _column(page, "served-features", 1) == [f["uid"] for f in trace["servedFeatures"]]
    assert _column(page, "served-features", 2) == [f["schemaHash"] for f in trace["servedFeatures"]]
    assert _column(page, "served-features", 3) == [
        f["transformHash"] for f in trace["servedFeatures"]
    ]
    times = served.locator("td:nth-child(4) time")
    assert [t.get_attribute("datetime") for t in times.all()] == [
        f["materializedAt"] for f in trace["servedFeatures"]
    ]
    expect(page.locator("table[data-table=outcomes] tbody tr")).to_have_count(
        len(trace["outcomes"])
    )
    assert _column(page, "outcomes", 3) == [o["itemId"] for o in trace["outcomes"]]
    assert _column(page, "items", 2) == trace["recommendation"]["items"]
    for note in trace["notes"]:
        expect(page.get_by_role("note", name="Notes")).to_contain_text(note)

    # the timeline holds every materialization, the training window, the serving, each outcome
    timeline = page.locator("table[data-table=timeline] tbody tr")
    events = _column(page, "timeline", 2)
    uids = _column(page, "timeline", 3)
    assert events.count("feature version materialized") == len(trace["servedFeatures"])
    assert {"training window starts", "training window ends", "recommendation served"} <= set(
        events
    )
    assert [u for u, e in zip(uids, events, strict=True) if e.startswith("outcome")] == [
        o["uid"] for o in trace["outcomes"]
    ]
    stamps = [t.get_attribute("datetime") for t in timeline.locator("td:nth-child(1) time").all()]
    assert stamps == sorted(stamps, key=lambda s: s.replace("Z", "+00:00"))

    differences = (
        (diff["modelVersion"] is not None)
        + (diff["variant"] is not None)
        + len(diff["featureChanges"])
        + len(diff["ancestryOnlyInA"])
        + len(diff["ancestryOnlyInB"])
    )
    assert not diff["identical"] and diff["modelVersion"]["a"] == trace["modelVersion"]["uid"]
    expect(page.get_by_test_id("diff-verdict")).to_have_text(f"{differences} differences.")
    expect(page.locator("table[data-table=diff] tbody tr")).to_have_count(differences)

    # a node of the picture, chosen with the keyboard, opens its panel
    page.get_by_role("application", name=re.compile("^trace graph")).focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("graph-focus")).to_contain_text("Focused: ")
    focused = page.get_by_test_id("graph-focus").inner_text()
    chosen = focused.removeprefix("Focused: ").split(",")[0]
    page.keyboard.press("Enter")
    expect(page.get_by_role("complementary", name=f"Node {chosen}")).to_be_visible()

    page.reload()  # the URL alone restores the trace, the chosen node and the comparison
    expect(page.get_by_role("complementary", name=f"Node {chosen}")).to_be_visible()
    expect(page.get_by_test_id("model-version")).to_have_text(trace["modelVersion"]["uid"])
    expect(page.get_by_test_id("diff-verdict")).to_have_text(f"{differences} differences.")
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("button", name="Export Timeline as CSV").click()
    lines = download.value.path().read_text().splitlines()
    assert lines[0] == "# graph-lineage recommendation export (CSV)"
    rows = [line for line in lines if not line.startswith("#")][1:]
    assert [row.split(",")[2] for row in rows] == _column(page, "timeline", 3)

    # the trace as the server's PDF: the same recommendation, its features' hashes, the stamp
    text = downloaded_pdf_text(page, "Download the trace report as PDF")
    assert a in text and "Exported by demo-engineer (engineer)" in text
    assert all(f["schemaHash"][:12] in text for f in trace["servedFeatures"])
    assert_printable(page, "Why did this user get this item?", "the trace report", "demo-engineer")


def test_a_viewer_gets_no_recommendation_uid_only_counts(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    a, _ = _pair(demo_server)
    page = visit("viewer", "").page
    answers = graphql_answers(page)
    page.goto("/ui/recommendation")
    expect(page.get_by_text("Recent recommendations: not visible to your role")).to_be_visible()

    typed = a.removeprefix("rec:")[:8]
    page.get_by_role("combobox", name="Recommendation").fill(typed)
    query = """query($t: String!) {
      search(text: $t, kinds: ["Recommendation"]) { hits { uid } hidden } }"""
    searched = demo_server.graphql(query, {"t": typed}, role="viewer")["data"]["search"]
    assert searched["hits"] == [] and searched["hidden"] > 0
    expect(page.get_by_text(f"+{searched['hidden']} hidden matches")).to_be_visible()
    assert axe_violations(page) == []
    texts = [page.inner_text("body")]

    page.goto(f"/ui/recommendation?id={a}")  # a link an investigator shared
    denied = page.get_by_text("The trace of a recommendation: not visible to your role")
    expect(denied).to_be_visible()
    texts += [page.inner_text("body"), *answers]
    for asked in ("Query.recommendations", '"search"', "Query.trace"):  # each was answered
        assert any(asked in answer for answer in answers), asked
    for text in texts:
        assert "rec:" not in text
        assert a.removeprefix("rec:") not in text


def test_an_unknown_recommendation_says_what_to_do(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("engineer", "recommendation?id=rec:no-such-request").page
    expect(page.get_by_text("No recommendation you may see has this id")).to_be_visible()
