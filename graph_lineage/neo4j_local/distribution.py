"""Neo4j Community from Maven Central, kept in a cache folder shared by every checkout.

The server is the ``org.neo4j:neo4j`` artifact and its runtime dependencies, plus
``org.neo4j.client:neo4j-browser`` so the HTTP connector serves Neo4j Browser at
``/browser/``. Maven copies the jars into ``<cache>/neo4j-<version>/lib`` once; a marker
file says the copy completed, so later starts reuse it without touching the network.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from graph_lineage.errors import LocalNeo4jError
from graph_lineage.neo4j_local.prerequisites import find_maven

DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>graph-lineage.local</groupId>
  <artifactId>neo4j-server</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j.client</groupId><artifactId>neo4j-browser</artifactId>
      <version>{browser_version}</version>
    </dependency>
  </dependencies>
</project>
"""


def distribution_dir(cache_dir: Path, version: str) -> Path:
    return cache_dir / f"neo4j-{version}"


def is_installed(cache_dir: Path, version: str) -> bool:
    return (distribution_dir(cache_dir, version) / ".complete").exists()


def ensure_distribution(
    cache_dir: Path, version: str, browser_version: str, log: Callable[[str], None] | None = None
) -> Path:
    """The folder of Neo4j's jars, downloading them with Maven the first time."""
    target = distribution_dir(cache_dir, version)
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            if log:
                log(f"Downloading Neo4j {version} from Maven Central into {target} (once)...")
            _download(target, version, browser_version)
            (target / ".complete").write_text(f"{version}\n{browser_version}\n")
    return target / "lib"


def _download(target: Path, version: str, browser_version: str) -> None:
    mvn = find_maven()
    lib = target / "lib"
    shutil.rmtree(lib, ignore_errors=True)
    (target / "pom.xml").write_text(_POM.format(version=version, browser_version=browser_version))
    command = [
        str(mvn), "-B", "-q", "-f", str(target / "pom.xml"),
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime", f"-DoutputDirectory={lib}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        raise LocalNeo4jError(
            f"Maven could not obtain Neo4j {version} (exit {result.returncode}). Check that Maven"
            " Central is reachable. Last lines of Maven's output:\n" + "\n".join(output[-20:])
        )
