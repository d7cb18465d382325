"""The lineage view in Chromium: what it shows equals the API's answers for the same
choices, the as-of slider replays the graph, the URL restores the view, a viewer sees
"+N hidden" and no recommendation uid anywhere, and the graph exports as a stamped PNG."""

from __future__ import annotations

import html
import json
import re
import struct
from collections.abc import Callable
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, urlparse

from .conftest import DemoServer, Visit, axe_violations, graphql_answers

KINDS = [
    "DataSource",
    "Feature",
    "FeatureVersion",
    "Model",
    "ModelVersion",
    "Deployment",
    "Experiment",
    "Variant",
    "LineageContext",
    "Recommendation",
    "Outcome",
]  # the view's default choice of kinds, recommendations and outcomes grouped
GRAPH = """query($uid: ID!, $depth: Int!, $asOf: DateTime, $kinds: [String!]) {
  downstream(uid: $uid, depth: $depth, asOf: $asOf, kinds: $kinds, collapse: true) {
    nodes { uid kind validFrom } edges { source target type } hidden { kind count }
    groups { context recommendations outcomes } } }"""
SEARCH = "query($t: String!) { search(text: $t, first: 10) { hits { uid } hidden } }"


def _graph(server: DemoServer, role: str = "engineer", **variables: Any) -> dict[str, Any]:
    asked = {"uid": "source:clickstream", "depth": 6, "asOf": None, "kinds": KINDS, **variables}
    answer = server.graphql(GRAPH, asked, role=role)
    assert "errors" not in answer, answer
    graph: dict[str, Any] = answer["data"]["downstream"]
    return graph


def _summary(graph: dict[str, Any]) -> str:
    return f"{len(graph['nodes']):,} nodes · {len(graph['edges']):,} edges"


def _column(page: Any, table: str, index: int) -> list[str]:
    cells = page.locator(f"table[data-table={table}] tbody tr td:nth-child({index})")
    return [text.strip() for text in cells.all_inner_texts()]


def test_the_graph_equals_the_answer_and_its_url_restores_it(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("engineer", "lineage").page
    node = page.get_by_role("combobox", name="Node")
    node.fill("clickstream")
    hits = demo_server.graphql(SEARCH, {"t": "clickstream"}, role="engineer")["data"]["search"]
    options = page.get_by_role("listbox", name="Node: suggestions").get_by_role("option")
    expect(options).to_have_count(len(hits["hits"]))
    assert [o.strip().split()[0] for o in options.all_inner_texts()] == [
        h["uid"] for h in hits["hits"]
    ]
    node.press("ArrowDown")
    node.press("Enter")
    page.get_by_label("Depth").select_option("6")

    graph = _graph(demo_server)
    expect(page.get_by_test_id("graph-summary")).to_contain_text(_summary(graph))
    groups = sorted(graph["groups"], key=lambda g: (-g["recommendations"], g["context"]))
    expect(page.locator("table[data-table=groups] tbody tr")).to_have_count(len(groups))
    assert _column(page, "groups", 1) == [g["context"] for g in groups]
    assert _column(page, "groups", 2) == [f"{g['recommendations']:,}" for g in groups]
    assert _column(page, "groups", 3) == [f"{g['outcomes']:,}" for g in groups]

    # open the biggest group one page: 25 recommendations and their outcomes join the graph
    page.get_by_role("button", name="Show 25 more").first.click()
    first = groups[0]["context"]
    page_query = """query($c: ID!) { recommendations(filter: {context: $c}, first: 25) {
      edges { node { uid outcomes { uid } } } } }"""
    opened = demo_server.graphql(page_query, {"c": first}, role="engineer")["data"]
    leaves = [edge["node"] for edge in opened["recommendations"]["edges"]]
    expected = {n["uid"] for n in leaves} | {o["uid"] for n in leaves for o in n["outcomes"]}
    assert len(leaves) == 25 and len(expected) > 25
    rows = page.locator("table[data-table=nodes] tbody tr")
    expect(rows).to_have_count(len(graph["nodes"]) + len(expected))
    assert set(_column(page, "nodes", 1)) == {n["uid"] for n in graph["nodes"]} | expected
    first_group = page.locator("table[data-table=groups] tbody tr").first
    expect(first_group.locator("td").nth(3)).to_have_text("25")  # Shown

    # the keyboard walks the drawing from its left, the origin; Enter opens a node's panel
    page.get_by_role("application", name=re.compile("^lineage graph")).focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("graph-focus")).to_have_text(
        "Focused: source:clickstream, DataSource"
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("complementary", name="Node source:clickstream")).to_be_visible()

    # a node's panel, and the path between two nodes
    feature = next(n["uid"] for n in graph["nodes"] if n["kind"] == "FeatureVersion")
    page.get_by_role("button", name=feature, exact=True).click()
    panel = page.get_by_role("complementary", name=f"Node {feature}")
    expect(panel.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(panel).to_contain_text("materialized at")
    page.get_by_label("Path from").select_option("source:clickstream")
    page.get_by_label("to", exact=True).select_option(first)
    path_text = page.get_by_test_id("path")
    expect(path_text).to_contain_text("Path (")
    steps = path_text.inner_text().split(": ", 1)[1].split(" → ")
    assert steps[0] == "source:clickstream" and steps[-1] == first
    linked = {frozenset((e["source"], e["target"])) for e in graph["edges"]}
    assert all(frozenset(pair) in linked for pair in pairwise(steps))

    shown = page.get_by_test_id("graph-summary").inner_text()
    page.reload()  # the URL alone restores the view
    expect(page.get_by_test_id("graph-summary")).to_have_text(shown)
    expect(page.get_by_role("complementary", name=f"Node {feature}")).to_be_visible()
    expect(page.get_by_test_id("path")).to_have_text(path_text.inner_text())
    expect(rows).to_have_count(len(graph["nodes"]) + len(expected))
    assert axe_violations(page) == []


def test_the_slider_hides_what_was_materialized_after_the_moment(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    now = _graph(demo_server)
    features = [n for n in now["nodes"] if n["kind"] == "FeatureVersion"]
    latest = max(features, key=lambda n: n["validFrom"])
    moments = sorted({n["validFrom"] for n in now["nodes"] if n["validFrom"]})
    before = moments[moments.index(latest["validFrom"]) - 1]
    then = _graph(demo_server, asOf=before)
    assert latest["uid"] not in {n["uid"] for n in then["nodes"]}

    page = visit("engineer", "lineage?uid=source:clickstream&depth=6").page
    expect(page.get_by_test_id("graph-summary")).to_contain_text(_summary(now))
    assert latest["uid"] in _column(page, "nodes", 1)
    page.get_by_label("As of").fill(str(moments.index(before)))

    expect(page.get_by_test_id("graph-summary")).to_contain_text(_summary(then))
    assert parse_qs(urlparse(page.url).query)["asOf"] == [before]
    expect(page.get_by_role("button", name=latest["uid"], exact=True)).to_have_count(0)
    assert set(_column(page, "nodes", 1)) == {n["uid"] for n in then["nodes"]}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_viewer_sees_hidden_counts_and_no_recommendation_uid(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("viewer", "").page
    answers = graphql_answers(page)
    page.goto("/ui/lineage?uid=source:clickstream&depth=6")

    graph = _graph(demo_server, role="viewer")
    (hidden,) = [h for h in graph["hidden"] if h["kind"] == "Recommendation"]
    expect(page.get_by_text(f"+{hidden['count']} hidden Recommendation")).to_be_visible()
    expect(page.get_by_test_id("graph-summary")).to_contain_text(_summary(graph))
    assert graph["groups"] == []

    page.get_by_role("combobox", name="Node").fill("rec:")
    searched = demo_server.graphql(SEARCH, {"t": "rec:"}, role="viewer")["data"]["search"]
    assert searched["hits"] == [] and searched["hidden"] > 0
    expect(page.get_by_text(f"+{searched['hidden']} hidden matches")).to_be_visible()

    assert len(answers) >= 3  # the principal, the graph, the search
    for text in (page.inner_text("body"), *answers):
        assert "rec:" not in text
    assert axe_violations(page) == []


def test_the_graph_exports_as_stamped_png_and_svg_of_its_size(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("viewer", "lineage?uid=source:clickstream&depth=6").page
    size = page.get_by_test_id("drawing-size")
    expect(size).to_contain_text("PNG")
    width, height = (int(n) for n in re.findall(r"\d+", size.inner_text()))
    with page.expect_download() as svg_download:
        page.get_by_role("button", name="Export lineage graph as SVG").click()
    svg = svg_download.value.path().read_text()
    assert "<svg" in svg and "Exported by demo-viewer (viewer)" in svg
    metadata = re.search(r"<metadata>(.*?)</metadata>", svg, re.S)
    assert metadata is not None
    stamp_lines = len(json.loads(html.unescape(metadata.group(1)))["text"])
    with page.expect_download() as png_download:
        page.get_by_role("button", name="Export lineage graph as PNG").click()
    png = png_download.value.path().read_bytes()
    assert _png_size(png) == (width, height + 16 * stamp_lines + 8)  # exports.ts: its footer
    with page.expect_download() as table_download:
        page.get_by_role("button", name="Export Nodes of the graph as CSV").click()
    csv_text = table_download.value.path().read_text()
    rows = [line for line in csv_text.splitlines() if not line.startswith("#")][1:]
    assert [row.split(",")[0] for row in rows] == _column(page, "nodes", 1)
    for text in (svg, csv_text):
        assert "rec:" not in text
