"""A report as a PDF (fpdf2): a title, the export's stamp, then sections of fields and tables.

The stamp is printed under the title and, shortened, at the foot of every page, so a page
torn from the report still says who exported it, when, and which access record it is.
Text uses the PDF core fonts (no font file to ship): characters outside Latin-1 are
written as their nearest Latin-1 form, or ``?``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = "Helvetica"
LINE = 5  # mm per line of body text
# Typography outside Latin-1, as ASCII: dashes, quotes, arrows, comparisons, ellipsis.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
        "\u201c": '"', "\u201d": '"', "\u2192": "->", "\u2190": "<-", "\u2265": ">=",
        "\u2264": "<=", "\u2260": "!=", "\u2026": "...", "\u2022": "-",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[str]]
    widths: tuple[int, ...] | None = None  # relative column widths; equal when None


@dataclass(frozen=True)
class Section:
    """A heading and what is under it: label and value pairs, a table, lines of text."""

    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None
    lines: list[str] = field(default_factory=list)
    empty: str = "None."  # printed when the section has nothing else


@dataclass(frozen=True)
class Report:
    title: str
    stamp: list[str]  # the export's stamp, line by line
    sections: list[Section]
    footer: str  # at the foot of every page, before the page number
    author: str


def latin(text: str) -> str:
    """``text`` in the core fonts' Latin-1: typography as ASCII, accents kept, else ``?``."""
    text = text.translate(_TYPOGRAPHY)
    if all(ord(char) < 256 for char in text):
        return text
    composed = unicodedata.normalize("NFKC", text)
    return composed.encode("latin-1", "replace").decode("latin-1")


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(90, 90, 90)
        page = f"page {self.page_no()} of {{nb}}"
        self.cell(0, 4, latin(f"{self.footer_text} - {page}"), align="C")


def render(report: Report) -> bytes:
    """The PDF of ``report``."""
    pdf = _Document(report.footer)
    pdf.set_title(latin(report.title))
    pdf.set_author(latin(report.author))
    pdf.set_creator("graph-lineage")
    pdf.set_subject(latin(" / ".join(report.stamp)))
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=15)
    pdf.multi_cell(0, 8, latin(report.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _stamp(pdf, report.stamp)
    for section in report.sections:
        _section(pdf, section)
    return bytes(pdf.output())


def _stamp(pdf: FPDF, lines: list[str]) -> None:
    pdf.set_font(FONT, size=8)
    pdf.set_fill_color(242, 242, 242)
    pdf.ln(1)
    text = "\n".join(latin(line) for line in lines)
    pdf.multi_cell(0, 4, text, border=1, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _section(pdf: FPDF, section: Section) -> None:
    pdf.set_font(FONT, style="B", size=11)
    pdf.multi_cell(0, 7, latin(section.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    if section.fields:
        with pdf.table(col_widths=(1, 3), first_row_as_headings=False, line_height=LINE) as table:
            for label, value in section.fields:
                row = table.row()
                row.cell(latin(label))
                row.cell(latin(value))
    if section.table is not None and section.table.rows:
        headings, rows = section.table.headings, section.table.rows
        with pdf.table(col_widths=section.table.widths, line_height=LINE) as table:
            for cells in [headings, *rows]:
                row = table.row()
                for cell in cells:
                    row.cell(latin(cell))
    for line in section.lines:
        pdf.multi_cell(0, LINE, latin(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    has_table = section.table is not None and bool(section.table.rows)
    if not (section.fields or has_table or section.lines):
        pdf.multi_cell(0, LINE, latin(section.empty), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
