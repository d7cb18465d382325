"""The field access policy (``schema/access-policy.toml``): who may read each field.

Deny by default: a field without a rule is readable by no one. Rights are computed once
per set of roles, as the set of ``(type, field)`` pairs those roles may read.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graph_lineage.auth.principal import Role
from graph_lineage.errors import ConfigurationError

Field = tuple[str, str]


@dataclass(frozen=True, eq=False)
class AccessPolicy:
    rules: dict[Field, frozenset[Role]]

    @classmethod
    def load(cls, path: Path) -> AccessPolicy:
        try:
            document = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigurationError(f"cannot read the access policy {path}: {error}") from error
        groups = {
            name: _roles(members, {}, name) for name, members in document.get("groups", {}).items()
        }
        rules: dict[Field, frozenset[Role]] = {}
        for type_name, fields in document.get("types", {}).items():
            for field_name, allowed in fields.items():
                rules[(type_name, field_name)] = _roles(
                    allowed, groups, f"{type_name}.{field_name}"
                )
        return cls(rules)

    def readable(self, roles: frozenset[Role]) -> frozenset[Field]:
        """Every field that at least one of ``roles`` may read."""
        return _readable(self, roles)

    def may_read(self, roles: frozenset[Role], type_name: str, field_name: str) -> bool:
        return bool(self.rules.get((type_name, field_name), frozenset()) & roles)


@cache
def _readable(policy: AccessPolicy, roles: frozenset[Role]) -> frozenset[Field]:
    return frozenset(field for field, allowed in policy.rules.items() if allowed & roles)


def _roles(names: object, groups: dict[str, frozenset[Role]], where: str) -> frozenset[Role]:
    if not isinstance(names, list):
        raise ConfigurationError(f"access policy: {where} must be a list of roles or groups")
    roles: set[Role] = set()
    for name in names:
        if name in groups:
            roles |= groups[name]
        elif name in {role.value for role in Role}:
            roles.add(Role(name))
        else:
            raise ConfigurationError(f"access policy: {where} names {name!r}, no role or group")
    return frozenset(roles)
