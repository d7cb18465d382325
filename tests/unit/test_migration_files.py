from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph_lineage.errors import MigrationError
from graph_lineage.settings import Settings
from graph_lineage.store import LINEAGE_LABELS, load_migrations
from graph_lineage.store.migrations import split_statements


def test_statements_split_on_top_level_semicolons_only() -> None:
    text = """
    // a comment; not a statement
    CREATE (:A {note: 'semi; colon'});
    /* block; comment */ CREATE (:B {q: "it\\"s; fine"});
    MATCH (n:`odd;label`) RETURN n
    """

    assert split_statements(text) == [
        "CREATE (:A {note: 'semi; colon'})",
        'CREATE (:B {q: "it\\"s; fine"})',
        "MATCH (n:`odd;label`) RETURN n",
    ]


def test_migrations_load_in_version_order(tmp_path: Path) -> None:
    (tmp_path / "0002_second.cypher").write_text("RETURN 2;")
    (tmp_path / "0001_first.cypher").write_text("RETURN 1;")

    assert [m.name for m in load_migrations(tmp_path)] == ["first", "second"]


@pytest.mark.parametrize("name", ["1_short.cypher", "0001-dash.cypher", "0001_Upper.cypher"])
def test_badly_named_files_are_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("RETURN 1;")

    with pytest.raises(MigrationError, match="NNNN_snake_case_name"):
        load_migrations(tmp_path)


def test_two_files_with_one_version_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.cypher").write_text("RETURN 1;")
    (tmp_path / "0001_b.cypher").write_text("RETURN 1;")

    with pytest.raises(MigrationError, match=r"share version\(s\) \[1\]"):
        load_migrations(tmp_path)


def test_an_empty_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_empty.cypher").write_text("// nothing yet\n")

    with pytest.raises(MigrationError, match="holds no Cypher"):
        load_migrations(tmp_path)


def test_migrations_make_uid_unique_for_every_lineage_label() -> None:
    statements = [s for m in load_migrations(Settings().migrations_dir) for s in m.statements]
    created = {
        match.group(1): match.group(2)
        for statement in statements
        if (
            match := re.search(
                r"CREATE CONSTRAINT (\w+) IF NOT EXISTS FOR \(n:(\w+)\) REQUIRE n\.uid IS UNIQUE",
                statement,
            )
        )
    }
    dropped = {
        match.group(1)
        for statement in statements
        if (match := re.search(r"DROP CONSTRAINT (\w+) IF EXISTS", statement))
    }

    assert {label for name, label in created.items() if name not in dropped} == {
        str(label) for label in LINEAGE_LABELS
    }
    schema = [s for s in statements if re.match(r"\s*(//.*\n\s*)*(CREATE|DROP) ", s)]
    assert all(re.search(r"IF (NOT )?EXISTS", statement) for statement in schema)
