"""``POST /api/v1/lineage``: OpenLineage events, as the openlineage-python client sends them.

The transport posts one event per request as ``application/json``, gzipped when it is
configured with ``compression: gzip`` (``Content-Encoding: gzip``), with a bearer token
when it has an API key. A JSON array of events is accepted too; the body is always read
as one JSON document (see :mod:`api.bodies` for what is refused). All or nothing: one
invalid event rejects the request with 422 and per-event errors, and nothing is written.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from api.bodies import read_items, refusal
from api.store_errors import store_failure_response
from graph_lineage.errors import BodyRefused, StoreError
from graph_lineage.openlineage import OpenLineageEvent, ingest, parse_event


async def openlineage_endpoint(request: Request) -> JSONResponse:
    state = request.app.state
    try:
        read = await read_items(request, state.settings.ingest_max_body_bytes, always_json=True)
    except BodyRefused as refused:
        return refusal(refused)
    items = [item for _, item in read]
    events, problems = _validate(items)
    if problems or not events:
        detail = "no event was written" if problems else "the body holds no event"
        return JSONResponse(
            {"error": "invalid_events", "detail": detail, "items": problems}, status_code=422
        )
    try:
        summary = await run_in_threadpool(
            ingest,
            state.store,
            events,
            state.settings.openlineage_max_facet_text,
            state.sealer,
        )
    except StoreError as error:
        return store_failure_response(error)
    return JSONResponse({"accepted": len(events), **summary.as_dict()})


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
