"""Support for the policy tests: ask for every field there is, then check an answer cell by cell.

``Schema`` builds, from introspection, a selection of every field of a type (nodes through
one fragment that names every node type, the nodes inside a node through a second one that
names every scalar field of every node type). ``check`` walks an answer and compares, for each
object in it, the fields that answered an error with those the policy denies the role.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.settings import Settings

from ..conftest import bearer

_TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
INTROSPECTION = f"""{{ __schema {{ types {{ name kind possibleTypes {{ name }}
  fields(includeDeprecated: true) {{ name type {{ {_TYPE_REF} }} }} }} }} }}"""
NODE_INTERFACE = "LineageNode"
LEAF_FRAGMENT = "fragment Leaf on LineageNode"


def _unwrap(ref: dict[str, Any]) -> dict[str, Any]:
    while ref["kind"] in ("NON_NULL", "LIST"):
        ref = ref["ofType"]
    return ref


@dataclass
class Schema:
    types: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, client: TestClient, headers: dict[str, str]) -> Schema:
        body = client.post("/graphql", json={"query": INTROSPECTION}, headers=headers).json()
        return cls({t["name"]: t for t in body["data"]["__schema"]["types"]})

    def node_types(self) -> list[str]:
        return sorted(t["name"] for t in self.types[NODE_INTERFACE]["possibleTypes"])

    def selection(self, type_name: str, *, nested_nodes: bool = True) -> str:
        """Every field of ``type_name``; lineage nodes through the ``All`` fragment.

        With ``nested_nodes`` False (inside a node): lineage nodes through ``Leaf``.
        """
        parts = ["__typename"]
        for field_ in self.types[type_name]["fields"]:
            target = _unwrap(field_["type"])
            if target["kind"] in ("SCALAR", "ENUM"):
                parts.append(field_["name"])
            elif target["name"] == NODE_INTERFACE or target["name"] in self.node_types():
                inner = "...All" if nested_nodes else "...Leaf"  # a node type: as any node
                parts.append(f"{field_['name']} {{ {inner} }}")
            else:
                parts.append(f"{field_['name']} {{ {self.selection(target['name'])} }}")
        return " ".join(parts)

    def _scalars(self, type_name: str) -> str:
        fields = self.types[type_name]["fields"]
        scalar = [f["name"] for f in fields if _unwrap(f["type"])["kind"] in ("SCALAR", "ENUM")]
        return " ".join(["__typename", *scalar])

    def fragment(self) -> str:
        """``fragment All``: every field of every node type, and ``Leaf`` for nodes in it."""
        cases = " ".join(
            f"... on {name} {{ {self.selection(name, nested_nodes=False)} }}"
            for name in self.node_types()
        )
        leaves = " ".join(
            f"... on {name} {{ {self._scalars(name)} }}" for name in self.node_types()
        )
        return (
            f"fragment All on {NODE_INTERFACE} {{ __typename {cases} }}"
            f" {LEAF_FRAGMENT} {{ __typename {leaves} }}"
        )


def hiding(settings: Settings, tmp_path: Path, type_names: Iterable[str]) -> Settings:
    """The shipped policy, except that only admins may read the fields of ``type_names``."""
    schema_dir = tmp_path / "schema"
    shutil.copytree(settings.schema_dir, schema_dir)
    policy_file = schema_dir / "access-policy.toml"
    policy = policy_file.read_text()
    for type_name in type_names:
        section = re.search(rf"\[types\.{type_name}\]\n(.*?)\n\n", policy, re.DOTALL)
        assert section is not None, type_name
        fields = [line.split(" = ")[0] for line in section.group(1).splitlines()]
        admins_only = "\n".join(f'{name} = ["admin"]' for name in fields)
        policy = policy.replace(section.group(1), admins_only)
    policy_file.write_text(policy)
    return settings.model_copy(update={"schema_dir": schema_dir})


@dataclass
class Cells:
    """Policy cells seen answered (value or FORBIDDEN_FIELD), per role."""

    seen: dict[Role, set[tuple[str, str]]] = field(default_factory=dict)

    def add(self, role: Role, type_name: str, field_name: str) -> None:
        self.seen.setdefault(role, set()).add((type_name, field_name))


def ask(client: TestClient, settings: Any, role: Role, query: str) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query}, headers=bearer(settings, role.value))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def check(
    body: dict[str, Any],
    role: Role,
    policy: AccessPolicy,
    node_types: list[str],
    cells: Cells,
    root: str = "Query",
) -> None:
    """Each object answers exactly the fields the policy grants ``role``; nothing else fails.

    ``root``: the operation's root type (``Mutation`` for a mutation)."""
    errors = body.get("errors", [])
    for error in errors:
        assert error.get("extensions", {}).get("code") == "FORBIDDEN_FIELD", error
    denied: dict[tuple[Any, ...], set[str]] = {}
    for error in errors:
        *parent, name = error["path"]
        denied.setdefault(tuple(parent), set()).add(name)
    checked: set[tuple[Any, ...]] = set()
    # A denied non-null root field nulls the whole answer.
    data = body["data"] if body["data"] is not None else {e["path"][0]: None for e in errors}
    _walk(data, root, (), role, policy, node_types, denied, cells, checked)
    assert set(denied) <= checked, f"errors outside any answered object: {denied}"


def _walk(
    value: Any,
    type_name: str,
    path: tuple[Any, ...],
    role: Role,
    policy: AccessPolicy,
    node_types: list[str],
    denied: dict[tuple[Any, ...], set[str]],
    cells: Cells,
    checked: set[tuple[Any, ...]],
) -> None:
    roles = frozenset({role})
    if type_name in node_types:
        assert policy.may_read(roles, type_name, "uid"), f"{role}: a hidden {type_name} at {path}"
    fields = {name for name in value if name != "__typename"}
    expected = {name for name in fields if not policy.may_read(roles, type_name, name)}
    assert denied.get(path, set()) == expected, (role, type_name, path)
    checked.add(path)
    for name in fields:
        cells.add(role, type_name, name)
        child = value[name]
        items = list(enumerate(child)) if isinstance(child, list) else [(None, child)]
        for index, item in items:
            if isinstance(item, dict) and "__typename" in item:
                where = (*path, name) if index is None else (*path, name, index)
                _walk(
                    item,
                    item["__typename"],
                    where,
                    role,
                    policy,
                    node_types,
                    denied,
                    cells,
                    checked,
                )
