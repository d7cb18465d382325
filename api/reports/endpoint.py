"""``POST /exports/report.pdf``: a trace, impact or experiment report as a PDF, as the caller.

The body is JSON: ``{"report": "trace" | "impact" | "experiment", "arguments": {...},
"filters": {...}, "asOf": ISO-TIME}``. The report's GraphQL document runs in this process
through the same schema as ``/graphql``, with the caller's principal: field authorization,
redaction and the access log apply as to any operation (the query gets its own access
record). Then the export is recorded (:func:`graph_lineage.access_log.record_export`),
and the PDF carries its stamp. The answer names both records: ``X-Access-Record`` (the
query's seq) and ``X-Export-Record`` (the export's).

Refusals are JSON ``{"error", "detail"}``: ``422`` for a body or arguments that cannot make
a report, ``403`` when the caller may not read what the report shows, ``404`` when there is
nothing to report, ``503`` when Neo4j or the access log is unavailable (nothing is
answered unrecorded).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from strawberry.http import GraphQLRequestData
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.bodies import read_body, refusal
from api.graphql import request_context
from api.graphql.authorization import FORBIDDEN
from api.graphql.context import RequestContext
from api.graphql.outages import OUTAGE_MESSAGE, RETRY_AFTER_SECONDS, found_outage
from api.graphql.recording import record_operation, unrecorded_response
from api.reports.answer import Answer
from api.reports.catalog import REPORTS, ReportKind
from api.reports.pdf import Report, render
from graph_lineage.access_log import Export, ExportStamp, record_export
from graph_lineage.errors import (
    AccessNotRecorded,
    BodyRefused,
    InvalidQuery,
    LineageError,
    NodeNotFound,
)

MAX_BODY = 64 * 1024
VIA = "report.pdf"  # how a PDF report's export record was asked for
Endpoint = Callable[[Request], Awaitable[Response]]


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    report: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    filters: dict[str, Any] = Field(default_factory=dict)
    as_of: datetime | None = Field(default=None, alias="asOf")


def report_endpoint(schema: BaseSchema) -> Endpoint:
    """The endpoint, running reports through ``schema`` (the one ``/graphql`` serves)."""

    async def report_pdf(request: Request) -> Response:
        try:
            kind, arguments, export = await _asked(request)
        except BodyRefused as refused:
            return refusal(refused)
        context = request_context(request)
        try:
            result, seq = await _run(schema, context, kind, arguments)
        except AccessNotRecorded as unrecorded:
            return unrecorded_response(unrecorded)
        headers = {"X-Access-Record": str(seq)}
        answer = _answer(kind, result, context)
        if isinstance(answer, JSONResponse):
            answer.headers.update(headers)
            return answer
        try:
            stamp = await _record(context, export)
        except AccessNotRecorded as unrecorded:  # the query's record stands: it was asked
            response = unrecorded_response(unrecorded)
            response.headers.update(headers)
            return response
        return _pdf(kind, answer, stamp, headers)

    return report_pdf


async def _asked(request: Request) -> tuple[ReportKind, dict[str, Any], Export]:
    body = await read_body(request, MAX_BODY)
    try:
        asked = ReportBody.model_validate_json(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        detail = f'{where}: {first["msg"]}; send {{"report", "arguments", "filters", "asOf"}}'
        raise BodyRefused(422, "invalid_request", detail) from None
    kind = REPORTS.get(asked.report)
    if kind is None:
        known = ", ".join(REPORTS)
        raise BodyRefused(422, "invalid_request", f"no report {asked.report!r}: one of {known}")
    try:
        kind.check(asked.arguments)
        filters = {**asked.arguments, **asked.filters}
        export = Export(format="pdf", view=kind.name, filters=filters, as_of=asked.as_of)
    except InvalidQuery as error:
        raise BodyRefused(422, "invalid_request", str(error)) from None
    return kind, asked.arguments, export


async def _run(
    schema: BaseSchema,
    context: RequestContext,
    kind: ReportKind,
    arguments: dict[str, Any],
) -> tuple[ExecutionResult, int]:
    """The report's query, as the caller, recorded like any operation of /graphql."""
    started = datetime.now(UTC)
    result = await schema.execute(
        kind.document,
        variable_values=arguments,
        context_value=context,
        operation_name=kind.operation,
        allowed_operation_types={OperationType.QUERY},
    )
    asked = GraphQLRequestData(kind.document, arguments, kind.operation, None)
    outage = found_outage(result)
    record = await record_operation(context, asked, started, result, store_unavailable=outage)
    return result, record.seq or 0


def _answer(
    kind: ReportKind, result: ExecutionResult, context: RequestContext
) -> Answer | JSONResponse:
    """The report's answer, or the refusal that says why there is none to print."""
    errors = result.errors or []
    if found_outage(result):
        retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return _refusal(503, "unavailable", OUTAGE_MESSAGE, retry)
    if any(_code(error) == FORBIDDEN and error.path == [kind.field] for error in errors):
        caller = context.caller
        roles = ", ".join(sorted(role.value for role in caller.roles)) if caller else "none"
        detail = (
            f"your roles ({roles}) may not read {kind.field}, which the {kind.name} report"
            " shows; sign in with a role that may"
        )
        return _refusal(403, "forbidden", detail)
    root = (result.data or {}).get(kind.field)
    if isinstance(root, dict):
        denied = {tuple(error.path) for error in errors if _code(error) == FORBIDDEN and error.path}
        return Answer(root, (kind.field,), frozenset(denied))
    originals = [error.original_error for error in errors]
    if not errors or any(isinstance(original, NodeNotFound) for original in originals):
        detail = errors[0].message if errors else f"{kind.field} found nothing for these arguments"
        return _refusal(404, "not_found", detail)
    if any(
        error.path is None or isinstance(error.original_error, InvalidQuery) for error in errors
    ):
        return _refusal(422, "invalid_arguments", "; ".join(error.message for error in errors))
    return _refusal(500, "report_failed", f"the {kind.name} report could not be made")


def _refusal(
    status: int, error: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


async def _record(context: RequestContext, export: Export) -> ExportStamp:
    caller = context.caller
    assert caller is not None  # the route is authenticated
    uids = list(context.access.uids)  # whose data the file holds
    try:
        return await run_in_threadpool(record_export, context.store, export, caller, VIA, uids)
    except LineageError as error:
        raise AccessNotRecorded(error) from error


def _pdf(kind: ReportKind, answer: Answer, stamp: ExportStamp, headers: dict[str, str]) -> Response:
    record = stamp.record
    footer = f"{kind.name} report exported by {record.subject}, access log record {record.seq}"
    report = Report(
        title=kind.title(answer),
        stamp=stamp.lines(),
        sections=kind.sections(answer),
        footer=footer,
        author=record.subject,
    )
    name = f"{kind.name}-report-{record.seq}.pdf"
    return Response(
        render(report),
        media_type="application/pdf",
        headers={
            **headers,
            "X-Export-Record": str(record.seq),
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _code(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None
