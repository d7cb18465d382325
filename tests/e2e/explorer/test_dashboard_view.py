"""The Dashboard view on up's demo: what it shows is what the API answers for its filters.

Every number on screen is checked against ``dashboard`` asked directly for the range,
bucket, segment and cohort the URL holds; changing a filter changes the URL and the
numbers, the URL alone restores the view, the CSV export holds the table's rows, and a
viewer sees the aggregates but not the governance records (nor any recommendation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from graph_lineage.completeness import Window, completeness
from graph_lineage.demo import DAYS, recent_start
from graph_lineage.store import Store

from .conftest import DemoServer, Visit, axe_violations
from .screen import Table, assert_export_equals_table, export_csv, graphql_data, shows, table

DASHBOARD = """
query ($from: DateTime!, $to: DateTime!, $segment: String, $cohort: String, $bucket: TimeBucket!) {
  dashboard(from: $from, to: $to, segment: $segment, cohort: $cohort, bucket: $bucket) {
    from to recommendations
    outcomes { kind count rate }
    traffic { start recommendations byModelVersion { key count } byVariant { key count }
              outcomes { kind rate } }
    segments { key count } cohorts { key count }
    anomalies { uid } driftAlerts { uid signal } completeness { uid share recommendations }
    changes { at kind uid name } hidden { kind count }
  }
}"""
FIRST_DAY = recent_start().date()
DEMO_DAYS = f"dashboard?from={FIRST_DAY}&to={FIRST_DAY + timedelta(days=DAYS - 1)}"


@pytest.fixture(scope="module")
def audited(drift_scanned: DemoServer) -> Iterator[str]:
    """A completeness audit of the demo's thirty days, as `audit completeness` leaves one,
    once the drift scan `up` runs as it starts has stored its alerts (they are on screen)."""
    end = datetime.combine(FIRST_DAY, datetime.min.time(), UTC) + timedelta(days=DAYS)
    with Store.connect(drift_scanned.settings) as store:
        report = completeness(store, Window(end - timedelta(days=DAYS), end))
    yield report.uid


def _asked(page: Any) -> dict[str, Any]:
    """The API's variables for the filters in the page's URL (the last day is included)."""
    query = {key: values[0] for key, values in parse_qs(urlparse(page.url).query).items()}
    end = date.fromisoformat(query["to"]) + timedelta(days=1)
    return {
        "from": f"{query['from']}T00:00:00Z",
        "to": f"{end}T00:00:00Z",
        "segment": query.get("segment"),
        "cohort": query.get("cohort"),
        "bucket": query.get("bucket", "day").upper(),
    }


def _answer(server: DemoServer, page: Any, role: str) -> dict[str, Any]:
    answer = server.graphql(DASHBOARD, _asked(page), role=role)
    if role == "viewer":  # the completeness audits are governance records
        (denied,) = answer["errors"]
        assert denied["path"] == ["dashboard", "completeness"]
        answer = {"data": answer["data"]}
    found: dict[str, Any] = graphql_data(answer)["dashboard"]
    return found


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _assert_shown(page: Any, found: dict[str, Any]) -> Table:
    """The totals, rates and every table equal ``found``; the traffic table, returned."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("total-recommendations")).to_have_text(
        f"{found['recommendations']:,}"
    )
    for outcome in found["outcomes"]:
        rate = page.get_by_test_id(f"rate-{outcome['kind']}").inner_text()
        assert shows(rate, outcome["rate"]), (outcome, rate)
    traffic = table(page, "traffic-by-model-version")
    assert traffic.column("Bucket start") == [b["start"] for b in found["traffic"]]
    assert [_count(n) for n in traffic.column("Recommendations")] == [
        b["recommendations"] for b in found["traffic"]
    ]
    for row, bucket in zip(traffic.records(), found["traffic"], strict=True):
        counts = {c["key"]: c["count"] for c in bucket["byModelVersion"]}
        shown = {h: _count(v) for h, v in row.items() if h.startswith("model:")}
        assert {k: v for k, v in shown.items() if v} == counts
    variants = table(page, "traffic-by-variant")
    for row, bucket in zip(variants.records(), found["traffic"], strict=True):
        counts = {c["key"]: c["count"] for c in bucket["byVariant"]}
        fixed = ("Bucket start", "Recommendations")
        shown = {h: _count(v) for h, v in row.items() if h not in fixed}
        assert {k: v for k, v in shown.items() if v} == counts
    rates = table(page, "outcome-rates")
    for row, bucket in zip(rates.records(), found["traffic"], strict=True):
        for outcome in bucket["outcomes"]:
            assert shows(row[f"{outcome['kind']} rate"], outcome["rate"])
    assert _column(page, "lineage-changes", "Uid") == [c["uid"] for c in found["changes"]]
    assert _column(page, "anomalies", "Uid") == [a["uid"] for a in found["anomalies"]]
    signals = [a["signal"] for a in found["driftAlerts"]]
    assert _column(page, "drift-alerts", "Signal") == signals
    return traffic


def _column(page: Any, name: str, column: str) -> list[str]:
    """A column of a table; none when the table is empty (it says so instead)."""
    if page.locator(f'table[data-table="{name}"]').count() == 0:
        return []
    return table(page, name).column(column)


def test_the_dashboard_shows_the_apis_numbers_and_keeps_its_filters_in_the_url(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, audited: str
) -> None:
    from playwright.sync_api import expect

    page = visit("admin", "dashboard").page
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}"))
    page.goto(f"/ui/{DEMO_DAYS}")
    found = _answer(demo_server, page, "admin")
    _assert_shown(page, found)
    assert found["recommendations"] > 0 and found["changes"] and found["driftAlerts"]
    audits = table(page, "completeness")
    assert audited in audits.column("Record")
    assert axe_violations(page) == []

    page.get_by_label("Segment", exact=True).select_option("new")
    expect(page).to_have_url(re.compile(r"segment=new"))
    narrowed = _answer(demo_server, page, "admin")
    assert narrowed["recommendations"] < found["recommendations"]
    _assert_shown(page, narrowed)

    page.get_by_label("Bucket", exact=True).select_option("week")
    expect(page).to_have_url(re.compile(r"bucket=week"))
    weekly = _answer(demo_server, page, "admin")
    expect(page.locator('table[data-table="outcome-rates"] tbody tr')).to_have_count(
        len(weekly["traffic"])
    )
    _assert_shown(page, weekly)
    assert weekly["recommendations"] == narrowed["recommendations"]

    cohort = next(c["key"] for c in weekly["cohorts"] if c["key"] != "(none)")
    page.get_by_label("Cohort", exact=True).select_option(cohort)
    expect(page).to_have_url(re.compile(rf"cohort={cohort}"))
    both = _answer(demo_server, page, "admin")
    _assert_shown(page, both)

    address = page.url
    page.reload()  # the address alone brings the same view back
    expect(page.get_by_label("Segment", exact=True)).to_have_value("new")
    expect(page.get_by_label("Cohort", exact=True)).to_have_value(cohort)
    expect(page.get_by_label("Bucket", exact=True)).to_have_value("week")
    assert page.url == address
    _assert_shown(page, both)

    page.get_by_role("button", name="Last 7 days").click()
    today = datetime.now(UTC).date()
    expect(page).to_have_url(re.compile(rf"from={today - timedelta(days=6)}&to={today}"))
    _assert_shown(page, _answer(demo_server, page, "admin"))


def test_csv_exports_hold_the_rows_of_their_tables(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, tmp_path: Any
) -> None:
    page = visit("data_scientist", DEMO_DAYS).page
    for name in ("traffic-by-model-version", "outcome-rates", "lineage-changes"):
        shown = table(page, name)
        assert shown.rows
        assert_export_equals_table(shown, export_csv(page, name, tmp_path))


def test_a_viewer_sees_the_aggregates_but_not_the_governance_records(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, audited: str
) -> None:
    from playwright.sync_api import expect

    session = visit("viewer", DEMO_DAYS)
    page = session.page
    found = _answer(demo_server, page, "viewer")
    _assert_shown(page, found)
    section = page.locator("p", has_text="Completeness audits are governance records")
    expect(section).to_contain_text("not visible to your role")
    expect(page.locator('table[data-table="completeness"]')).to_have_count(0)
    expect(page.get_by_role("link", name="Audit")).to_have_count(0)
    assert audited not in page.content()
    answers = session.graphql_answers()
    assert answers and not any("rec:" in text for text in [page.content(), *answers])
    assert axe_violations(page) == []
