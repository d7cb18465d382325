"""bench/run.py at its smoke scale, so the benchmarks cannot break unseen (its numbers are
not checked: benchmarks measure speed, tests check that they run)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_ingest_benchmark_runs_and_writes_its_results_elsewhere(tmp_path: Path) -> None:
    committed = (BENCH / "results" / "ingest.json").read_bytes()
    command = [sys.executable, str(BENCH / "run.py"), "--scale", "smoke", "--only", "ingest"]

    done = subprocess.run(
        [*command, "--output", str(tmp_path)], capture_output=True, text=True, timeout=600
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "ingest.json").read_text())
    assert result["benchmark"] == "ingest" and result["scale"] == "smoke"
    assert {"recommendations", "results", "machine", "wall_seconds"} <= result.keys()
    assert [r["way"] for r in result["results"]] == ["ceiling", "writer", "http", "collector"]
    assert all(r["same_graph"] for r in result["results"])
    assert "## " in (tmp_path / "RESULTS.md").read_text()
    assert (BENCH / "results" / "ingest.json").read_bytes() == committed
