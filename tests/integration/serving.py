"""A test database with the API in front of it, asked as any role: one home for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from graph_lineage.settings import Settings
from graph_lineage.store import Store

from ..conftest import bearer


@dataclass
class Served:
    store: Store
    settings: Settings
    client: TestClient

    def ask(self, document: str, role: str = "admin", **variables: Any) -> dict[str, Any]:
        """The answer to ``document`` with ``variables``, asked as ``role`` (HTTP 200)."""
        body = {"query": document, "variables": variables}
        response = self.client.post("/graphql", json=body, headers=bearer(self.settings, role))
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer
