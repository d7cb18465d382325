"""Reading what a person sees in the explorer: tables, headline figures, downloads.

A cell is read as its text without what is hidden from assistive technology (sort arrows,
marks beside a word), and a date as the instant its ``<time>`` element names, so that a
table compares with the API's answers and with its own CSV export.
"""

from __future__ import annotations

import csv
import io
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_READ_TABLE = """
(name) => {
  const table = document.querySelector(`table[data-table="${name}"]`);
  if (!table) return null;
  const text = (cell) => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove());
    const times = copy.querySelectorAll("time");
    if (times.length === 1 && copy.textContent.trim() === times[0].textContent.trim()) {
      return times[0].getAttribute("datetime");
    }
    return copy.textContent.trim();
  };
  return {
    headers: [...table.querySelectorAll("thead th")].map(text),
    rows: [...table.querySelectorAll("tbody tr")].map((row) => [...row.cells].map(text)),
  };
}
"""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]

    def column(self, header: str) -> list[str]:
        index = self.headers.index(header)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.headers, row, strict=True)) for row in self.rows]


def table(page: Any, name: str) -> Table:
    """The table a DataTable named ``name`` shows, once it is on the page."""
    page.locator(f'table[data-table="{name}"]').wait_for()
    found = page.evaluate(_READ_TABLE, name)
    return Table(found["headers"], found["rows"])


def figure(page: Any, key: str) -> str:
    """The text of a report's headline figure (its ``data-figure``)."""
    return str(page.locator(f'[data-figure="{key}"]').inner_text()).strip()


def number(text: str) -> float:
    """A number as the explorer shows it: "1,676", "+50.6%" (0.506), "0.00238", "3.05e-29"."""
    cleaned = text.strip().replace(",", "").replace("\u2212", "-")
    if cleaned.endswith("%"):
        return float(cleaned[:-1]) / 100
    return float(cleaned)


def shows(text: str, value: float | None) -> bool:
    """Whether ``text`` shows ``value`` as the explorer rounds it: three significant digits,
    or a percentage with one decimal; an em dash for nothing."""
    if value is None:
        return text == "—"
    if text == "—":
        return False
    shown = number(text)
    tolerance = 0.0005 if text.strip().endswith("%") else 0.0
    return math.isclose(shown, value, rel_tol=0.005, abs_tol=tolerance + 1e-12)


def same_cell(shown: str, exported: str) -> bool:
    """A table cell against the same cell of its CSV export (which keeps full precision)."""
    if shown == exported or (shown == "—" and exported == ""):
        return True
    try:
        return shows(shown, float(exported))
    except ValueError:
        return False


def csv_download(download: Any, folder: Path) -> Table:
    """A CSV export: its stamp lines (``# ...``) dropped, its header and rows kept."""
    path = folder / download.suggested_filename
    download.save_as(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    body = "\n".join(line for line in lines if not line.startswith("# "))
    rows = list(csv.reader(io.StringIO(body)))
    return Table(rows[0], [row for row in rows[1:] if row])


def export_csv(page: Any, name: str, folder: Path) -> Table:
    """Clicks the CSV export of the table named ``name`` and reads the file."""
    block = page.locator(".table-block", has=page.locator(f'table[data-table="{name}"]'))
    with page.expect_download() as download:
        block.get_by_role("button", name=re.compile(r" as CSV$")).click()
    return csv_download(download.value, folder)


def assert_export_equals_table(shown: Table, exported: Table) -> None:
    assert exported.headers == shown.headers
    assert len(exported.rows) == len(shown.rows)
    for on_screen, in_file in zip(shown.rows, exported.rows, strict=True):
        mismatched = [
            (header, a, b)
            for header, a, b in zip(shown.headers, on_screen, in_file, strict=True)
            if not same_cell(a, b)
        ]
        assert mismatched == [], f"the CSV differs from the table in {mismatched}"


def png_size(download: Any, folder: Path) -> tuple[int, int]:
    """Width and height from a downloaded PNG's header (and that it is a whole PNG)."""
    path = folder / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR" and data[-8:-4] == b"IEND", "a truncated PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_chart_png(page: Any, caption: str, folder: Path) -> None:
    """The chart's PNG export is as wide as the chart on screen, and as tall plus its stamp."""
    chart = page.locator("figure.chart", has=page.get_by_text(caption, exact=True)).first
    box = chart.locator('div[role="img"]').bounding_box()
    with page.expect_download() as download:
        chart.get_by_role("button", name=f"Export {caption} as PNG").click()
    width, height = png_size(download.value, folder)
    assert width == round(box["width"])
    assert round(box["height"]) < height <= round(box["height"]) + 200  # the stamp's lines


def graphql_data(answer: dict[str, Any]) -> dict[str, Any]:
    """The data of an answer the test expects whole (no error at all)."""
    assert answer.get("errors") in (None, []), answer.get("errors")
    data: dict[str, Any] = answer["data"]
    return data


def assert_printable(page: Any, heading: str, report: str, principal: str) -> None:
    """Printed (its Print button, recorded as an export), the report keeps its heading,
    gains the export's stamp and loses the navigation, the forms and the buttons."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=f"Print {report}", exact=True).click()
    stamp = page.get_by_test_id("print-stamp")
    expect(stamp).to_contain_text(f"Exported by {principal}")
    page.emulate_media(media="print")
    try:
        expect(page.get_by_role("navigation", name="Views")).to_be_hidden()
        hidden = page.locator("form.filters, form.plan-form, fieldset.mode, .export-buttons")
        for index in range(hidden.count()):
            expect(hidden.nth(index)).to_be_hidden()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(stamp).to_be_visible()
    finally:
        page.emulate_media(media="screen")


def downloaded_pdf_text(page: Any, button: str) -> str:
    """The text of every page of the PDF the button downloads (the server's report)."""
    from pypdf import PdfReader

    with page.expect_download() as pdf:
        page.get_by_role("button", name=button).click()
    path = Path(pdf.value.path())
    assert path.read_bytes().startswith(b"%PDF")
    return "\n".join(sheet.extract_text() for sheet in PdfReader(path).pages)
