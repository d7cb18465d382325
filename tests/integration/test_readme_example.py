"""The README's first query, run as written."""

from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.testclient import TestClient

from api import create_app
from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import bearer

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_first_query_of_the_readme_answers(store: Store, settings: Settings) -> None:
    body = re.search(r"-d '(\{\"query\".*?\})'", README)
    assert body, "the README's curl example moved"

    with TestClient(create_app(settings), headers=bearer(settings)) as client:
        reply = client.post("/graphql", json=json.loads(body.group(1)))

    about = reply.json()["data"]["about"]
    assert about["service"] == "graph-lineage"
    assert about["neo4jVersion"].startswith("5.26")
