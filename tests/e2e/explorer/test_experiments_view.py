"""The Experiments view on up's demo: the list, a report, and the lineage diff of its arms.

Every figure, lift, interval and p-value on screen is checked against the API's
experimentReport for the same method and correction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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

LISTING = "{ experiments { name status requests } }"

REPORT = """
query ($experiment: ID!, $method: ExperimentMethod, $correction: MultipleComparisonCorrection) {
  experimentReport(experiment: $experiment, method: $method, correction: $correction) {
    requests outcomes mismatches
    variants { name uid units requests declaredShare }
    sampleRatios { segment pValue mismatch }
    effects {
      metric segment treatment controlMean treatmentMean pValue adjustedP significant
      absolute { estimate low high } relative { estimate low high }
    }
    integrity { name passed count hiddenExamples }
    arms { statement lineage { variant modelVersions { uid share } } }
  }
}"""

DIFF = """
query ($control: String!, $treatment: String!) {
  control: recommendations(filter: {variant: $control}, first: 1) { edges { node { uid } } }
  treatment: recommendations(filter: {variant: $treatment}, first: 1) { edges { node { uid } } }
}"""


def _report(server: DemoServer, role: str, experiment: str, **how: str) -> dict[str, Any]:
    variables = {"experiment": experiment, **how}
    report: dict[str, Any] = graphql_data(server.graphql(REPORT, variables, role=role))[
        "experimentReport"
    ]
    return report


def _assert_report_shown(page: Any, report: dict[str, Any], lift: str) -> None:
    from playwright.sync_api import expect

    units = sum(v["units"] for v in report["variants"])
    expect(page.locator('[data-figure="units"]')).to_have_text(f"{units:,}")
    assert figure(page, "requests") == f"{report['requests']:,}"
    assert figure(page, "outcomes") == f"{report['outcomes']:,}"
    assert figure(page, "mismatches") == str(report["mismatches"])
    variants = table(page, "variants").records()
    assert [(v["Variant"], v["Requests"]) for v in variants] == [
        (v["name"], f"{v['requests']:,}") for v in report["variants"]
    ]
    ratios = table(page, "sample-ratios").records()
    assert [r["Segment"] for r in ratios] == [s["segment"] or "all" for s in report["sampleRatios"]]
    assert all(
        shows(row["p-value"], ratio["pValue"])
        for row, ratio in zip(ratios, report["sampleRatios"], strict=True)
    )
    effects = table(page, f"effects-{lift}").records()
    assert len(effects) == len(report["effects"])
    for row, effect in zip(effects, report["effects"], strict=True):
        assert (row["Metric"], row["Segment"]) == (effect["metric"], effect["segment"] or "all")
        interval = effect[lift]
        for header, value in (
            (f"{lift.capitalize()} lift", interval and interval["estimate"]),
            ("Interval low", interval and interval["low"]),
            ("Interval high", interval and interval["high"]),
            ("p-value", effect["pValue"]),
            ("Adjusted p", effect["adjustedP"]),
            ("Control", effect["controlMean"]),
        ):
            assert shows(row[header], value), (header, row[header], value)
        assert row["Significant"] == ("yes" if effect["significant"] else "no")


def test_the_list_and_a_report_equal_the_api(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    listing = graphql_data(demo_server.graphql(LISTING, role="engineer"))["experiments"]
    page = visit("engineer", "experiments").page
    rows = table(page, "experiments").records()
    assert [(r["Experiment"], r["Status"], r["Requests"]) for r in rows] == [
        (e["name"], e["status"], f"{e['requests']:,}") for e in listing
    ]
    page.get_by_role("button", name="ranker-v3-rollout", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Report of ranker-v3-rollout")).to_be_visible()
    report = _report(demo_server, "engineer", "ranker-v3-rollout")
    _assert_report_shown(page, report, "relative")
    significant = [e for e in report["effects"] if e["significant"]]
    assert significant, "the demo's treatment truly lifts click-through"
    expect(
        page.locator("figure.chart figcaption", has_text="Relative lift of each comparison")
    ).to_be_visible()

    assert report["arms"] is not None
    expect(page.get_by_text(report["arms"]["statement"])).to_be_visible()
    arms = table(page, "arms-lineage").records()
    for arm in report["arms"]["lineage"]:
        header = next(h for h in arms[0] if h.startswith(f"{arm['variant']} ("))
        for model in arm["modelVersions"]:
            row = next(
                r for r in arms if r["What"] == "model version" and r["Node"] == model["uid"]
            )
            assert shows(row[header], model["share"])
    control, treatment = (v["uid"] for v in report["variants"])
    newest = graphql_data(
        demo_server.graphql(DIFF, {"control": control, "treatment": treatment}, role="engineer")
    )
    a, b = (newest[arm]["edges"][0]["node"]["uid"] for arm in ("control", "treatment"))
    expect(page.get_by_text(f"{a} against {b}: their lineage differs.")).to_be_visible()
    assert axe_violations(page) == []


def test_a_url_restores_a_report_with_its_method_and_exports(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = visit("data_scientist", "experiments?experiment=ranker-v3-rollout").page
    expect(page.get_by_role("heading", name="Report of ranker-v3-rollout")).to_be_visible()
    page.get_by_label("Correction", exact=True).select_option("BENJAMINI_HOCHBERG")
    page.get_by_role("radio", name="absolute").click()
    expect(page).to_have_url(re.compile(r"correction=BENJAMINI_HOCHBERG&lift=absolute"))

    page.goto(page.url)  # the address alone brings the same report back
    expect(page.get_by_label("Correction", exact=True)).to_have_value("BENJAMINI_HOCHBERG")
    expect(page.get_by_role("radio", name="absolute")).to_be_checked()
    report = _report(
        demo_server, "data_scientist", "ranker-v3-rollout", correction="BENJAMINI_HOCHBERG"
    )
    _assert_report_shown(page, report, "absolute")

    effects = table(page, "effects-absolute")
    assert_export_equals_table(effects, export_csv(page, "effects-absolute", tmp_path))
    assert_export_equals_table(
        table(page, "sample-ratios"), export_csv(page, "sample-ratios", tmp_path)
    )
    assert_chart_png(page, "Absolute lift of each comparison, with its 95.0% interval", tmp_path)
    # the server's PDF of the same report, as asked here, stamped with who asked
    text = downloaded_pdf_text(page, "Download the experiment report as PDF")
    assert "ranker-v3-rollout" in text
    assert "Exported by demo-data_scientist (data_scientist)" in text
    assert_printable(
        page, "Report of ranker-v3-rollout", "the experiment report", "demo-data_scientist"
    )


def test_a_viewer_reads_the_counts_and_not_the_requests(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    session = visit("viewer", "experiments?experiment=retriever-v3-ab")
    page = session.page
    expect(page.get_by_role("heading", name="Report of retriever-v3-ab")).to_be_visible()
    report = _report(demo_server, "viewer", "retriever-v3-ab")
    _assert_report_shown(page, report, "relative")
    checks = table(page, "integrity").records()
    assert [c["Example requests"] for c in checks] == ["not visible to your role"] * len(checks)
    assert [int(c["Hidden examples"]) for c in checks] == [
        c["hiddenExamples"] for c in report["integrity"]
    ]
    expect(page.get_by_text("Requests of each arm: not visible to your role")).to_be_visible()

    assert "rec:" not in page.content()
    answers = session.graphql_answers()
    assert answers and not any("rec:" in answer for answer in answers)
    assert axe_violations(page) == []
