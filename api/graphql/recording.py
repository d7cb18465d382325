"""The access log of /graphql: each operation is recorded before its answer leaves.

While an operation executes, :class:`AccessRecording` notes its name and the lineage nodes
and edges it reads fields of (:class:`~api.graphql.observations.AccessObservations`); it runs
inside field authorization, so a denied field notes nothing. Once the operation is done,
:func:`record_operation` adds what the result says (denied field paths, error codes, how it
ended) and appends the record. When the record cannot be written the answer is dropped:
:class:`~graph_lineage.errors.AccessNotRecorded` becomes a ``503`` with ``Retry-After``
(fail closed). When the operation itself found Neo4j unavailable, its record is tried
once, not retried: the caller gets a ``503`` either way and should get it at once.
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
from api.graphql.drift import DriftSignalSeries
from api.graphql.experiments import returned_uids
from api.graphql.graph import LineageEdge
from api.graphql.nodes import LineageNode
from api.graphql.outages import RETRY_AFTER_SECONDS, STORE_UNAVAILABLE
from graph_lineage import access_log
from graph_lineage.access_log import AccessRecord
from graph_lineage.errors import AccessNotRecorded, LineageError

NOT_ALLOWED = "OPERATION_NOT_ALLOWED"  # refused before execution, e.g. a mutation over GET


class AccessRecording(SchemaExtension):
    """Notes, for the access record, the operation that runs and whose data it reads.

    Reading a field of a lineage node or edge sends that node's or edge's data, and of a
    drift report's series, the data of its subject's windows, and of an experiment report,
    the experiment, its variants, what its arms served and what changed (its integrity
    checks' example requests when they are read). Put it
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
            elif isinstance(root, DriftSignalSeries) and root.subject:
                access.returned(root.subject)  # a drift report tells of its windows
            elif uids := returned_uids(root, info.field_name):
                access.returned(*uids)  # an experiment report tells of its nodes' traffic
        return _next(root, info, *args, **kwargs)


def unrecorded_response(unrecorded: AccessNotRecorded) -> JSONResponse:
    """The ``503`` answer to an operation whose access record could not be written.

    The body holds a GraphQL ``errors`` list (``extensions.code`` ``STORE_UNAVAILABLE`` when
    Neo4j is unavailable, else ``AUDIT_UNAVAILABLE``) beside ``error`` and ``detail``.
    """
    detail = (
        f"every answer is recorded in the access log first, and {unrecorded}, so nothing"
        f" was answered. Try again in {RETRY_AFTER_SECONDS} s; /readyz tells when the store"
        " is back."
    )
    code = STORE_UNAVAILABLE if unrecorded.retryable else "AUDIT_UNAVAILABLE"
    errors = [{"message": detail, "extensions": {"code": code}}]
    return JSONResponse(
        {"errors": errors, "error": "audit_unavailable", "detail": detail},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def record_operation(
    context: RequestContext,
    request: GraphQLRequestData,
    started: datetime,
    result: ExecutionResult | None,
    *,
    store_unavailable: bool = False,
) -> AccessRecord:
    """Append the record of one operation and return it with its seq; ``result`` None:
    refused before execution.

    ``store_unavailable``: the operation found Neo4j down, so the record is tried once.
    """
    record = access_record(context, request, started, result)
    try:
        if store_unavailable:
            (written,) = await run_in_threadpool(
                access_log.append_all, context.store, [record], 0.0
            )
            return written
        return await run_in_threadpool(access_log.append, context.store, record)
    except LineageError as error:
        raise AccessNotRecorded(error) from error


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
        subject=caller.subject if caller else access_log.ANONYMOUS,
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
