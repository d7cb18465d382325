"""OpenLineage events folded into rows for :mod:`graph_lineage.store.openlineage_writes`.

Events of one request are folded per uid, in arrival order, by the rules the Cypher keeps
across requests (the newest facet wins, the earliest time is ``valid_from``...), so that
each statement meets every node once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, LiteralString

from graph_lineage.openlineage.events import (
    Dataset,
    DatasetEvent,
    EventType,
    Job,
    OpenLineageEvent,
    RunEvent,
    run_uid,
)
from graph_lineage.openlineage.facets import (
    LONG_TEXT,
    SEALED_FACET_FIELDS,
    FacetReading,
    read_facets,
    read_parent,
)
from graph_lineage.openlineage.matching import candidate_uids
from graph_lineage.sealing import SEALED_PREFIX, Sealer
from graph_lineage.store import openlineage_writes as cypher

Row = dict[str, Any]
Statement = tuple[LiteralString, dict[str, Any]]

STATE_RANK = {"START": 0, "RUNNING": 1, "COMPLETE": 2, "ABORT": 3, "FAIL": 4}
TERMINAL = (EventType.COMPLETE, EventType.ABORT, EventType.FAIL)


@dataclass
class LineageBatch:
    """The rows of every statement one request needs, built event by event."""

    tables: dict[str, dict[Any, Row]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    max_facet_text: int = LONG_TEXT  # the setting openlineage_max_facet_text
    # Seals SEALED_FACET_FIELDS; without one, a facet holding such a field is not stored.
    sealer: Sealer | None = None

    def add(self, event: OpenLineageEvent, index: int = 0) -> None:
        kind = type(event).__name__
        self.counts[kind] = self.counts.get(kind, 0) + 1
        where = f"[{index}]"
        if isinstance(event, DatasetEvent):
            self._dataset(event.dataset, event.event_time, f"{where}.dataset")
            return
        job = self._job(event.job, event.event_time, f"{where}.job")
        if isinstance(event, RunEvent):
            self._run(event, job, where)
            return
        for n, dataset in enumerate(event.inputs):
            uid = self._dataset(dataset, event.event_time, f"{where}.inputs[{n}]")
            self._edge("consumes", job, uid, event.event_time)
        for n, output in enumerate(event.outputs):
            uid = self._dataset(output, event.event_time, f"{where}.outputs[{n}]")
            self._edge("outputs_of", uid, job, event.event_time)

    def statements(self, now: datetime) -> list[Statement]:
        """The statements to run, in order, in one transaction; none for an empty batch."""
        plan: list[tuple[str, LiteralString]] = [
            ("jobs", cypher.JOBS),
            ("datasets", cypher.DATASETS),
            ("runs", cypher.RUNS),
            ("parents", cypher.RUN_PARENTS),
            ("reads", cypher.RUN_INPUTS),
            ("produced", cypher.RUN_OUTPUTS),
            ("consumes", cypher.JOB_INPUTS),
            ("outputs_of", cypher.JOB_OUTPUTS),
        ]
        statements: list[Statement] = []
        for table, query in plan:
            rows = [_finish(row) for row in self.tables.get(table, {}).values()]
            if rows:
                parameters = {"rows": rows, "now": now, "sealedPrefix": SEALED_PREFIX}
                statements.append((query, parameters))
        datasets = list(self.tables.get("datasets", {}))
        if datasets:
            statements.append((cypher.LINK_DATASETS, {"datasets": datasets, "now": now}))
        return statements

    def _row(self, table: str, key: Any, time: datetime, **base: Any) -> Row:
        rows = self.tables.setdefault(table, {})
        row = rows.get(key)
        if row is None:
            row = rows[key] = {**base, "valid_from": time, "facets": {}, "seen": set()}
        row["valid_from"] = min(row["valid_from"], time)
        return row

    def _job(self, job: Job, time: datetime, where: str) -> str:
        row = self._row("jobs", job.uid, time, uid=job.uid, namespace=job.namespace, name=job.name)
        _add_facets(
            row, read_facets("job", job.facets, where, self.warnings, self.max_facet_text), time
        )
        return job.uid

    def _dataset(self, dataset: Dataset, time: datetime, where: str) -> str:
        uid = dataset.uid
        base = {"uid": uid, "namespace": dataset.namespace, "name": dataset.name}
        row = self._row("datasets", uid, time, **base, match_uids=set())
        reading = read_facets("dataset", dataset.facets, where, self.warnings, self.max_facet_text)
        _add_facets(row, reading, time, self._sealed(reading, uid, where))
        version = reading.values.get("version", {}).get("version")
        row["match_uids"].update(candidate_uids(dataset.name, version))
        return uid

    def _sealed(self, reading: FacetReading, uid: str, where: str) -> dict[str, Row]:
        """Sensitive facet fields taken out of ``reading`` and sealed for node ``uid``.

        Without a sealer such a facet is left out, with a warning: never stored in plaintext.
        """
        sealed: dict[str, Row] = {}
        for key, names in SEALED_FACET_FIELDS.items():
            props = reading.values.get(key, {})
            present = {name: props.pop(name) for name in names if props.get(name) is not None}
            if not present:
                continue
            if self.sealer is None:
                del reading.values[key]
                self.warnings.append(f"{where}.facets.{key} ignored: no encryption key to seal it")
                continue
            sealed[key] = {name: self.sealer.seal(v, name, uid) for name, v in present.items()}
        return sealed

    def _edge(self, table: str, start: str, end: str, time: datetime) -> Row:
        return self._row(table, (start, end), time, **{"from": start, "to": end})

    def _run(self, event: RunEvent, job: str, where: str) -> None:
        uid, time = event.run.uid, event.event_time
        base = {"uid": uid, "run_id": str(event.run.run_id), "job": job}
        unknown = dict.fromkeys(("state", "started_at", "ended_at"))
        row = self._row("runs", uid, time, **base, **unknown, producer=event.producer)
        _add_run_state(row, event.event_type, time)
        _add_facets(
            row,
            read_facets(
                "run", event.run.facets, f"{where}.run", self.warnings, self.max_facet_text
            ),
            time,
        )
        self._parent(event, uid, where)
        for n, dataset in enumerate(event.inputs):
            self._edge("reads", uid, self._dataset(dataset, time, f"{where}.inputs[{n}]"), time)
        for n, output in enumerate(event.outputs):
            spot = f"{where}.outputs[{n}]"
            edge = self._edge("produced", self._dataset(output, time, spot), uid, time)
            facets = read_facets(
                "output", output.output_facets, spot, self.warnings, self.max_facet_text
            )
            _add_facets(edge, FacetReading(values=facets.values), time)

    def _parent(self, event: RunEvent, uid: str, where: str) -> None:
        parent = read_parent(event.run.facets, f"{where}.run", self.warnings)
        if parent is None:
            return
        job = Job(namespace=parent.namespace, name=parent.name)
        ref = {
            "uid": run_uid(parent.run_id),
            "run_id": str(parent.run_id),
            "job": job.uid,
            "namespace": parent.namespace,
            "name": parent.name,
        }
        self._row("parents", uid, event.event_time, run=uid, parent=ref)


def _add_facets(
    row: Row, reading: FacetReading, time: datetime, sealed: dict[str, Row] | None = None
) -> None:
    row["seen"].update(reading.seen)
    for key, props in reading.values.items():
        held = row["facets"].get(key)
        if held is None or time >= held["at"]:
            stamp = f"{key}_at"
            row["facets"][key] = {
                "stamp": stamp,
                "at": time,
                "props": {**props, stamp: time},
                "sealed": (sealed or {}).get(key, {}),
            }


def _add_run_state(row: Row, event_type: EventType | None, time: datetime) -> None:
    if event_type is None or event_type == EventType.OTHER:
        return
    state = {"name": event_type.value, "at": time, "rank": STATE_RANK[event_type.value]}
    held = row["state"]
    if held is None or (time, state["rank"]) >= (held["at"], held["rank"]):
        row["state"] = state
    if event_type == EventType.START:
        row["started_at"] = min(filter(None, (row["started_at"], time)))
    if event_type in TERMINAL:
        row["ended_at"] = max(filter(None, (row["ended_at"], time)))


def _finish(row: Row) -> Row:
    """The row as Neo4j takes it: facets as a list, sets as sorted lists."""
    done = {**row, "facets": list(row["facets"].values()), "seen": sorted(row["seen"])}
    if "match_uids" in row:
        done["match_uids"] = sorted(row["match_uids"])
    return done
