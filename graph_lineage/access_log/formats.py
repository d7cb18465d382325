"""Exporting the access log as JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from dataclasses import fields
from typing import Literal, TextIO

from graph_lineage.access_log.paging import AccessLogFilter, records
from graph_lineage.access_log.record import AccessRecord
from graph_lineage.store.connection import Store

Format = Literal["jsonl", "csv"]


def export(
    store: Store, out: TextIO, where: AccessLogFilter | None = None, format: Format = "jsonl"
) -> int:
    """Write the records matching ``where`` to ``out``, oldest first; returns how many.

    JSON Lines: one object per record, hashes included, so the chain can be checked from
    the file. CSV: the same columns, lists space-separated.
    """
    written = 0
    table = csv.DictWriter(out, fieldnames=[f.name for f in fields(AccessRecord)])
    if format == "csv":
        table.writeheader()
    for record in records(store, where):
        values = record.as_json()
        if format == "csv":
            table.writerow(
                {k: " ".join(v) if isinstance(v, list) else v for k, v in values.items()}
            )
        else:
            out.write(json.dumps(values) + "\n")
        written += 1
    return written
