from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph_lineage.errors import MigrationError
from graph_lineage.settings import Settings
from graph_lineage.store import LINEAGE_LABELS, Store, migrate, migration_status

CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type RETURN *"
INDEXES = "SHOW INDEXES YIELD name RETURN name ORDER BY name"
MIGRATIONS = "MATCH (m:SchemaMigration) RETURN m.version AS v, m.checksum AS c ORDER BY v"


def test_migrations_make_uid_unique_for_every_lineage_label(
    store: Store, settings: Settings
) -> None:
    applied = migrate(store, settings.migrations_dir)

    assert applied[0].version == 1
    unique_uid = {
        row["labelsOrTypes"][0]
        for row in store.read(CONSTRAINTS)
        if row["type"] == "UNIQUENESS" and row["properties"] == ["uid"]
    }
    assert unique_uid == {str(label) for label in LINEAGE_LABELS}


def test_applying_twice_changes_nothing(store: Store, settings: Settings) -> None:
    migrate(store, settings.migrations_dir)
    constraints, indexes, records = (
        store.read(CONSTRAINTS),
        store.read(INDEXES),
        store.read(MIGRATIONS),
    )

    assert migrate(store, settings.migrations_dir) == []
    assert store.read(CONSTRAINTS) == constraints
    assert store.read(INDEXES) == indexes
    assert store.read(MIGRATIONS) == records
    assert migration_status(store, settings.migrations_dir).current


def test_each_migration_is_recorded_with_its_checksum(store: Store, settings: Settings) -> None:
    applied = migrate(store, settings.migrations_dir)

    assert store.read(MIGRATIONS) == [{"v": m.version, "c": m.checksum} for m in applied]


def test_a_changed_applied_migration_is_an_error_naming_it(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(settings.migrations_dir, folder)
    migrate(store, folder)
    first = folder / "0001_uid_constraints.cypher"
    first.write_text(first.read_text() + "\n// edited after it was applied\n")

    with pytest.raises(MigrationError, match=r"0001_uid_constraints.cypher"):
        migrate(store, folder)
    assert migration_status(store, folder).changed == ["0001_uid_constraints.cypher"]


def test_new_migrations_apply_in_order_after_old_ones(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(settings.migrations_dir, folder)
    migrate(store, folder)
    (folder / "9998_first.cypher").write_text("CREATE (:Marker {step: 1});")
    (folder / "9999_second.cypher").write_text(
        "MATCH (m:Marker {step: 1}) CREATE (:Marker {step: 2, after: m.step});"
    )

    applied = migrate(store, folder)

    assert [m.version for m in applied] == [9998, 9999]
    assert store.read("MATCH (m:Marker {step: 2}) RETURN m.after AS after") == [{"after": 1}]


def test_a_failing_migration_is_reported_and_not_recorded(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_broken.cypher").write_text("CREATE CONSTRAINT oops FOR (n:X) REQUIRE;")

    with pytest.raises(MigrationError, match=r"0001_broken.cypher failed"):
        migrate(store, folder)
    assert [m.path.name for m in migration_status(store, folder).pending] == ["0001_broken.cypher"]


def test_audit_runs_become_run_records_with_record_uids(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in sorted(settings.migrations_dir.glob("000[1-5]_*.cypher")):
        shutil.copy(path, folder)
    migrate(store, folder)
    store.write(
        "CREATE (:AuditRun {uid: 'audit:erasure/2026-11-01T00:00:00.000000Z-abcdef',"
        " kind: 'erasure', status: 'finished'})"
    )
    shutil.copy(settings.migrations_dir / "0006_run_records.cypher", folder)

    assert [m.version for m in migrate(store, folder)] == [6]
    rows = store.read("MATCH (n) WHERE n.kind = 'erasure' RETURN labels(n) AS labels, n.uid AS uid")
    assert rows == [
        {"labels": ["RunRecord"], "uid": "record:erasure/2026-11-01T00:00:00.000000Z-abcdef"}
    ]
    constrained = {
        row["labelsOrTypes"][0] for row in store.read(CONSTRAINTS) if row["type"] == "UNIQUENESS"
    }
    assert "RunRecord" in constrained and "AuditRun" not in constrained
