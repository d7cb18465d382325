"""POSTs batches to the graph-lineage API's ``/v1/events`` as NDJSON or a JSON array.

The endpoint is all-or-nothing per request. Its answers map to the collector's outcomes:
2xx sent; 413 and 422 rejected but splittable (halves may pass); 401, 403, 408, 429, 5xx
and connection failures retryable (an expired token is fixed by an operator, and the
spool keeps the events until then); any other 4xx rejected for good.

One ``httpx`` client per transport keeps its connection alive from batch to batch;
:meth:`HttpTransport.close` releases it.

>>> transport = HttpTransport(HttpConfig(url="http://127.0.0.1:8000", token="..."))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx

from graph_lineage.errors import BackendUnavailable, EventsRejected
from graph_lineage.events import Event

CONTENT_TYPES = {"ndjson": "application/x-ndjson", "json": "application/json"}
RETRYABLE_STATUS = frozenset({401, 403, 408, 425, 429})
SPLITTABLE_STATUS = {413: "too_large", 422: "invalid"}


@dataclass(frozen=True)
class HttpConfig:
    """``url`` is the API's base URL; events go to ``{url}/v1/events``."""

    url: str
    format: Literal["ndjson", "json"] = "ndjson"
    timeout: float = 10.0
    token: str | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + "/v1/events"


class HttpTransport:
    def __init__(self, config: HttpConfig) -> None:
        self.config = config
        self._headers = {"Content-Type": CONTENT_TYPES[config.format], **config.headers}
        if config.token is not None:
            self._headers["Authorization"] = f"Bearer {config.token}"
        self._client = httpx.Client(headers=self._headers, timeout=config.timeout)

    def send(self, events: Sequence[Event]) -> None:
        try:
            reply = self._client.post(self.config.endpoint, content=self._body(events))
        except httpx.TransportError as error:  # refused, unreachable, timed out
            raise BackendUnavailable(f"{self.config.endpoint} is unreachable: {error}") from error
        if not reply.is_success:
            raise _refusal(reply.status_code, reply.content[:2000])

    def close(self) -> None:
        """Close the kept-alive connection."""
        self._client.close()

    def _body(self, events: Sequence[Event]) -> bytes:
        lines = [event.model_dump_json().encode("utf-8") for event in events]
        if self.config.format == "json":
            return b"[" + b",".join(lines) + b"]"
        return b"\n".join(lines) + b"\n"


def _refusal(status: int, body: bytes) -> BackendUnavailable | EventsRejected:
    detail = f"HTTP {status}: {body.decode('utf-8', 'replace')}"
    if status >= 500 or status in RETRYABLE_STATUS:
        return BackendUnavailable(f"the API answered {detail}")
    if status in SPLITTABLE_STATUS:
        return EventsRejected(detail, SPLITTABLE_STATUS[status], splittable=True)
    return EventsRejected(detail, f"http_{status}")
