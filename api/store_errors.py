"""One answer for a failed store call on every request path: 503 for an outage, else 500.

An outage (Neo4j unreachable, restarting, no connection free in time) is the producer's cue
to retry, so it gets ``503`` with ``Retry-After``; anything else is a defect or a refused
write, answered ``500 store_error`` and logged with its cause, since the body tells the
client nothing.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graph_lineage.errors import StoreError, StoreUnavailable

logger = logging.getLogger("graph_lineage.api")

RETRY_AFTER_SECONDS = 5


def store_failure_response(error: StoreError) -> JSONResponse:
    """The answer to ``error``; call it inside the ``except`` so a 500 logs its traceback."""
    if isinstance(error, StoreUnavailable):
        return JSONResponse(
            {"error": "unavailable", "detail": "Neo4j is unreachable; retry later"},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    logger.error("store_error: %s", error, exc_info=error)
    return JSONResponse({"error": "store_error", "detail": "the write failed"}, 500)


async def store_error_handler(request: Request, error: Exception) -> Response:
    """Starlette exception handler: a store error no endpoint caught."""
    assert isinstance(error, StoreError)
    return store_failure_response(error)
