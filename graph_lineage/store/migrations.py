"""Schema migrations: ``schema/migrations/NNNN_name.cypher``, applied in order, recorded.

Each applied migration is a ``(:SchemaMigration {version, name, checksum, applied_at})``
node. Applying twice changes nothing; a migration whose file changed after it was applied
is an error naming it, because the database no longer matches what the file says.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from graph_lineage.errors import MigrationError, StoreError
from graph_lineage.store.connection import Store

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.cypher$")

BOOTSTRAP = (
    "CREATE CONSTRAINT schema_migration_version IF NOT EXISTS "
    "FOR (m:SchemaMigration) REQUIRE m.version IS UNIQUE"
)
APPLIED = """
MATCH (m:SchemaMigration)
RETURN m.version AS version, m.name AS name, m.checksum AS checksum
ORDER BY m.version
"""
RECORD = """
MERGE (m:SchemaMigration {version: $version})
ON CREATE SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime()
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    checksum: str
    statements: tuple[str, ...]

    @classmethod
    def from_file(cls, path: Path) -> Migration:
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: migration files are named NNNN_snake_case_name.cypher"
            )
        text = path.read_text(encoding="utf-8")
        statements = tuple(split_statements(text))
        if not statements:
            raise MigrationError(f"{path.name} holds no Cypher statement")
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(int(match.group(1)), match.group(2), path, checksum, statements)


@dataclass(frozen=True)
class MigrationStatus:
    applied: list[int] = field(default_factory=list)
    pending: list[Migration] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return not (self.pending or self.changed)

    def problem(self) -> str | None:
        if self.changed:
            return "applied migrations changed since: " + ", ".join(self.changed)
        if self.pending:
            names = ", ".join(m.path.name for m in self.pending)
            return f"pending migrations: {names} (run `graph-lineage migrate`)"
        return None


def load_migrations(folder: Path) -> list[Migration]:
    """Every migration in ``folder``, in version order; duplicate versions are an error."""
    if not folder.is_dir():
        raise MigrationError(f"migrations folder {folder} does not exist")
    migrations = [Migration.from_file(path) for path in sorted(folder.glob("*.cypher"))]
    versions = [m.version for m in migrations]
    duplicates = sorted({v for v in versions if versions.count(v) > 1})
    if duplicates:
        raise MigrationError(f"two migration files share version(s) {duplicates} in {folder}")
    return migrations


def migration_status(store: Store, folder: Path) -> MigrationStatus:
    """Compare the migration files with what the database records; reads only."""
    on_disk = {m.version: m for m in load_migrations(folder)}
    recorded = {row["version"]: row for row in store.read(APPLIED)}
    changed = [
        on_disk[v].path.name
        for v, row in recorded.items()
        if v in on_disk and row["checksum"] != on_disk[v].checksum
    ]
    return MigrationStatus(
        applied=sorted(recorded),
        pending=[m for v, m in sorted(on_disk.items()) if v not in recorded],
        changed=changed,
        unknown=sorted(v for v in recorded if v not in on_disk),
    )


def migrate(store: Store, folder: Path) -> list[Migration]:
    """Apply every pending migration in order; return those applied now."""
    store.run_schema(BOOTSTRAP)
    status = migration_status(store, folder)
    if status.changed:
        raise MigrationError(
            f"{', '.join(status.changed)} changed after it was applied. Restore the file and add"
            " a new migration for the change instead."
        )
    for migration in status.pending:
        for statement in migration.statements:
            try:
                store.run_schema(statement)
            except StoreError as error:
                raise MigrationError(f"{migration.path.name} failed: {error}") from error
        store.write(
            RECORD, version=migration.version, name=migration.name, checksum=migration.checksum
        )
    return status.pending


def split_statements(text: str) -> list[str]:
    """Split Cypher on top-level ``;``, ignoring those in strings, names and comments."""
    statements, current, index, quote = [], [], 0, ""
    while index < len(text):
        char = text[index]
        if quote:
            current.append(char)
            if char == "\\" and quote != "`" and index + 1 < len(text):
                current.append(text[index + 1])
                index += 1
            elif char == quote:
                quote = ""
        elif text.startswith("//", index):
            index = text.find("\n", index)
            index = len(text) if index < 0 else index
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = len(text) if end < 0 else end + 2
            continue
        elif char == ";":
            statements.append("".join(current))
            current = []
        else:
            if char in "'\"`":
                quote = char
            current.append(char)
        index += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]
