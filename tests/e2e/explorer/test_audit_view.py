"""The Audit view on up's demo: the access log and the governance runs, as the API has them.

The governance runs are those an operator leaves (a completeness audit, a retention dry
run, a key rotation dry run); the access log rows are a viewer's operations, more than a
page of them. What the table shows, page by page and kind by kind, is what ``accessLog``
and ``runRecords`` answer for the filters in the URL; a viewer is told the audit trail is
not visible to their role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_lineage.completeness import Window, completeness
from graph_lineage.governance import RetentionPolicy, run_retention
from graph_lineage.governance.rotation import rotate_keys
from graph_lineage.sealing import Sealer
from graph_lineage.store import Store

from .conftest import DemoServer, Visit, axe_violations
from .screen import assert_export_equals_table, export_csv, graphql_data, table

ACCESS_LOG = """
query ($filter: AccessLogFilterInput, $after: String) {
  accessLog(filter: $filter, first: 50, after: $after) {
    edges { node { seq subject operationName } } pageInfo { hasNextPage endCursor }
  }
}"""
RUN_RECORDS = """
query ($kinds: [String!]) {
  runRecords(kinds: $kinds, first: 50) { edges { node { uid runKind } } }
}"""
PAGE = 50
VIEWER_OPERATIONS = PAGE + 5


@pytest.fixture(scope="module")
def governed(demo_server: DemoServer) -> Iterator[list[str]]:
    """Runs an operator leaves, and more than a page of a viewer's operations."""
    settings = demo_server.settings
    end = datetime.now(UTC)
    with Store.connect(settings) as store:
        uids = [
            completeness(store, Window(end - timedelta(days=31), end)).uid,
            run_retention(store, RetentionPolicy.from_settings(settings), dry_run=True).uid,
            rotate_keys(store, Sealer.from_settings(settings), dry_run=True).uid,
        ]
    for _ in range(VIEWER_OPERATIONS):
        graphql_data(demo_server.graphql("query Probe { about { version } }", role="viewer"))
    yield uids


def _log(server: DemoServer, after: str | None = None) -> dict[str, Any]:
    answer = server.graphql(ACCESS_LOG, {"filter": {"subject": "test-viewer"}, "after": after})
    found: dict[str, Any] = graphql_data(answer)["accessLog"]
    return found


def _seqs(page: Any) -> list[int]:
    return [int(seq.replace(",", "")) for seq in table(page, "access-log").column("Seq")]


def test_an_auditor_filters_and_pages_the_access_log_and_reads_the_runs(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, governed: list[str], tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    page = visit("auditor", "audit").page
    expect(page.get_by_role("link", name="Audit")).to_be_visible()
    page.get_by_label("Subject", exact=True).fill("test-viewer")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"subject=test-viewer"))
    expect(page.get_by_role("table", name="Access log, newest first")).to_be_visible()
    first = _log(demo_server)
    assert _seqs(page) == [edge["node"]["seq"] for edge in first["edges"]]
    assert len(first["edges"]) == PAGE and first["pageInfo"]["hasNextPage"]
    assert set(table(page, "access-log").column("Subject")) == {"test-viewer"}

    pages = page.get_by_role("navigation", name="Pages of the access log")
    pages.get_by_role("button", name="Older page").click()
    expect(page).to_have_url(re.compile(r"logAfter="))
    expect(page.get_by_role("table", name="Access log, an older page")).to_be_visible()
    second = _log(demo_server, first["pageInfo"]["endCursor"])
    assert _seqs(page) == [edge["node"]["seq"] for edge in second["edges"]]
    assert len(second["edges"]) >= VIEWER_OPERATIONS - PAGE
    page.reload()  # the address alone brings the same page back
    expect(page.get_by_label("Subject", exact=True)).to_have_value("test-viewer")
    assert _seqs(page) == [edge["node"]["seq"] for edge in second["edges"]]
    assert axe_violations(page) == []

    # the boxes are the URL's: each is checked once the address has it
    page.get_by_label("Key rotations", exact=True).click()
    expect(page).to_have_url(re.compile(r"kind=key_rotation"))
    page.get_by_label("Completeness audits", exact=True).click()
    expect(page).to_have_url(re.compile(r"kind=completeness&kind=key_rotation"))
    expect(page.get_by_label("Completeness audits", exact=True)).to_be_checked()
    answer = demo_server.graphql(RUN_RECORDS, {"kinds": ["completeness", "key_rotation"]})
    runs = [edge["node"]["uid"] for edge in graphql_data(answer)["runRecords"]["edges"]]
    shown = table(page, "run-records")
    expect(page.locator('table[data-table="run-records"] tbody tr')).to_have_count(len(runs))
    assert table(page, "run-records").column("Record") == runs
    assert {governed[0], governed[2]} <= set(runs) and governed[1] not in runs
    assert set(shown.column("Kind")) == {"completeness audit", "key rotation"}
    rotation = shown.records()[shown.column("Record").index(governed[2])]
    assert re.fullmatch(r"would re-seal [\d,]+ values? under key \S+", rotation["What it did"])
    assert_export_equals_table(shown, export_csv(page, "run-records", tmp_path))


def test_compliance_reads_every_kind_of_run(
    visit: Callable[[str, str], Visit], demo_server: DemoServer, governed: list[str]
) -> None:
    from playwright.sync_api import expect

    page = visit("compliance", "audit").page
    expect(page.get_by_role("table", name="Governance runs, newest first")).to_be_visible()
    answer = graphql_data(demo_server.graphql(RUN_RECORDS, {"kinds": None}, role="compliance"))
    runs = [edge["node"]["uid"] for edge in answer["runRecords"]["edges"]]
    assert table(page, "run-records").column("Record") == runs
    assert set(governed) <= set(runs)


def test_a_viewer_is_told_the_audit_trail_is_not_visible_to_their_role(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("viewer", "audit").page
    expect(page.get_by_role("link", name="Audit")).to_have_count(0)  # not in the navigation
    expect(page.get_by_text("not visible to your role")).to_have_count(2)
    expect(page.locator("table")).to_have_count(0)
    assert axe_violations(page) == []
