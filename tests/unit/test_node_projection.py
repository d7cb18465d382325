"""The node projection (``id``, ``labels``, ``props``) is written once, in store/reads.py."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "graph_lineage" / "store" / "reads.py"
BY_HAND = re.compile(
    r"elementId\(\w+\)\s+AS\s+id\b|\bid:\s*elementId\(|labels\(\w+\)\s+AS\s+labels"
)


def test_no_query_projects_a_node_by_hand() -> None:
    sources = [*(ROOT / "graph_lineage").rglob("*.py"), *(ROOT / "api").rglob("*.py")]
    written = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        if path != HOME
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if BY_HAND.search(line)
    ]
    assert written == []
