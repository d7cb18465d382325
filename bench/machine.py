"""Facts about the machine a result was measured on, recorded beside every figure."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def memory_gib() -> float:
    """MemTotal from /proc/meminfo, in GiB (0 where there is no /proc)."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return 0.0
    for line in meminfo.read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 2**20, 1)
    return 0.0


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def facts(neo4j_version: str | None = None) -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "neo4j": neo4j_version,
        "load_average": load_average(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
