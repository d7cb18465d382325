"""The record every report run leaves: which data, which method, and the numbers it gave.

A ``(:RunRecord {kind: 'experiment_report'})`` (the node governance runs and completeness
audits leave too) holds the request (experiment, window, metrics, segments, method,
correction), who asked, how many requests and outcomes were read and units analysed, a
SHA-256 of the data the numbers come from (so a later run can tell whether it read the same
data), and the report itself as JSON, aggregates only: no example uid and no unit, whoever
asked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING

from graph_lineage.experiments.design import Design
from graph_lineage.experiments.exposure import Exposure, PreExposure
from graph_lineage.experiments.render import report_json
from graph_lineage.governance.records import finish_run, start_run
from graph_lineage.store.connection import Store
from graph_lineage.store.values import jsonable

if TYPE_CHECKING:
    from graph_lineage.experiments.report import ExperimentReport, ReportRequest

KIND = "experiment_report"


def record_report(
    store: Store,
    report: ExperimentReport,
    fingerprint: str,
    request: ReportRequest,
    principal: str | None,
) -> ExperimentReport:
    """Write the run's record (``fingerprint``: :func:`data_hash` of what it read); the
    report, with the record's uid."""
    metrics = dict.fromkeys(e.metric for e in report.effects) or dict.fromkeys(request.metrics)
    uid = start_run(
        store,
        KIND,
        {
            "subject": report.experiment,
            "principal": principal,
            "window_start": report.start,
            "window_end": report.end,
            "metrics": list(metrics),
            "segments": list(request.segments) if request.segments is not None else None,
            "method": report.method,
            "correction": report.correction,
        },
    )
    finish_run(
        store,
        uid,
        {
            "requests": report.requests,
            "units": sum(v.units for v in report.variants),  # those analysed
            "outcomes": report.outcomes,
            "data_sha256": fingerprint,
            "report": json.dumps(report_json(report, examples=False), sort_keys=True),
        },
    )
    return dataclasses.replace(report, record=uid)


def data_hash(design: Design, exposure: Exposure, pre: PreExposure | None) -> str:
    """A SHA-256 of everything a report's numbers come from, independent of reading order:
    the declared periods, each unit's requests, outcomes, segment and variants per period,
    and its pre-period when CUPED read one."""
    digest = hashlib.sha256()
    digest.update(json.dumps(jsonable([dataclasses.asdict(p) for p in design.periods])).encode())
    for key in sorted(exposure.units):
        unit = exposure.units[key]
        periods = sorted((index, sorted(seen)) for index, seen in unit.period_variants.items())
        digest.update(
            json.dumps(
                [
                    key,
                    sorted(unit.requests.items()),
                    sorted(unit.with_outcome.items()),
                    sorted(unit.values.items()),
                    unit.segment,
                    periods,
                ],
            ).encode()
        )
        if pre is not None:
            digest.update(
                json.dumps(
                    [
                        pre.requests.get(key, 0),
                        sorted(pre.with_outcome.get(key, {}).items()),
                        sorted(pre.values.get(key, {}).items()),
                    ]
                ).encode()
            )
    return digest.hexdigest()
