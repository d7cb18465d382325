"""Field-level authorization from the access policy, as a schema extension.

The caller's readable fields are computed once per request; each field is then one set
lookup. A denied field answers null with an error whose ``extensions.code`` is
``FORBIDDEN_FIELD`` and whose path names it; the rest of the query still answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from api.graphql.graph import LineageEdge
from api.graphql.nodes import LineageNode
from graph_lineage.auth.policy import AccessPolicy, Field

FORBIDDEN = "FORBIDDEN_FIELD"


def forbidden(what: str) -> GraphQLError:
    return GraphQLError(f"not allowed to read {what}", extensions={"code": FORBIDDEN})


class FieldAuthorization(SchemaExtension):
    policy: AccessPolicy  # set on the subclass made for one schema

    def on_execute(self) -> Iterator[None]:
        caller = getattr(self.execution_context.context, "caller", None)
        roles = caller.roles if caller is not None else frozenset()
        self.readable: frozenset[Field] = self.policy.readable(roles)
        _note_operation(self.execution_context)
        yield

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        field = (info.parent_type.name, info.field_name)
        introspection = field[0].startswith("__") or field[1].startswith("__")
        if field not in self.readable and not introspection:
            raise forbidden(f"{field[0]}.{field[1]}")
        _note_returned(info.context, root)
        return _next(root, info, *args, **kwargs)


def _note_operation(execution: ExecutionContext) -> None:
    """For the access audit: the name and type of the operation that runs."""
    access = getattr(execution.context, "access", None)
    if access is not None:
        access.operation_name = execution.operation_name
        access.operation_type = execution.operation_type.value


def _note_returned(context: Any, root: Any) -> None:
    """For the access audit: reading a field of a lineage node or edge sends its data."""
    access = getattr(context, "access", None)
    if access is None:
        return
    if isinstance(root, LineageNode):
        access.returned(root.uid)
    elif isinstance(root, LineageEdge):
        access.returned(root.source, root.target)


def field_authorization(policy: AccessPolicy) -> type[FieldAuthorization]:
    return type("PolicyFieldAuthorization", (FieldAuthorization,), {"policy": policy})
