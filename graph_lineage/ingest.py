"""Loading event files (NDJSON or a JSON array) into the store: ``graph-lineage ingest``.

A file is validated whole before anything is written, so a bad line costs nothing: the
report names every invalid line (up to a limit) and the store is left as it was. Then
events are written in batches, one transaction each; replaying a file is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph_lineage.bodies import Undecodable, read_file_items
from graph_lineage.errors import InvalidBody, InvalidEvents
from graph_lineage.events import MAX_FREE_TEXT, Event, parse_event
from graph_lineage.store.writer import LineageWriter, WriteSummary

MAX_REPORTED_ERRORS = 20


@dataclass
class IngestReport:
    summary: WriteSummary = field(default_factory=WriteSummary)
    events: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


Progress = Callable[[int], None]


def read_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, decoded JSON) of every event in an NDJSON file or a JSON array."""
    try:
        yield from read_file_items(path)
    except InvalidBody as error:
        raise InvalidEvents(path, [error.detail], 1) from error


def _parse(number: int, raw: Any, max_free_text: int) -> Event | str:
    if isinstance(raw, Undecodable):
        return f"line {number}: not JSON: {raw.reason}"
    try:
        return parse_event(raw, max_free_text=max_free_text)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"line {number}: {where}: {first['msg']}"


def validate_file(
    path: Path, progress: Progress | None = None, max_free_text: int = MAX_FREE_TEXT
) -> int:
    """Count the events of a file; raise InvalidEvents naming the bad lines."""
    problems: list[str] = []
    total_bad = count = 0
    for number, raw in read_lines(path):
        count += 1
        parsed = _parse(number, raw, max_free_text)
        if isinstance(parsed, str):
            total_bad += 1
            if len(problems) < MAX_REPORTED_ERRORS:
                problems.append(parsed)
        if progress and count % 10_000 == 0:
            progress(count)
    if total_bad:
        raise InvalidEvents(path, problems, total_bad)
    return count


def ingest_file(
    path: Path,
    writer: LineageWriter,
    batch_size: int,
    progress: Progress | None = None,
    max_free_text: int = MAX_FREE_TEXT,
) -> IngestReport:
    """Validate the whole file, then write it in batches of ``batch_size`` events."""
    validate_file(path, max_free_text=max_free_text)
    report = IngestReport()
    started = time.perf_counter()
    batch: list[Event] = []
    for number, raw in read_lines(path):
        parsed = _parse(number, raw, max_free_text)
        assert not isinstance(parsed, str), "validated above"
        batch.append(parsed)
        if len(batch) >= batch_size:
            report.summary.add(writer.write(batch))
            report.events += len(batch)
            batch = []
            if progress:
                progress(report.events)
    if batch:
        report.summary.add(writer.write(batch))
        report.events += len(batch)
    report.seconds = time.perf_counter() - started
    return report
