"""The Drift view on up's demo: alerts, their causes and blast radius, each signal's windows.

The demo's drift (a source change, a new cohort) is found by the scan `up` runs as it
starts; every number on screen is checked against the API's answer for the same filters.
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
    export_csv,
    figure,
    graphql_data,
    shows,
    table,
)

ALERTS = """
query ($filter: DriftAlertFilterInput) {
  driftAlerts(filter: $filter, first: 50) {
    edges { node {
      uid signal subject severity windows value threshold
      causes { uid kind score } hiddenCauses
      blastRadius { recommendations usage { day segment count } }
    } }
  }
}"""

REPORT = """
query ($uid: ID!, $baseline: DriftBaseline) {
  driftReport(uid: $uid, baseline: $baseline) {
    signals { signal windows { start count verdict value pValue threshold baseline } }
  }
}"""


def _alerts(server: DemoServer, role: str, **filter: str) -> list[dict[str, Any]]:
    data = graphql_data(server.graphql(ALERTS, {"filter": filter}, role=role))
    return [edge["node"] for edge in data["driftAlerts"]["edges"]]


def _assert_windows_shown(page: Any, name: str, windows: list[dict[str, Any]]) -> None:
    shown = table(page, name).records()
    assert [row["Window start"] for row in shown] == [w["start"] for w in windows]
    for row, window in zip(shown, windows, strict=True):
        assert row["Verdict"] == (window["verdict"] or "—")
        assert int(row["Observations"].replace(",", "")) == window["count"]
        assert shows(row["Value"], window["value"]), (row, window)
        assert shows(row["p-value"], window["pValue"]), (row, window)
        assert shows(row["Threshold"], window["threshold"]), (row, window)


def test_the_alerts_and_one_alert_equal_the_api(
    visit: Callable[[str, str], Visit], drift_scanned: DemoServer
) -> None:
    from playwright.sync_api import expect

    expected = _alerts(drift_scanned, "viewer", status="open")
    assert expected, "the demo's drift scan raised no open alert"
    page = visit("viewer", "drift?status=open").page
    expect(page.get_by_label("Status", exact=True)).to_have_value("open")
    alerts = table(page, "alerts").records()
    assert [row["Signal"] for row in alerts] == [alert["signal"] for alert in expected]
    for row, alert in zip(alerts, expected, strict=True):
        assert row["Severity"] == alert["severity"]
        assert int(row["Windows"]) == alert["windows"]
        assert shows(row["Value"], alert["value"]) and shows(row["Threshold"], alert["threshold"])
        assert (
            int(row["Recommendations since onset"].replace(",", ""))
            == (alert["blastRadius"]["recommendations"])
        )

    # an alert with traffic downstream and the most causes, chosen with the keyboard
    chosen = max(expected, key=lambda a: (bool(a["blastRadius"]["usage"]), len(a["causes"])))
    page.get_by_role("button", name=chosen["signal"], exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=chosen["signal"])).to_be_visible()
    assert shows(figure(page, "threshold"), chosen["threshold"])
    assert shows(figure(page, "statistic"), chosen["value"])
    blast = chosen["blastRadius"]["recommendations"]
    assert figure(page, "blast-recommendations") == f"{blast:,}"
    causes = table(page, "causes").records()
    assert [(row["Rank"], row["Cause"], row["Kind"]) for row in causes] == [
        (str(rank), cause["uid"], cause["kind"]) for rank, cause in enumerate(chosen["causes"], 1)
    ]
    assert all(
        shows(row["Score"], cause["score"])
        for row, cause in zip(causes, chosen["causes"], strict=True)
    )
    usage = table(page, "blast-radius-usage").records()
    assert [
        (u["Day (UTC)"], u["Segment"], int(u["Recommendations"].replace(",", ""))) for u in usage
    ] == [(u["day"], u["segment"], u["count"]) for u in chosen["blastRadius"]["usage"]]

    series = graphql_data(drift_scanned.graphql(REPORT, {"uid": chosen["uid"]}, role="viewer"))
    (signal,) = series["driftReport"]["signals"]
    expect(page.locator("figure.chart figcaption", has_text=signal["signal"])).to_be_visible()
    _assert_windows_shown(page, "windows-1", signal["windows"])
    assert "rec:" not in page.content()
    assert axe_violations(page) == []


def test_a_url_restores_an_alert_judged_against_another_baseline(
    visit: Callable[[str, str], Visit], drift_scanned: DemoServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    alerts = _alerts(drift_scanned, "data_scientist")
    alert = next(a for a in alerts if a["signal"].startswith("feature_distribution|"))
    page = visit("data_scientist", f"drift?alert={alert['uid']}").page
    expect(page.get_by_role("heading", name=alert["signal"])).to_be_visible()
    page.get_by_label("Judge against", exact=True).select_option("SEASONAL")
    page.get_by_role("checkbox", name="every signal of").click()
    expect(page).to_have_url(re.compile(r"baseline=SEASONAL&signals=subject"))

    page.goto(page.url)  # the address alone brings the same view back
    expect(page.get_by_label("Judge against", exact=True)).to_have_value("SEASONAL")
    expect(page.get_by_role("checkbox", name="every signal of")).to_be_checked()
    variables = {"uid": alert["subject"], "baseline": "SEASONAL"}
    answer = graphql_data(drift_scanned.graphql(REPORT, variables, role="data_scientist"))
    signals = answer["driftReport"]["signals"]
    assert len(signals) > 1, "a feature version has several signals"
    for index, signal in enumerate(signals, 1):
        expect(
            page.locator("figure.chart figcaption", has_text=signal["signal"]).first
        ).to_be_visible()
        _assert_windows_shown(page, f"windows-{index}", signal["windows"])
        assert {w["baseline"] for w in signal["windows"]} <= {"seasonal", None}

    assert_export_equals_table(table(page, "windows-1"), export_csv(page, "windows-1", tmp_path))
    assert_export_equals_table(table(page, "causes"), export_csv(page, "causes", tmp_path))
    assert_chart_png(page, signals[0]["signal"], tmp_path)
    assert_printable(page, alert["signal"], "the drift alert's report", "demo-data_scientist")
    assert axe_violations(page) == []
