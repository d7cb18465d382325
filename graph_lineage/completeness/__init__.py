"""Audits of the lineage itself: how complete it is, and whether it holds together.

>>> report = completeness(store, Window(datetime(2026, 10, 1), datetime(2026, 11, 1)))
>>> print(completeness_markdown(report))  # doctest: +SKIP
"""

from graph_lineage.completeness.audit import (
    CompletenessReport,
    Gap,
    Tally,
    Window,
    completeness,
)
from graph_lineage.completeness.report import completeness_json, completeness_markdown

__all__ = [
    "CompletenessReport",
    "Gap",
    "Tally",
    "Window",
    "completeness",
    "completeness_json",
    "completeness_markdown",
]
