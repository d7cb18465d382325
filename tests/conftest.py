"""The real Neo4j every integration test talks to, and a clean database for each test.

Where the server comes from, in order:

1. ``NEO4J_URI`` (or ``GRAPH_LINEAGE_NEO4J_URI``) if set, with ``NEO4J_USER`` and
   ``NEO4J_PASSWORD`` (or their ``GRAPH_LINEAGE_`` forms);
2. a testcontainers ``Neo4jContainer`` when a Docker engine answers;
3. else graph-lineage's own local launcher, on free ports with a temporary data folder.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from starlette.testclient import TestClient

from graph_lineage.errors import StoreUnavailable
from graph_lineage.settings import Settings
from graph_lineage.store import Store, resolve_target
from graph_lineage.store.admin import wipe_database

TEST_PSEUDONYMIZATION_KEY = "test-only-pseudonymization-key-0123456789"
TEST_ENCRYPTION_KEYS = "test:dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTAxMjM0NTY"  # 32 bytes, base64url
TEST_JWT_SECRET = "test-only-jwt-secret-0123456789-0123456789-abcdef"


def bearer(settings: Settings, role: str = "admin") -> dict[str, str]:
    """Headers that authenticate as ``role`` with a token signed by the test secret."""
    from graph_lineage.auth import Role, demo_token

    return {"Authorization": f"Bearer {demo_token(settings, Role(role), f'test-{role}')}"}


@dataclass(frozen=True)
class Neo4jTarget:
    kind: str  # "external", "testcontainers" or "local"
    uri: str
    user: str
    password: str | None
    http_uri: str | None  # where Neo4j Browser is served, when known

    def settings(self, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "neo4j_uri": self.uri,
            "neo4j_user": self.user,
            "neo4j_password": self.password,
            "pseudonymization_key": TEST_PSEUDONYMIZATION_KEY,
            "encryption_keys": TEST_ENCRYPTION_KEYS,
            "auth_jwt_secret": TEST_JWT_SECRET,
            # Fixtures are dated; retention at write time would drop them as they age.
            # Tests of retention set it explicitly.
            "retention_recommendations_days": 0,
            "retention_outcomes_days": 0,
            "retention_feature_statistics_days": 0,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def local_settings(home: Path, **overrides: object) -> Settings:
    """Settings for a throwaway local Neo4j under ``home`` on free ports."""
    values: dict[str, object] = {
        "local_home": home,
        "local_bolt_port": free_port(),
        "local_http_port": free_port(),
        "local_heap": "512m",
        "local_pagecache": "128m",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _from_environment() -> Neo4jTarget | None:
    uri = os.environ.get("NEO4J_URI") or os.environ.get("GRAPH_LINEAGE_NEO4J_URI")
    if not uri:
        return None
    user = os.environ.get("NEO4J_USER") or os.environ.get("GRAPH_LINEAGE_NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD") or os.environ.get("GRAPH_LINEAGE_NEO4J_PASSWORD")
    return Neo4jTarget("external", uri, user, password, os.environ.get("NEO4J_HTTP_URI"))


@pytest.fixture(scope="session")
def neo4j_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTarget]:
    external = _from_environment()
    if external is not None:
        yield external
        return
    from docker.errors import DockerException
    from testcontainers.community.neo4j import Neo4jContainer

    with warnings.catch_warnings():
        # docker-py leaves its socket open when no engine answers; collect it quietly here.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            container = Neo4jContainer("neo4j:5.26-community")
        except DockerException:
            container = None  # no Docker engine: fall through to the local launcher
        gc.collect()
    if container is not None:
        with container:
            http = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(7474)}"
            uri = container.get_connection_url()
            yield Neo4jTarget("testcontainers", uri, "neo4j", container.password, http)
        return
    from graph_lineage.neo4j_local import LocalNeo4j

    settings = local_settings(tmp_path_factory.mktemp("neo4j-session"))
    server = LocalNeo4j(settings)
    server.start()
    auth = server.auth()
    try:
        password = auth[1] if auth else None
        yield Neo4jTarget(
            "local", settings.local_bolt_uri, "neo4j", password, settings.local_http_uri
        )
    finally:
        server.stop()


@pytest.fixture
def settings(neo4j_target: Neo4jTarget, tmp_path: Path) -> Settings:
    return neo4j_target.settings(local_home=tmp_path / "unused-local-home")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A store on an empty database: no nodes, no constraints, no indexes."""
    with Store.connect(settings) as store:
        wipe_database(store)
        yield store


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by its folder: tests/unit, tests/integration, tests/e2e (and below)."""
    tests = Path(__file__).parent
    for item in items:
        folder = Path(str(item.path)).relative_to(tests).parts[0]
        if folder in ("unit", "integration", "e2e"):
            item.add_marker(folder)


# --- Every GraphQL operation of the test run has an access record ---------------------
#
# For each test, TestClient.send is wrapped: a request to /graphql that carries a GraphQL
# document and was answered counts as one operation of the app's database, and so does a
# PDF report whose query ran. "Answered" leaves out 401 and 403 (refused before GraphQL)
# and 503 (the access log could not record it, so it answered nothing). At teardown,
# before the next test's `store` fixture wipes the database, the access records made since
# the test began must number exactly the operations counted: one missing or one extra
# fails the test.

# Records of operators' commands (auth method "cli"), of refusals at the door (they
# name the request path) and of exports (operation type "export") are not GraphQL
# operations. A PDF report runs one, in process: its answer names the record
# (X-Access-Record).
ACCESS_RECORDS_SINCE = """
MATCH (r:AccessRecord) WHERE r.at >= $since AND coalesce(r.auth_method, '') <> 'cli'
  AND r.request_path IS NULL AND coalesce(r.operation_type, '') <> 'export'
RETURN count(r) AS count
"""
REPORT_PATH = "/exports/report.pdf"
NOT_ANSWERED = frozenset({401, 403, 503})


def _graphql_document(request: Any) -> str | None:  # an httpx (or httpx2) Request
    if request.url.path != "/graphql":
        return None
    if request.method == "GET":
        return request.url.params.get("query") or None
    try:
        body = json.loads(request.content or b"null")
    except ValueError:
        return None
    query = body.get("query") if isinstance(body, dict) else None
    return query if isinstance(query, str) and query else None


class AccessLogCheck:
    """GraphQL operations answered per database during one test, against its access records."""

    def __init__(self) -> None:
        self.since = datetime.now(UTC)
        self.operations: dict[tuple[str, str], tuple[Settings, int]] = {}
        self._lock = threading.Lock()

    def count(self, app: Any, request: Any, response: Any) -> None:
        settings = getattr(getattr(app, "state", None), "settings", None)
        if settings is None:
            return
        if request.url.path == REPORT_PATH:
            if "x-access-record" not in response.headers:
                return  # refused before its query ran
        elif response.status_code in NOT_ANSWERED or _graphql_document(request) is None:
            return
        key = (resolve_target(settings)[0], settings.neo4j_database)
        with self._lock:
            _, sent = self.operations.get(key, (settings, 0))
            self.operations[key] = (settings, sent + 1)

    def problems(self) -> list[str]:
        found = []
        for (uri, database), (settings, sent) in self.operations.items():
            with Store.connect(settings) as store:  # auto-commit: no minute of retries
                try:
                    rows = store.run_autocommit(ACCESS_RECORDS_SINCE, since=self.since)
                except StoreUnavailable:
                    rows = [{"count": 0}]  # nothing could be recorded there
            recorded = int(rows[0]["count"])
            if recorded != sent:
                found.append(
                    f"{uri} ({database}): {sent} GraphQL operations answered, {recorded}"
                    " access records written since the test began"
                )
        return found

    def forget(self) -> None:
        """Start counting afresh, as if the test began now."""
        self.since = datetime.now(UTC)
        self.operations.clear()


@pytest.fixture(autouse=True)
def access_log_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[AccessLogCheck]:
    check = AccessLogCheck()
    send = TestClient.send

    def counting_send(client: TestClient, request: Any, **options: Any) -> Any:
        response = send(client, request, **options)
        check.count(client.app, request, response)
        return response

    monkeypatch.setattr(TestClient, "send", counting_send)
    yield check
    problems = check.problems() if check.operations else []
    if problems:
        pytest.fail("operations without an access record: " + "; ".join(problems))


# Property-based tests: a fixed, derandomized profile so CI finds the same examples every
# run, few enough that they run in seconds against the real Neo4j.
hypothesis_settings.register_profile(
    "graph-lineage",
    derandomize=True,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
hypothesis_settings.load_profile("graph-lineage")
