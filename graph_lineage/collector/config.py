"""How a collector batches, retries and spools."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class CollectorConfig:
    """Defaults suit a service recording a few thousand events a second.

    ``backoff_max`` also bounds the wait between probes of a backend that is down.
    ``spool_dir`` holds raw events (user ids included) until they are sent: keep it on
    local disk readable by the service only.
    """

    max_queue: int = 10_000
    batch_size: int = 500
    flush_interval: float = 1.0
    max_retries: int = 3
    backoff_initial: float = 0.1
    backoff_max: float = 10.0
    spool_dir: Path = Path(".graph-lineage") / "spool"
    spool_max_bytes: int = 1 << 30
    spool_segment_bytes: int = 8 << 20
    spool_fsync: bool = True

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if value < 0 or (value == 0 and spec.name != "max_retries"):
                raise ValueError(f"CollectorConfig.{spec.name} must be positive, not {value}")
