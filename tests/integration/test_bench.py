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


def test_the_drift_benchmark_runs_and_a_rescan_reads_only_its_cursor(tmp_path: Path) -> None:
    committed = (BENCH / "results" / "drift.json").read_bytes()
    command = [sys.executable, str(BENCH / "run.py"), "--scale", "smoke", "--only", "drift"]

    done = subprocess.run(
        [*command, "--output", str(tmp_path)], capture_output=True, text=True, timeout=600
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "drift.json").read_text())
    assert result["benchmark"] == "drift" and result["scale"] == "smoke"
    assert {"kinds", "profiles", "results", "machine", "wall_seconds"} <= result.keys()
    [row] = result["results"]
    assert (row["versions"], row["days"], row["windows"]) == (10, 30, 300)
    assert row["injected_found"] == "1 of 1" and row["false_versions"] == []
    assert row["top_causes"] == ["source:bench_s0"]
    # nothing new: the statistics cursor, the statistics after it (none) and the count of
    # open drifts; nothing written
    assert [rows for _, rows in row["rescan_sent"]] == [1, 0, 1]
    assert all(query.startswith(("MATCH", "RETURN")) for query, _ in row["rescan_sent"])
    assert row["incremental_windows"] == 3 * row["versions"]
    assert (tmp_path / "profiles" / "drift-scan.txt").exists()
    assert "## Drift scans" in (tmp_path / "RESULTS.md").read_text()
    assert (BENCH / "results" / "drift.json").read_bytes() == committed


def test_the_experiments_benchmark_runs_and_both_exposure_reads_agree(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH / "run.py"), "--scale", "smoke", "--only", "experiments"]

    done = subprocess.run(
        [*command, "--output", str(tmp_path)], capture_output=True, text=True, timeout=900
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "experiments.json").read_text())
    assert result["benchmark"] == "experiments" and result["scale"] == "smoke"
    loads = result["loads"]
    assert [(n["recommendations"], n["users"], n["users_drawn"]) for n in loads] == [
        (2_000, 200, "demo"),
    ]
    for loaded in loads:
        compared = loaded["exposure_reads"]
        assert compared["same_per_unit_data"] and 0 < compared["units"] < compared["requests"]
        rows = [r for r in result["results"] if r["users_drawn"] == loaded["users_drawn"]]
        assert [(r["approach"].split()[0], r["method"]) for r in rows] == [
            ("request", "fixed"),
            ("per", "fixed"),
            ("request", "cuped"),
            ("per", "cuped"),
            ("request", "sequential"),
        ]
        # every report read the same requests and units, whichever way exposure was read
        assert {(r["requests"], r["units"]) for r in rows} == {
            (compared["requests"], compared["units"])
        }
        cuped = [r for r in rows if r["method"] == "cuped"]
        assert all(r["parts_rows"]["pre-period read"] > 0 for r in cuped)
    assert "## Experiment reports" in (tmp_path / "RESULTS.md").read_text()
