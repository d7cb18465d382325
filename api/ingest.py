"""``POST /v1/events``: typed lineage events, as a JSON array or NDJSON, all or nothing."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from graph_lineage.errors import StoreError, StoreUnavailable
from graph_lineage.events import Event, parse_event


class BodyTooLarge(Exception):
    pass


async def read_limited(request: Request, limit: int) -> bytes:
    """The request body, refusing anything over ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def split_items(body: bytes, content_type: str) -> list[tuple[int, Any]] | dict[str, Any]:
    """(line number, decoded JSON) per item, or an error body if the text is not JSON."""
    text = body.decode("utf-8", errors="strict")
    if content_type.startswith("application/json") or text.lstrip().startswith("["):
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError as error:
            return {"error": "invalid_json", "detail": f"body is not JSON: {error}"}
        if not isinstance(decoded, list):
            decoded = [decoded]
        return [(index + 1, item) for index, item in enumerate(decoded)]
    items: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                items.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                items.append((number, _Unparsable(str(error))))
    return items


class _Unparsable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def validate_items(items: list[tuple[int, Any]]) -> tuple[list[Event], list[dict[str, Any]]]:
    events: list[Event] = []
    problems: list[dict[str, Any]] = []
    for index, (line, item) in enumerate(items):
        where = {"index": index, "line": line}
        if isinstance(item, _Unparsable):
            problems.append({**where, "errors": [{"loc": [], "msg": item.reason}]})
            continue
        event_id = item.get("event_id") if isinstance(item, dict) else None
        try:
            events.append(parse_event(item))
        except ValidationError as error:
            details = [
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors(include_url=False)
            ]
            problems.append({**where, "event_id": event_id, "errors": details})
    return events, problems


async def ingest_events(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        body = await read_limited(request, state.settings.ingest_max_body_bytes)
        parsed = split_items(body, request.headers.get("content-type", ""))
    except BodyTooLarge:
        limit = state.settings.ingest_max_body_bytes
        return JSONResponse(
            {"error": "too_large", "detail": f"the body is over {limit} bytes; send fewer events"},
            status_code=413,
        )
    except UnicodeDecodeError:
        return JSONResponse({"error": "invalid_encoding", "detail": "send UTF-8"}, 422)
    if isinstance(parsed, dict):
        return JSONResponse(parsed, status_code=422)
    events, problems = validate_items(parsed)
    if problems or not events:
        detail = "no event was written" if problems else "the body holds no event"
        return JSONResponse(
            {"error": "invalid_events", "detail": detail, "items": problems}, status_code=422
        )
    try:
        summary = await run_in_threadpool(state.writer.write, events)
    except StoreUnavailable:
        return JSONResponse(
            {"error": "unavailable", "detail": "Neo4j is unreachable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    except StoreError:
        return JSONResponse({"error": "store_error", "detail": "the write failed"}, 500)
    return JSONResponse({"accepted": len(events), **summary.as_dict()})
