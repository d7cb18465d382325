"""Clear errors when Java or Maven are missing (real lookups on a trimmed PATH)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_lineage.errors import PrerequisiteMissing
from graph_lineage.neo4j_local.distribution import ensure_distribution
from graph_lineage.neo4j_local.prerequisites import find_java


def test_missing_java_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(PrerequisiteMissing, match=r"Java was not found. Install OpenJDK 17"):
        find_java()


def test_too_old_java_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_home = tmp_path / "jdk8"
    (fake_home / "bin").mkdir(parents=True)
    java = fake_home / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"1.8.0_392\"' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(fake_home))

    with pytest.raises(PrerequisiteMissing, match=r"is Java 8; Neo4j 5.26 needs Java 17"):
        find_java()


def test_missing_maven_is_reported_before_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(PrerequisiteMissing, match=r"Maven \(mvn\) was not found"):
        ensure_distribution(tmp_path / "cache", "5.26.30", "5.24.0")
    assert not (tmp_path / "cache" / "neo4j-5.26.30" / ".complete").exists()
