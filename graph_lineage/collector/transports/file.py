"""Appends events to a local NDJSON file, one event per line, readable by ``parse_event``.

>>> transport = FileTransport(FileConfig(path=Path("lineage.ndjson")))
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graph_lineage.errors import BackendUnavailable
from graph_lineage.events import Event


@dataclass(frozen=True)
class FileConfig:
    """``path`` is created with its folders; ``fsync`` makes each batch durable before returning."""

    path: Path
    fsync: bool = False


class FileTransport:
    def __init__(self, config: FileConfig) -> None:
        self.config = config
        self.path = Path(config.path)
        self._file: BinaryIO | None = None

    def send(self, events: Sequence[Event]) -> None:
        body = b"".join(event.model_dump_json().encode("utf-8") + b"\n" for event in events)
        try:
            handle = self._open()
            handle.write(body)
            handle.flush()
            if self.config.fsync:
                os.fsync(handle.fileno())
        except OSError as error:
            raise BackendUnavailable(f"cannot append to {self.path}: {error}") from error

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _open(self) -> BinaryIO:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("ab")
        return self._file
