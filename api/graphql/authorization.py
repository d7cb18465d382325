"""Field-level authorization from the access policy, as a schema extension.

The caller's readable fields are computed once per request; each field is then one set
lookup. A denied field answers null with an error whose ``extensions.code`` is
``FORBIDDEN_FIELD`` and whose path names it; the rest of the query still answers. The
access audit's extension (:class:`api.graphql.recording.AccessRecording`) runs inside this
one, so it sees only the fields that were allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

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
        return _next(root, info, *args, **kwargs)


def field_authorization(policy: AccessPolicy) -> type[FieldAuthorization]:
    return type("PolicyFieldAuthorization", (FieldAuthorization,), {"policy": policy})
