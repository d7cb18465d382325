"""What an operation was seen to do while it executed, kept for its access record."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AccessObservations:
    """Filled during one request by field authorization; read when the request is recorded."""

    operation_name: str | None = None
    operation_type: str | None = None
    uids: dict[str, None] = field(default_factory=dict)  # an insertion-ordered set

    def returned(self, *uids: str) -> None:
        """Data of these lineage nodes is in the answer."""
        for uid in uids:
            self.uids[uid] = None
