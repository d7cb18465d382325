"""``POST /api/v1/lineage``: OpenLineage events, as the openlineage-python client sends them.

The transport posts one event per request as ``application/json``, gzipped when it is
configured with ``compression: gzip`` (``Content-Encoding: gzip``), with a bearer token
when it has an API key. A JSON array of events is accepted too. All or nothing: one
invalid event rejects the request with 422 and per-event errors, and nothing is written.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.ingest import BodyTooLarge, read_limited
from graph_lineage.errors import StoreError, StoreUnavailable
from graph_lineage.openlineage import OpenLineageEvent, ingest, parse_event


class _Refused(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.response = JSONResponse({"error": error, "detail": detail}, status_code=status)


async def openlineage_endpoint(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        body = await _read_body(request, state.settings.ingest_max_body_bytes)
        items = _decode(body)
    except _Refused as refused:
        return refused.response
    events, problems = _validate(items)
    if problems or not events:
        detail = "no event was written" if problems else "the body holds no event"
        return JSONResponse(
            {"error": "invalid_events", "detail": detail, "items": problems}, status_code=422
        )
    try:
        summary = await run_in_threadpool(ingest, state.store, events)
    except StoreUnavailable:
        return JSONResponse(
            {"error": "unavailable", "detail": "Neo4j is unreachable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    except StoreError:
        return JSONResponse({"error": "store_error", "detail": "the write failed"}, 500)
    return JSONResponse({"accepted": len(events), **summary.as_dict()})


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, decompressed, refused past ``limit`` bytes before or after decompression."""
    too_large = _Refused(413, "too_large", f"the body is over {limit} bytes; send fewer events")
    try:
        body = await read_limited(request, limit)
    except BodyTooLarge as error:
        raise too_large from error
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding != "gzip":
        raise _Refused(415, "unsupported_encoding", f"cannot read {encoding!r}: send gzip or none")
    return _gunzip(body, limit, too_large)


def _gunzip(body: bytes, limit: int, too_large: _Refused) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise _Refused(400, "invalid_gzip", f"the gzip body is corrupt: {error}") from error
    if len(plain) > limit:
        raise too_large
    if not inflater.eof:
        raise _Refused(400, "invalid_gzip", "the gzip body is truncated")
    return plain


def _decode(body: bytes) -> list[Any]:
    try:
        decoded = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _Refused(422, "invalid_encoding", "send UTF-8") from error
    except json.JSONDecodeError as error:
        raise _Refused(422, "invalid_json", f"body is not JSON: {error}") from error
    return decoded if isinstance(decoded, list) else [decoded]


def _validate(items: list[Any]) -> tuple[list[OpenLineageEvent], list[dict[str, Any]]]:
    events: list[OpenLineageEvent] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            events.append(parse_event(item))
        except ValidationError as error:
            details = [
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors(include_url=False)
            ]
            problems.append({"index": index, "errors": details})
    return events, problems
