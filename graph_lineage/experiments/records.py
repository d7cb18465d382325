"""The record every report run leaves: which data, which method, and the numbers it gave.

A ``(:RunRecord {kind: 'experiment_report'})`` (the node governance runs and completeness
audits leave too) holds the request (experiment, window, metrics, segments, method,
correction), who asked, how many requests, units and outcomes were read, a SHA-256 of the
per-unit data (so a later run can tell whether it read the same data), and the report
itself as JSON, aggregates only: no example uid and no unit, whoever asked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING

from graph_lineage.experiments.exposure import Exposure
from graph_lineage.experiments.render import report_json
from graph_lineage.governance.records import finish_run, start_run
from graph_lineage.store.connection import Store

if TYPE_CHECKING:
    from graph_lineage.experiments.report import ExperimentReport, ReportRequest

KIND = "experiment_report"


def record_report(
    store: Store,
    report: ExperimentReport,
    exposure: Exposure,
    request: ReportRequest,
    principal: str | None,
) -> ExperimentReport:
    """Write the run's record; the report, with the record's uid."""
    uid = start_run(
        store,
        KIND,
        {
            "subject": report.experiment,
            "principal": principal,
            "window_start": report.start,
            "window_end": report.end,
            "metrics": [e.metric for e in report.effects if e.segment is None]
            or list(request.metrics),
            "segments": list(request.segments) if request.segments is not None else None,
            "method": report.method,
            "correction": report.correction,
        },
    )
    aggregates = report_json(report, examples=False)
    finish_run(
        store,
        uid,
        {
            "requests": exposure.rows,
            "units": len(exposure.units),
            "outcomes": exposure.outcomes,
            "data_sha256": data_hash(exposure),
            "report": json.dumps(aggregates, sort_keys=True),
        },
    )
    return dataclasses.replace(report, record=uid)


def data_hash(exposure: Exposure) -> str:
    """A hash of the per-unit data a report computed from, independent of reading order."""
    digest = hashlib.sha256()
    for key in sorted(exposure.units):
        unit = exposure.units[key]
        digest.update(
            json.dumps(
                [
                    key,
                    sorted(unit.requests.items()),
                    sorted(unit.with_outcome.items()),
                    sorted(unit.values.items()),
                    unit.segment,
                ],
            ).encode()
        )
    return digest.hexdigest()
