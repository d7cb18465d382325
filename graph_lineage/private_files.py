"""Files only this user may read: generated demo keys, the local server's password, keys.

Each is created exclusively with mode 0600, so a second process racing to create the same
file reads the winner's content instead of overwriting it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def write_private(path: Path, content: str | bytes) -> None:
    """Create ``path`` (and its folder) readable and writable by this user only.

    Raises ``FileExistsError`` when it exists: a private file is never overwritten.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The stripped text of ``path``, written once from ``make()`` if it doesn't exist yet."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process made it first
            write_private(path, make() + "\n")
    return path.read_text().strip()
