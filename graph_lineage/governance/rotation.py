"""Key rotation: every sealed property ends up under the active key, in bounded batches.

Rotation pages through each sealed property by ``uid`` and re-seals, one write
transaction per batch, every value not under the active key: values sealed under an
older key, and plaintext values stored before encryption was turned on. Each value is
replaced only if it is still the one that was read, so a concurrent write wins. Rotation
can stop at any point and run again; it only ever has the rest to do. Each run leaves an
``RunRecord`` record (kind ``key_rotation``) with the active key id and how many values it
re-sealed, like retention and erasure.

>>> report = rotate_keys(store, Sealer.from_settings(settings), batch_size=500)
>>> report.counts
{('DataSource.uri', 'k1'): 6, ('Experiment.salt', 'plaintext'): 2}
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field

from graph_lineage.errors import LineageError, SealedValueError
from graph_lineage.governance.records import finish_run, start_run
from graph_lineage.sealing import PREFIX, SEALED_PREFIX, Sealer, key_id_of
from graph_lineage.store.connection import Record, Store
from graph_lineage.store.sealed import QUERIES, SEALED_PROPERTIES, SealedProperty

KIND = "key_rotation"
PLAINTEXT = "plaintext"
DEFAULT_BATCH_SIZE = 1000


@dataclass
class RotationReport:
    """Values re-sealed (in a dry run: to re-seal), by (property, key id or 'plaintext')."""

    active_key_id: str
    dry_run: bool
    uid: str = ""  # of the RunRecord record of this run
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    batches: int = 0  # write transactions

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def key_status(store: Store) -> dict[tuple[str, str], int]:
    """Stored values of every sealed property, by (property, key id or 'plaintext')."""
    counts: dict[tuple[str, str], int] = {}
    for prop in SEALED_PROPERTIES:
        rows = store.read(
            QUERIES[prop.label].count_by_key, key=prop.name, sealedPrefix=SEALED_PREFIX
        )
        for row in rows:
            counts[(str(prop), row["key_id"] or PLAINTEXT)] = int(row["count"])
    return dict(sorted(counts.items()))


def rotate_keys(
    store: Store, sealer: Sealer, batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False
) -> RotationReport:
    """Re-seal every sealed property not under ``sealer``'s active key."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    record = {"dry_run": dry_run, "active_key_id": sealer.active_key_id, "batch_size": batch_size}
    uid = start_run(store, KIND, record)
    try:
        report = _rotate(store, sealer, batch_size, dry_run)
    except LineageError:
        with suppress(LineageError):
            finish_run(store, uid, {}, status="failed")
        raise
    finish_run(store, uid, {"resealed": report.total, "batches": report.batches})
    report.uid = uid
    return report


def _rotate(store: Store, sealer: Sealer, batch_size: int, dry_run: bool) -> RotationReport:
    report = RotationReport(sealer.active_key_id, dry_run)
    counts: Counter[tuple[str, str]] = Counter()
    for prop in SEALED_PROPERTIES:
        for page in _pages(store, prop, sealer.active_key_id, batch_size):
            if dry_run:
                counts.update((str(prop), key_id_of(row["value"]) or PLAINTEXT) for row in page)
                continue
            resealed = _reseal(store, prop, sealer, page)
            report.batches += 1
            counts.update(
                (str(prop), key_id_of(row["value"]) or PLAINTEXT)
                for row in page
                if row["uid"] in resealed
            )
    report.counts = dict(sorted(counts.items()))
    return report


def _pages(
    store: Store, prop: SealedProperty, active_key_id: str, batch_size: int
) -> Iterator[list[Record]]:
    """Pages of values not under the active key, in uid order; the last may be short."""
    after = ""
    while True:
        page = store.read(
            QUERIES[prop.label].page,
            key=prop.name,
            activePrefix=f"{PREFIX}{active_key_id}:",
            after=after,
            limit=batch_size,
        )
        if page:
            yield page
        if len(page) < batch_size:
            return
        after = page[-1]["uid"]


def _reseal(store: Store, prop: SealedProperty, sealer: Sealer, page: list[Record]) -> set[str]:
    """Re-seal one page in one write transaction; the uids whose value was replaced."""
    rows = []
    for row in page:
        try:
            envelope = sealer.reseal(row["value"], prop.name, row["uid"])
        except SealedValueError as error:
            raise SealedValueError(f"{prop} of {row['uid']}: {error}") from error
        rows.append({"uid": row["uid"], "old": row["value"], "new": {prop.name: envelope}})
    result = store.write(QUERIES[prop.label].reseal, key=prop.name, rows=rows)
    return set(result[0]["resealed"])
