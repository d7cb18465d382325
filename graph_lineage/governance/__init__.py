"""Data governance: retention per kind and erasure of one person, both recorded and both
kept at write time (the erasure ledger and the retention horizon screen every write).

>>> report = run_retention(store, RetentionPolicy.from_settings(settings))
>>> report.recommendations, report.uid
(1234, 'record:retention/2027-01-10T03:00:00.000000Z-1a2b3c')
"""

from graph_lineage.governance.erasure import ErasureReport, erase_user
from graph_lineage.governance.ledger import erasure_subject
from graph_lineage.governance.listing import RUN_KINDS, RunRecordPage, run_records
from graph_lineage.governance.retention import (
    Cutoffs,
    RetentionPolicy,
    RetentionReport,
    run_retention,
)

__all__ = [
    "RUN_KINDS",
    "Cutoffs",
    "ErasureReport",
    "RetentionPolicy",
    "RetentionReport",
    "RunRecordPage",
    "erase_user",
    "erasure_subject",
    "run_records",
    "run_retention",
]
