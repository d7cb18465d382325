"""PDF reports without a server: the catalog, answers read for printing, the PDF itself."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from api.reports.answer import NOT_VISIBLE, Answer, as_text
from api.reports.catalog import REPORTS
from api.reports.layouts import trace_sections, trace_title
from api.reports.pdf import Report, Section, Table, latin, render
from graph_lineage.errors import InvalidQuery


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_each_report_is_one_query_of_one_field_with_its_arguments() -> None:
    assert {name: (kind.operation, kind.field) for name, kind in REPORTS.items()} == {
        "trace": ("TraceReport", "trace"),
        "impact": ("ImpactReport", "impact"),
        "experiment": ("ExperimentReport", "experimentReport"),
    }
    assert REPORTS["trace"].arguments == {"recommendationId": True}
    assert REPORTS["impact"].arguments == {"uid": True, "since": False}
    assert REPORTS["experiment"].arguments["experiment"] is True
    assert not any(REPORTS["experiment"].arguments[name] for name in ("from", "to", "metrics"))


def test_arguments_a_report_does_not_take_or_needs_are_refused_by_name() -> None:
    with pytest.raises(InvalidQuery, match="the impact report takes uid, since, not depth"):
        REPORTS["impact"].check({"uid": "source:orders", "depth": 3})
    with pytest.raises(InvalidQuery, match="the trace report needs recommendationId"):
        REPORTS["trace"].check({})
    REPORTS["impact"].check({"uid": "source:orders"})


def test_a_denied_field_reads_not_visible_and_values_read_as_a_person_reads_them() -> None:
    value = {"a": None, "b": [1.23456, 2], "c": "2026-10-01T02:05:11.515139+00:00", "d": True}
    answer = Answer(value, ("trace",), frozenset({("trace", "a")}))

    assert answer.text("a") == NOT_VISIBLE
    assert answer.strings("a") == [NOT_VISIBLE]
    assert answer.text("b") == "1.235, 2"
    assert answer.text("c") == "2026-10-01 02:05:11 UTC"
    assert answer.text("d") == "yes" and answer.text("missing") == "-"
    assert as_text({"flag": False, "share": 0.5}) == "flag=no; share=0.5"
    assert as_text(1234567) == "1,234,567"
    assert as_text("2026-13-45T99:00 is not a time") == "2026-13-45T99:00 is not a time"


def test_the_nested_paths_of_a_list_are_checked_item_by_item() -> None:
    value = {"outcomes": [{"uid": "outcome:1"}, {"uid": "outcome:2"}]}
    answer = Answer(value, ("trace",), frozenset({("trace", "outcomes", 1, "uid")}))

    assert [item.text("uid") for item in answer.items("outcomes")] == ["outcome:1", NOT_VISIBLE]


def test_text_outside_latin_1_is_written_as_its_nearest_form() -> None:
    assert latin("a → b — c “d” ≥ 1…") == 'a -> b - c "d" >= 1...'
    assert latin("café ﬁ 漢") == "café fi ?"


def test_a_trace_prints_the_denied_pseudonym_as_not_visible() -> None:
    trace = {
        "recommendation": {"uid": "rec:r-1", "userPseudonym": None, "items": ["sku-1"]},
        "modelVersion": None,
        "servedFeatures": [{"uid": "feature:ctr@v2", "schemaHash": "abc"}],
        "outcomes": [],
        "notes": ["no lineage context: model and feature versions are unknown"],
        "hidden": [{"kind": "Outcome", "count": 2}],
    }
    denied = frozenset({("trace", "recommendation", "userPseudonym")})
    answer = Answer(trace, ("trace",), denied)

    sections = {section.title: section for section in trace_sections(answer)}

    assert trace_title(answer) == "Why recommendation rec:r-1 was served"
    assert ("user pseudonym", NOT_VISIBLE) in sections["Recommendation"].fields
    assert ("items", "sku-1") in sections["Recommendation"].fields
    assert sections["Model version"].fields == []
    assert sections["Model version"].empty == "No model version recorded."
    assert sections["Served features"].table is not None
    assert sections["Served features"].table.rows[0][:2] == ["feature:ctr@v2", "abc"]
    assert sections["Hidden from your role"].lines == ["+2 Outcome hidden"]


def test_the_pdf_carries_the_title_the_stamp_every_section_and_a_footer_on_each_page() -> None:
    rows = [[f"feature:f{n}@v1", f"{n:,}"] for n in range(120)]  # more than one page
    report = Report(
        title="Impact of source:orders",
        stamp=["graph-lineage impact export (PDF)", "Exported by ana (auditor) at 2027-01-10"],
        sections=[
            Section("Summary", [("recommendations served", "177")]),
            Section("Feature versions", table=Table(["Feature version", "Count"], rows)),
            Section("Notes", lines=["served → trained"]),
            Section("Hidden from your role", empty="Nothing hidden."),
        ],
        footer="impact report exported by ana, access log record 9",
        author="ana",
    )

    pages = _text(render(report))

    assert len(pages) == 3
    first, everything = pages[0], "\n".join(pages)
    assert first.startswith("Impact of source:orders\ngraph-lineage impact export (PDF)\n")
    assert "Exported by ana (auditor) at 2027-01-10" in first
    assert "recommendations served 177" in first
    assert all(f"feature:f{n}@v1 {n:,}" in everything for n in range(120))
    assert "served -> trained" in everything and "Nothing hidden." in everything
    for number, page in enumerate(pages, start=1):
        footer = f"impact report exported by ana, access log record 9 - page {number} of"
        assert footer in page
    assert [page.count("Feature version Count") for page in pages] == [1, 1, 1]  # repeated
    assert PdfReader(io.BytesIO(render(report))).metadata.author == "ana"  # type: ignore[union-attr]
