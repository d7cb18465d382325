"""Deny by default: every field of the schema has a rule, and every rule a field."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType

from api.graphql import schema
from graph_lineage.auth import Role
from graph_lineage.auth.policy import AccessPolicy
from graph_lineage.errors import ConfigurationError
from graph_lineage.settings import Settings

POLICY = AccessPolicy.load(Settings().access_policy_file)


def _schema_fields() -> set[tuple[str, str]]:
    result = schema.execute_sync(
        "{ __schema { types { name kind fields(includeDeprecated: true) { name } } } }"
    )  # introspection, as a client sees the schema
    assert result.data is not None
    return {
        (t["name"], f["name"])
        for t in result.data["__schema"]["types"]
        if t["kind"] in ("OBJECT", "INTERFACE") and not t["name"].startswith("__")
        for f in t["fields"] or []
    }


def test_every_field_of_the_schema_has_a_rule() -> None:
    missing = _schema_fields() - set(POLICY.rules)
    assert not missing, f"fields without a rule in schema/access-policy.toml: {sorted(missing)}"


def test_every_rule_names_a_field_that_exists() -> None:
    stale = set(POLICY.rules) - _schema_fields()
    assert not stale, f"rules for fields that do not exist: {sorted(stale)}"


def test_producers_read_nothing_and_people_data_is_narrow() -> None:
    assert POLICY.readable(frozenset({Role.PRODUCER})) == frozenset()
    for role in (Role.VIEWER, Role.ENGINEER):
        assert not POLICY.may_read(frozenset({role}), "Recommendation", "userPseudonym")
    assert POLICY.may_read(frozenset({Role.AUDITOR}), "Recommendation", "userPseudonym")


def test_unknown_roles_in_the_policy_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text('[types.Query]\nabout = ["wizard"]\n')

    with pytest.raises(ConfigurationError, match="names 'wizard', no role or group"):
        AccessPolicy.load(tmp_path / "p.toml")


def test_types_are_walked_as_objects_and_interfaces() -> None:
    kinds = {type(t) for t in schema._schema.type_map.values()}
    assert GraphQLObjectType in kinds and GraphQLInterfaceType in kinds
