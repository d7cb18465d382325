"""The completeness report's verdict and rendering, without a server."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from graph_lineage.completeness import CompletenessReport, Gap, Tally, Window, completeness_markdown

JAN = datetime(2026, 1, 1, tzinfo=UTC)
FEB = datetime(2026, 2, 1, tzinfo=UTC)


def test_a_window_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="ends"):
        Window(FEB, JAN)


def test_the_verdict_needs_the_minimum_share_and_a_consistent_graph() -> None:
    report = CompletenessReport(Window(JAN, FEB), overall=Tally(200, 199))

    assert report.share == Fraction(199, 200) and report.passed
    report.minimum = Fraction(995, 1000)
    assert report.passed  # exactly the minimum is enough
    report.minimum = Fraction(996, 1000)
    assert not report.passed
    report.minimum = None
    report.variants_without_model = [("variant:x/a", [])]
    assert not report.passed


def test_an_empty_window_vouches_for_nothing() -> None:
    empty = CompletenessReport(Window(JAN, FEB), minimum=Fraction(0))

    assert empty.share is None and not empty.passed
    assert "n/a" in completeness_markdown(empty)


def test_markdown_lists_gaps_with_examples() -> None:
    report = CompletenessReport(
        Window(JAN, FEB),
        overall=Tally(10, 7),
        by_model_version={"model:m@v1": Tally(10, 7)},
        gaps=[Gap("no feature versions", "context:abc", 3, ["rec:a", "rec:b", "rec:c"])],
        uid="record:completeness/x",
    )

    text = completeness_markdown(report)

    assert text.startswith("# Lineage completeness: 70.00%, passed")
    assert "| no feature versions | `context:abc` | 3 | rec:a, rec:b |" in text
    assert "| `model:m@v1` | 10 | 7 | 70.00% |" in text and "`record:completeness/x`" in text
