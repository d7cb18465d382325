"""The explorer in a real headless Chromium, against `graph-lineage up` on the demo.

One `up` serves every test of this folder: the make-run demo pipeline (same generator,
seed and faults) at DEMO_RECOMMENDATIONS recommendations, on the test run's Neo4j, wiped
first. Each test gets a fresh browser context, signed in as the role it asks for, and
fails if the page requested anything from a host other than 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from graph_lineage.drift.records import cursor
from graph_lineage.drift.signals import SERVING_KINDS
from graph_lineage.settings import Settings
from graph_lineage.store import Store
from graph_lineage.store.admin import wipe_database

from ...conftest import Neo4jTarget, bearer, free_port
from ..chromium import CHROMIUM, CHROMIUM_FLAGS, needs_chromium

DEMO_RECOMMENDATIONS = 3_000
WEB = Path(__file__).parents[3] / "web"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
LOCAL_SCHEMES = ("data", "blob", "about")

pytestmark = needs_chromium


@dataclass
class DemoServer:
    """A running `graph-lineage up`: where it answers and how to ask it as a role."""

    url: str
    settings: Settings
    output: list[str] = field(default_factory=list)

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, role: str = "admin"
    ) -> dict[str, Any]:
        """The answer the explorer's own request would get, for comparing with the screen."""
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"content-type": "application/json", **bearer(self.settings, role)}
        request = urllib.request.Request(f"{self.url}/graphql", data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as reply:
            answer: dict[str, Any] = json.load(reply)
        return answer


def _wait_ready(url: str, process: subprocess.Popen[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"graph-lineage up exited:\n{output}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except urllib.error.HTTPError as refused:  # not ready yet: its answer is closed
            refused.close()
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never answered 200")


@pytest.fixture(scope="package")
def demo_server(
    neo4j_target: Neo4jTarget, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoServer]:
    if not (WEB / "dist" / "index.html").is_file():
        pytest.fail("the explorer is not built: run `make web` (make test builds it first)")
    home = tmp_path_factory.mktemp("explorer-demo")
    port = free_port()
    settings = neo4j_target.settings(local_home=home, demo=True, api_port=port)
    with Store.connect(settings) as store:
        wipe_database(store)
    environment = {
        **os.environ,
        "GRAPH_LINEAGE_NEO4J_URI": neo4j_target.uri,
        "GRAPH_LINEAGE_NEO4J_USER": neo4j_target.user,
        "GRAPH_LINEAGE_NEO4J_PASSWORD": neo4j_target.password or "",
        "GRAPH_LINEAGE_API_PORT": str(port),
        "GRAPH_LINEAGE_DEMO_RECOMMENDATIONS": str(DEMO_RECOMMENDATIONS),
        "GRAPH_LINEAGE_LOCAL_HOME": str(home),
        "GRAPH_LINEAGE_AUTH_JWT_SECRET": settings.auth_jwt_secret.get_secret_value()
        if settings.auth_jwt_secret
        else "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_lineage.cli", "up"],
        env=environment, cwd=home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{url}/readyz", process)
        yield DemoServer(url, settings)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(scope="package")
def drift_scanned(demo_server: DemoServer) -> DemoServer:
    """The demo once the drift scan `up` starts with the API has stored its alerts.

    The demo has drift to find (a source change, a new cohort: UP_DRIFT); the scan runs in
    the API process beside the other tests, and only the tests that read drift wait for it.
    """
    serving = "serving:" + ",".join(SERVING_KINDS)  # the scan's last cursor, saved at its end
    deadline = time.monotonic() + 300
    with Store.connect(demo_server.settings) as store:
        while cursor(store, serving) is None:
            assert time.monotonic() < deadline, "up's first drift scan did not finish in 300 s"
            time.sleep(0.5)
    return demo_server


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """A signed-in page, every address it asked for and every answer it got."""

    page: Any
    requested: list[str]
    downloads: Path
    responses: list[Any] = field(default_factory=list)

    def graphql_answers(self) -> list[str]:
        """The bodies of the answers /graphql gave the page (to check what reached it)."""
        return [r.text() for r in self.responses if urlparse(r.url).path == "/graphql"]

    def outside_requests(self) -> list[str]:
        return [
            url
            for url in self.requested
            if urlparse(url).scheme not in LOCAL_SCHEMES
            and urlparse(url).hostname not in ("127.0.0.1",)
        ]


@pytest.fixture
def visit(
    browser: Any, demo_server: DemoServer, tmp_path: Path
) -> Iterator[Callable[[str, str], Visit]]:
    """``visit(role, path)``: a new browser context signed in as ``role`` at ``/ui/<path>``."""
    contexts: list[Any] = []
    visits: list[Visit] = []

    def open_as(role: str, path: str = "") -> Visit:
        context = browser.new_context(
            base_url=demo_server.url, accept_downloads=True, viewport={"width": 1400, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        visit = Visit(page, requested, tmp_path)
        page.on("response", lambda response: visit.responses.append(response))
        visits.append(visit)
        page.goto(f"/ui/sign-in?next={urllib.request.quote('/' + path)}")
        page.get_by_role("button", name=f"Sign in as {role.replace('_', ' ')}").click()
        page.get_by_test_id("principal").wait_for()
        return visit

    yield open_as
    for context in contexts:
        context.close()
    for done in visits:
        assert done.outside_requests() == [], "the explorer asked another host"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical accessibility violations axe-core finds on the page."""
    page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate("() => axe.run(document)")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def graphql_answers(page: Any) -> list[str]:
    """Every /graphql answer the page gets from now on, as text (read before the page moves on)."""
    answers: list[str] = []

    from playwright.sync_api import Error

    def record(route: Any) -> None:
        try:
            response = route.fetch()
            body = response.body()
        except Error:  # asked by a document the page has left: nobody reads its answer
            return
        answers.append(body.decode())
        route.fulfill(status=response.status, headers=response.headers, body=body)

    page.route("**/graphql", record)
    return answers
