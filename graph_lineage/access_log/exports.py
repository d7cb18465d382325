"""Exports: files made of lineage data, each recorded in the access log and stamped.

An export is what a person takes away from a view: a table as CSV or JSON, a graph or a
chart as PNG or SVG, a report printed (HTML) or as PDF. Before the file is made, its record
is appended to the access log (operation type ``export``): who, when, the format, the
view, the view's filters (its URL state), the data's as-of time, and, when known, rows and
bytes. The file then carries the stamp (:meth:`ExportStamp.lines`): who exported it, when,
the filters, the as-of time and the number of its record, so a copy found later leads back
to the log.

Filters may name a person: a filter whose name is ``user`` or holds ``pseudonym`` is kept
in the record as the SHA-256 of its value (documents and variables are kept as hashes for
the same reason, and the log is never erased). The stamp in the file shows it as given.

>>> export = Export(format="csv", view="impact", filters={"uid": "feature:ctr@v2"}, rows=12)
>>> stamp = record_export(store, export, caller, via="recordExport")
>>> stamp.lines()[0]
'graph-lineage impact export (CSV)'
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from graph_lineage.access_log.group_commit import append
from graph_lineage.access_log.record import EXPORT, AccessRecord, canonical, sha256
from graph_lineage.auth import Caller
from graph_lineage.errors import InvalidQuery
from graph_lineage.governance.records import utc
from graph_lineage.store.connection import Store

FORMATS = ("csv", "json", "png", "svg", "pdf", "html")
MAX_VIEW = 100  # characters of a view's name
MAX_FILTER_NAME = 100
MAX_FILTERS = 4_000  # characters of the filters as canonical JSON
MAX_COUNT = 2**31 - 1  # rows and bytes: what a GraphQL Int holds
_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Export:
    """What was exported; raises :class:`~graph_lineage.errors.InvalidQuery` when it cannot
    be recorded as given."""

    format: str
    view: str
    filters: dict[str, Any] = field(default_factory=dict)
    as_of: datetime | None = None
    rows: int | None = None
    bytes: int | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise InvalidQuery(f"format {self.format!r} is not one of {', '.join(FORMATS)}")
        view = self.view.strip()
        if not view or len(view) > MAX_VIEW or not view.isprintable():
            raise InvalidQuery(
                f"view must name the view exported from, 1 to {MAX_VIEW} printable characters"
            )
        object.__setattr__(self, "view", view)
        _check_filters(self.filters)
        if self.as_of is not None:
            object.__setattr__(self, "as_of", utc(self.as_of))
        for name in ("rows", "bytes"):
            count = getattr(self, name)
            if count is not None and not 0 <= count <= MAX_COUNT:
                raise InvalidQuery(f"{name} must be between 0 and {MAX_COUNT}, not {count}")

    def recorded_filters(self) -> dict[str, Any]:
        """The filters as the access log keeps them: names of people as hashes."""
        return {
            name: f"sha256:{sha256(canonical(value))}" if _names_a_person(name) else value
            for name, value in self.filters.items()
        }

    def record(
        self,
        caller: Caller,
        via: str,
        returned_uids: Iterable[str] = (),
        at: datetime | None = None,
    ) -> AccessRecord:
        """The access record of this export by ``caller``, asked through ``via``."""
        filters = canonical(self.recorded_filters())
        described = {
            "format": self.format,
            "view": self.view,
            "filters": filters,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "rows": self.rows,
            "bytes": self.bytes,
        }
        built = AccessRecord.build(
            at=at or datetime.now(UTC),
            subject=caller.subject,
            roles=[role.value for role in caller.roles],
            auth_method=caller.method,
            operation_name=via,
            operation_type=EXPORT,
            document=canonical(described),
            returned_uids=returned_uids,
        )
        return replace(
            built,
            export_format=self.format,
            export_view=self.view,
            export_filters=filters,
            export_as_of=self.as_of,
            export_rows=self.rows,
            export_bytes=self.bytes,
        )


@dataclass(frozen=True)
class ExportStamp:
    """An export as recorded: what the file must carry."""

    export: Export
    record: AccessRecord  # as appended: with its seq

    def lines(self) -> list[str]:
        """The stamp as lines of text, to print at the top or the foot of the file."""
        export, record = self.export, self.record
        at = _moment(record.at)
        shown = [
            f"{name}={value if isinstance(value, str) else canonical(value)}"
            for name, value in sorted(export.filters.items())
            if value not in (None, "", [])
        ]
        lines = [
            f"graph-lineage {export.view} export ({export.format.upper()})",
            f"Exported by {record.subject} ({', '.join(record.roles) or 'no role'}) at {at}",
            f"Filters: {'; '.join(shown) if shown else 'none'}",
            f"Data as of: {_moment(export.as_of) if export.as_of else at + ' (the export)'}",
        ]
        if export.rows is not None:
            lines.append(f"Rows: {export.rows:,}")
        lines.append(f"Access log record: {record.seq}")
        return lines


def record_export(
    store: Store, export: Export, caller: Caller, via: str, returned_uids: Iterable[str] = ()
) -> ExportStamp:
    """Append the record of ``export`` and return its stamp; nothing is written when the
    export is invalid. Raises :class:`~graph_lineage.errors.StoreError` when the record
    cannot be written: the file must not be made then."""
    return ExportStamp(export, append(store, export.record(caller, via, returned_uids)))


def _names_a_person(name: str) -> bool:
    return name.lower() == "user" or "pseudonym" in name.lower()


def _check_filters(filters: object) -> None:
    if not isinstance(filters, dict):
        raise InvalidQuery("filters must be a JSON object: the view's state, name to value")
    for name, value in filters.items():
        if not isinstance(name, str) or not 0 < len(name) <= MAX_FILTER_NAME:
            raise InvalidQuery(f"a filter's name must be 1 to {MAX_FILTER_NAME} characters")
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, _SCALARS) and _finite(item) for item in items):
            raise InvalidQuery(
                f"filter {name!r} must be a string, a finite number, a boolean, null or a list"
                " of those"
            )
    if len(canonical(filters)) > MAX_FILTERS:
        raise InvalidQuery(f"the filters are over {MAX_FILTERS} characters as JSON")


def _finite(value: object) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
