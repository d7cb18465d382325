"""The access audit of /graphql: each operation is recorded before its answer leaves.

While an operation executes, :class:`AccessRecording` notes its name and the lineage nodes
and edges it reads fields of (:class:`~api.graphql.observations.AccessObservations`); it runs
inside field authorization, so a denied field notes nothing. Once the operation is done,
:func:`record_operation` adds what the result says (denied field paths, error codes, how it
ended) and appends the record. When the record cannot be written the answer is dropped:
:class:`AccessNotRecorded` becomes a ``503`` with ``Retry-After`` (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from graphql import GraphQLError
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from strawberry.extensions import SchemaExtension
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from api.graphql.authorization import FORBIDDEN
from api.graphql.context import RequestContext
from api.graphql.graph import LineageEdge
from api.graphql.nodes import LineageNode
from graph_lineage.errors import LineageError
from graph_lineage.governance import access_log
from graph_lineage.governance.access_log import AccessRecord

RETRY_AFTER_SECONDS = 5
NOT_ALLOWED = "OPERATION_NOT_ALLOWED"  # refused before execution, e.g. a mutation over GET


class AccessRecording(SchemaExtension):
    """Notes, for the access record, the operation that runs and whose data it reads.

    Reading a field of a lineage node or edge sends that node's or edge's data. Put it
    before field authorization in the schema's extensions: the last is the outermost.
    """

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        access = getattr(execution.context, "access", None)
        if access is not None:
            access.operation_name = execution.operation_name
            access.operation_type = execution.operation_type.value
        yield

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        access = getattr(info.context, "access", None)
        if access is not None:
            if isinstance(root, LineageNode):
                access.returned(root.uid)
            elif isinstance(root, LineageEdge):
                access.returned(root.source, root.target)
        return _next(root, info, *args, **kwargs)


class AccessNotRecorded(Exception):
    """The access record of an operation could not be written, so it gets no answer."""

    def response(self) -> JSONResponse:
        cause = self.__cause__
        retryable = isinstance(cause, LineageError) and cause.retryable
        why = "its store is unavailable" if retryable else "writing the record failed"
        detail = (
            "every answer is recorded in the access audit first, and the audit cannot record"
            f" this operation ({why}), so nothing was answered. Try again in"
            f" {RETRY_AFTER_SECONDS} s; /readyz tells when the store is back."
        )
        return JSONResponse(
            {"error": "audit_unavailable", "detail": detail},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


async def record_operation(
    context: RequestContext,
    request: GraphQLRequestData,
    started: datetime,
    result: ExecutionResult | None,
) -> None:
    """Append the record of one operation; ``result`` None: refused before execution."""
    record = access_record(context, request, started, result)
    try:
        await run_in_threadpool(access_log.append, context.store, record)
    except LineageError as error:
        raise AccessNotRecorded() from error


def access_record(
    context: RequestContext,
    request: GraphQLRequestData,
    started: datetime,
    result: ExecutionResult | None,
) -> AccessRecord:
    caller, seen = context.caller, context.access
    errors = (result.errors or []) if result is not None else []
    return AccessRecord.build(
        at=started,
        subject=caller.subject if caller else "(anonymous)",
        roles=[role.value for role in caller.roles] if caller else [],
        auth_method=caller.method if caller else None,
        operation_name=seen.operation_name or request.operation_name,
        operation_type=seen.operation_type,
        document=request.query or "",
        variables=request.variables,
        returned_uids=seen.uids,
        denied_fields=[_path(error) for error in errors if _code(error) == FORBIDDEN],
        error_codes=[_code(error) for error in errors] if result is not None else [NOT_ALLOWED],
        outcome=_outcome(result),
    )


def _outcome(result: ExecutionResult | None) -> str:
    if result is None:
        return access_log.REFUSED
    errors = result.errors or []
    if not errors:
        return access_log.ANSWERED
    if result.data is not None:
        return access_log.PARTIAL
    executed = any(error.path is not None for error in errors)
    return access_log.FAILED if executed else access_log.REFUSED


def _code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    return "INVALID_DOCUMENT" if error.path is None else "FIELD_ERROR"


def _path(error: GraphQLError) -> str:
    return ".".join(str(step) for step in error.path or ())
