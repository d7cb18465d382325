"""Reading ingest request bodies: size limit, gzip, content type, UTF-8, strict JSON.

Both ingest endpoints read their body here and decode it with
:func:`graph_lineage.bodies.split_items`, so both refuse the same input with the same
JSON answer ``{"error": <code>, "detail": <text>}``:

| status | error | when |
| --- | --- | --- |
| 413 | too_large | the body (or its gunzipped form) is over ``ingest_max_body_bytes`` |
| 415 | unsupported_media_type | a content type that is not JSON, NDJSON or plain text |
| 415 | unsupported_encoding | a content encoding other than gzip or identity |
| 400 | invalid_gzip | a corrupt or truncated gzip body |
| 422 | invalid_encoding | the body is not UTF-8 |
| 422 | invalid_json / too_deep / non_finite_number | see graph_lineage.bodies |
"""

from __future__ import annotations

import zlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph_lineage.bodies import split_items
from graph_lineage.errors import BodyRefused, InvalidBody

# What producers send: openlineage-python's HTTP transport and most clients send
# application/json; NDJSON goes as application/x-ndjson (or the other spellings); curl's
# -d/--data-binary without -H sends application/x-www-form-urlencoded; no header at all
# and text/plain are taken as what they hold.
ACCEPTED_TYPES = frozenset(
    {
        "",
        "application/json",
        "application/x-ndjson",
        "application/ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "text/plain",
        "application/x-www-form-urlencoded",
    }
)


def refusal(refused: BodyRefused) -> JSONResponse:
    """The JSON answer to a body the endpoint will not read."""
    return JSONResponse(
        {"error": refused.code, "detail": refused.detail}, status_code=refused.status
    )


async def read_items(
    request: Request, limit: int, always_json: bool = False
) -> list[tuple[int, Any]]:
    """(line or position, decoded item) of the request body; raises BodyRefused.

    The body is one JSON document when ``always_json`` or sent as ``application/json``,
    else a JSON array or NDJSON, told apart by its first character.
    """
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ACCEPTED_TYPES:
        raise BodyRefused(
            415,
            "unsupported_media_type",
            f"cannot read {media_type!r}: send application/json or application/x-ndjson",
        )
    body = await read_body(request, limit)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyRefused(422, "invalid_encoding", "send UTF-8") from error
    try:
        return split_items(text, as_json=always_json or media_type == "application/json")
    except InvalidBody as error:
        raise BodyRefused(422, error.code, error.detail) from error


async def read_body(request: Request, limit: int) -> bytes:
    """The body, decompressed, refused past ``limit`` bytes before or after decompression."""
    too_large = BodyRefused(413, "too_large", f"the body is over {limit} bytes; send fewer events")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise too_large
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "identity":
        return bytes(body)
    if encoding != "gzip":
        raise BodyRefused(
            415, "unsupported_encoding", f"cannot read {encoding!r}: send gzip or none"
        )
    return _gunzip(bytes(body), limit, too_large)


def _gunzip(body: bytes, limit: int, too_large: BodyRefused) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(body, limit + 1)
    except zlib.error as error:
        raise BodyRefused(400, "invalid_gzip", f"the gzip body is corrupt: {error}") from error
    if len(plain) > limit:
        raise too_large
    if not inflater.eof:
        raise BodyRefused(400, "invalid_gzip", "the gzip body is truncated")
    return plain
