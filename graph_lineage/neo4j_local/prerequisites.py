"""Finding Java 17+ and Maven, with errors that say how to get them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from graph_lineage.errors import PrerequisiteMissing

MIN_JAVA = 17
_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


@dataclass(frozen=True)
class Java:
    executable: Path
    major: int


def find_java() -> Java:
    """The java of ``JAVA_HOME`` if set, else the one on PATH; 17 or newer."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    if candidate is None or not candidate.exists():
        found = shutil.which("java")
        candidate = Path(found) if found else None
    if candidate is None:
        raise PrerequisiteMissing(
            "Java was not found. Install OpenJDK 17 (Debian: apt-get install"
            " openjdk-17-jdk-headless) or set JAVA_HOME to a JDK 17 or newer."
        )
    major = java_major_version(candidate)
    if major < MIN_JAVA:
        raise PrerequisiteMissing(
            f"{candidate} is Java {major}; Neo4j 5.26 needs Java {MIN_JAVA} or newer."
            " Install OpenJDK 17 or point JAVA_HOME at it."
        )
    return Java(candidate, major)


def java_major_version(java: Path) -> int:
    result = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, timeout=60, check=False
    )
    match = _VERSION.search(result.stderr + result.stdout)
    if not match:
        raise PrerequisiteMissing(f"could not read the version of {java}: {result.stderr.strip()}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_maven() -> Path:
    found = shutil.which("mvn")
    if not found:
        raise PrerequisiteMissing(
            "Maven (mvn) was not found; it downloads Neo4j from Maven Central the first time."
            " Install it (Debian: apt-get install maven) and start again."
        )
    return Path(found)
