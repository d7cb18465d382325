"""Where a command's report goes: ``--output FILE``, or standard output for ``-``."""

from __future__ import annotations

import sys
from pathlib import Path


def write_report(text: str, output: str) -> bool:
    """Write ``text`` to standard output (``-``) or the file ``output``.

    False, with the reason on standard error, when the file cannot be written: the command
    then exits 1 instead of ending in a traceback.
    """
    if output == "-":
        sys.stdout.write(text)
        return True
    try:
        Path(output).write_text(text)
    except OSError as error:
        print(f"error: cannot write the report to {output}: {error}", file=sys.stderr)
        return False
    return True
