"""GraphQL types of exports: what a client says it exported, and the stamp it gets back.

The explorer makes CSV, JSON, PNG and SVG files in the browser and prints views as HTML:
before it makes one, it sends ``recordExport``, which writes the export's record to the
access log, and prints the stamp it gets back (``text``) in the file. No record, no file.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph_lineage.access_log import Export
from graph_lineage.access_log import ExportStamp as Stamp


@strawberry.enum(description="The kind of file an export makes.")
class ExportFormat(Enum):
    CSV = "csv"
    JSON = "json"
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"
    HTML = "html"


@strawberry.input(description="An export about to be made from a view of the explorer.")
class ExportInput:
    format: ExportFormat
    view: str = strawberry.field(description="The view exported from: lineage, trace, ...")
    filters: JSON | None = strawberry.field(
        default=None,
        description="The view's state (its URL query): name to a string, number, boolean,"
        " null or a list of those.",
    )
    as_of: datetime | None = strawberry.field(
        default=None, description="The time the data shows; none: as the export is made."
    )
    rows: int | None = strawberry.field(default=None, description="Rows in the file, if a table.")
    bytes: int | None = strawberry.field(
        default=None, description="Size of the exported data before the stamp was added."
    )

    def to_export(self) -> Export:
        filters: Any = {} if self.filters is None else self.filters
        return Export(
            format=self.format.value,
            view=self.view,
            filters=filters,
            as_of=self.as_of,
            rows=self.rows,
            bytes=self.bytes,
        )


@strawberry.type(description="An export as the access log recorded it: what its file carries.")
class ExportStamp:
    exported_by: str = strawberry.field(description="The subject who exported it.")
    roles: list[str]
    at: datetime = strawberry.field(description="When it was recorded.")
    format: ExportFormat
    view: str
    filters: JSON = strawberry.field(description="The filters as given.")
    as_of: datetime | None
    rows: int | None
    bytes: int | None
    access_log_seq: int = strawberry.field(description="The seq of the export's access record.")
    text: list[str] = strawberry.field(
        description="The stamp as lines of text: print them in the file (CSV: after '# ')."
    )


def stamp_to_graphql(stamp: Stamp) -> ExportStamp:
    export, record = stamp.export, stamp.record
    return ExportStamp(
        exported_by=record.subject,
        roles=list(record.roles),
        at=record.at,
        format=ExportFormat(export.format),
        view=export.view,
        filters=JSON(export.filters),
        as_of=export.as_of,
        rows=export.rows,
        bytes=export.bytes,
        access_log_seq=record.seq or 0,
        text=stamp.lines(),
    )
