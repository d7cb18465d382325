"""The collector's disk spool: batches the backend could not take, kept in order until it can.

Lines are appended to numbered segment files (``000000000001.ndjson``, ...) and fsynced
before :meth:`Spool.append` returns, so a spooled batch survives a crash. Replay reads
the oldest segment first; a segment is deleted only once every line of it was committed
as sent, and how far into it replay got is kept in ``.offset``. A process that starts on
the same folder finds the segments and replays them from there.

Each process claims a slot (``slot-0``, ``slot-1``, ...) under the folder with an
exclusive ``flock``, so several workers of one service can share a configured folder.
The files hold raw events (user ids are pseudonymized only at the store), so folders
are created ``0700`` and files ``0600``.

>>> spool = Spool(Path(".graph-lineage/spool"))
>>> spool.append(['{"a": 1}']); spool.peek(10)
['{"a": 1}']
>>> spool.commit(1); spool.pending
0
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from graph_lineage.errors import ConfigurationError

MAX_SLOTS = 64
SUFFIX = ".ndjson"


class Spool:
    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = 1 << 30,
        segment_bytes: int = 8 << 20,
        fsync: bool = True,
    ) -> None:
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.fsync = fsync
        self.directory, self._lock = _claim_slot(Path(directory))
        self._segments = sorted(self.directory.glob("*" + SUFFIX))
        self.pending = sum(_count_lines(path.read_bytes()) for path in self._segments)
        self.bytes = sum(path.stat().st_size for path in self._segments)
        self._active: BinaryIO | None = None
        self._head: list[str] | None = None
        self._offset = self._saved_offset()
        self.pending = max(0, self.pending - self._offset)

    def append(self, lines: Sequence[str]) -> bool:
        """Write lines durably after everything already spooled; False when the spool is full."""
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        if self.bytes + len(data) > self.max_bytes:
            return False
        active = self._writable()
        active.write(data)
        active.flush()
        if self.fsync:
            os.fsync(active.fileno())
        self.bytes += len(data)
        self.pending += len(lines)
        return True

    def peek(self, limit: int) -> list[str]:
        """The oldest lines not yet committed, at most ``limit``, all from one segment."""
        while self._segments:
            lines = self._head_lines()
            if self._offset < len(lines):
                return lines[self._offset : self._offset + limit]
            self._remove_head()
        return []

    def commit(self, count: int) -> None:
        """The first ``count`` peeked lines were sent: forget them, deleting finished segments."""
        self._offset += count
        self.pending = max(0, self.pending - count)
        if self._head is not None and self._offset >= len(self._head):
            self._remove_head()
        elif self._segments:
            self._save_offset()

    def close(self) -> None:
        self._seal()
        os.close(self._lock)

    def _writable(self) -> BinaryIO:
        if self._active is not None and self._active.tell() < self.segment_bytes:
            return self._active
        self._seal()
        number = int(self._segments[-1].stem) + 1 if self._segments else 1
        path = self.directory / f"{number:012d}{SUFFIX}"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        self._active = os.fdopen(descriptor, "ab")
        self._segments.append(path)
        if self.fsync:
            _fsync_directory(self.directory)
        return self._active

    def _seal(self) -> None:
        if self._active is not None:
            self._active.close()
            self._active = None

    def _head_lines(self) -> list[str]:
        if self._head is None:
            if len(self._segments) == 1:
                self._seal()  # replay is reaching the segment being written: start a new one
            lines = self._segments[0].read_bytes().decode("utf-8", "replace").split("\n")
            self._head = lines[:-1] if lines[-1] == "" else lines
        return self._head

    def _remove_head(self) -> None:
        path = self._segments.pop(0)
        self.bytes = max(0, self.bytes - path.stat().st_size)
        path.unlink()
        self._head = None
        self._offset = 0
        self._offset_file.unlink(missing_ok=True)

    @property
    def _offset_file(self) -> Path:
        return self.directory / ".offset"

    def _save_offset(self) -> None:
        """Remember replay progress in the oldest segment; written whole, then renamed."""
        draft = self.directory / ".offset.draft"
        draft.write_text(f"{self._segments[0].name} {self._offset}\n")
        os.replace(draft, self._offset_file)

    def _saved_offset(self) -> int:
        try:
            name, offset = self._offset_file.read_text().split()
            saved = int(offset)
        except (OSError, ValueError):
            return 0
        return saved if self._segments and self._segments[0].name == name else 0


def _claim_slot(directory: Path) -> tuple[Path, int]:
    for number in range(MAX_SLOTS):
        slot = directory / f"slot-{number}"
        slot.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = os.open(slot / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            continue
        return slot, lock
    raise ConfigurationError(
        f"all {MAX_SLOTS} spool slots under {directory} are taken by running collectors;"
        " give this process its own spool_dir"
    )


def _count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
