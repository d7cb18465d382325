"""What the caller may see of the graph, from the access policy, computed once per role set.

A kind of node is visible to a role exactly when the policy lets that role read the ``uid``
of the GraphQL type it is served as: a caller who may not read ``Recommendation.uid`` gets
lineage with recommendations left out and counted (see graph_lineage.lineage.visibility).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from api.graphql.authorization import forbidden
from api.graphql.nodes import type_name_of
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy, Field
from graph_lineage.lineage.visibility import Visibility
from graph_lineage.store.labels import Label


def _roles(info: Any) -> frozenset[Role]:
    caller = info.context.caller
    return caller.roles if caller is not None else frozenset()


@cache
def visibility_for(policy: AccessPolicy, roles: frozenset[Role]) -> Visibility:
    """The kinds of node hidden from callers holding ``roles`` under ``policy``."""
    hidden = {
        str(label) for label in Label if not policy.may_read(roles, type_name_of(label), "uid")
    }
    return Visibility(hidden=frozenset(hidden))


def require_readable(info: Any, needed: Iterable[Field], purpose: str) -> None:
    """Refuse an argument that would probe fields the caller may not read."""
    roles = _roles(info)
    for type_name, field_name in needed:
        if not info.context.policy.may_read(roles, type_name, field_name):
            raise forbidden(f"{type_name}.{field_name} (needed to {purpose})")
