"""``POST /v1/events``: typed lineage events, as a JSON array or NDJSON, all or nothing.

A single JSON object is one event (it cannot be told from one line of NDJSON). Bodies are
read and refused by :mod:`api.bodies`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.bodies import read_items, refusal
from api.store_errors import store_failure_response
from graph_lineage.bodies import Undecodable
from graph_lineage.errors import BodyRefused, StoreError
from graph_lineage.events import Event, parse_event


def validate_items(
    items: list[tuple[int, Any]], max_free_text: int
) -> tuple[list[Event], list[dict[str, Any]]]:
    events: list[Event] = []
    problems: list[dict[str, Any]] = []
    for index, (line, item) in enumerate(items):
        where = {"index": index, "line": line}
        if isinstance(item, Undecodable):
            problems.append({**where, "errors": [{"loc": [], "msg": item.reason}]})
            continue
        event_id = item.get("event_id") if isinstance(item, dict) else None
        try:
            events.append(parse_event(item, max_free_text=max_free_text))
        except ValidationError as error:
            details = [
                {"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors(include_url=False)
            ]
            problems.append({**where, "event_id": event_id, "errors": details})
    return events, problems


async def ingest_events(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        parsed = await read_items(request, state.settings.ingest_max_body_bytes)
    except BodyRefused as refused:
        return refusal(refused)
    events, problems = validate_items(parsed, state.settings.max_free_text)
    if problems or not events:
        detail = "no event was written" if problems else "the body holds no event"
        return JSONResponse(
            {"error": "invalid_events", "detail": detail, "items": problems}, status_code=422
        )
    try:
        summary = await run_in_threadpool(state.writer.write, events)
    except StoreError as error:
        return store_failure_response(error)
    return JSONResponse({"accepted": len(events), **summary.as_dict()})
