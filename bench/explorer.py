"""Time to a usable explorer view, measured in Debian's Chromium (issue 15).

    .venv/bin/python bench/run.py --only explorer [--scale smoke|small|full]

``graph-lineage up`` loads its demo pipeline (``full``: the make-run demo, 20,000
recommendations over thirty days) into a throwaway Neo4j and serves the API and the
explorer; headless Chromium, driven by Playwright, then opens each scenario's address in a
fresh browser context (nothing cached: the first visit a person makes) whose tab already
holds a session of the scenario's role (as after signing in), :data:`RUNS` times, and reads
the page's own clock (``performance.now()``, milliseconds since navigation started) when
the view is usable:

- ``lineage graph``: the downstream graph of the data source with the most traffic, its
  largest groups of recommendations opened page by page until :data:`GRAPH_NODES` nodes
  or more are drawn, laid out (dagre) and painted;
- ``dashboard``: the dashboard over the demo's thirty days, every chart drawn and the
  traffic total on screen.

Each run also records the GraphQL time the page waited for (Resource Timing of its
``/graphql`` requests), so the table tells the server's share from the browser's.
"""

from __future__ import annotations

import json
import os
import signal
import statistics as stats
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from machine import load_average
from pydantic import SecretStr
from throwaway import Server, free_port

from graph_lineage.auth import Role, demo_token

RUNS = 5
GRAPH_NODES = 1_000
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Usable: the graph laid out (its PNG size is known only then) with every opened page drawn.
GRAPH_READY = """(() => {
  const size = document.querySelector('[data-testid=drawing-size]');
  return size !== null && size.textContent !== ''
    && document.querySelector('.status.loading') === null
    && document.querySelectorAll('.graph-canvas canvas').length > 0;
})()"""
# Usable: the totals on screen, nothing loading, every chart drawn (ECharts' SVG in place).
DASHBOARD_READY = """(() => {
  const charts = [...document.querySelectorAll('figure.chart')];
  return document.querySelector('[data-testid=total-recommendations]') !== null
    && document.querySelector('.status.loading') === null
    && charts.length > 0 && charts.every(c => c.querySelector('svg') !== null);
})()"""
VIEWPORT = {"width": 1400, "height": 900}
COLUMNS = {
    "scenario": "scenario",
    "what": "what is on screen",
    "first_ms": "first visit ms",
    "median_ms": f"median of {RUNS} ms",
    "max_ms": "max ms",
    "graphql_median_ms": "of which GraphQL, median ms",
    "load_average": "load avg (1, 5, 15 min) before",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    role: str
    address: str  # the view's URL under /ui/
    ready: str  # a JavaScript expression true once a person can use the view
    describe: Callable[[Any], str]  # what the page shows, read from it when ready


@dataclass(frozen=True)
class Explorer:
    url: str
    settings: Any

    def graphql(self, role: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        token = demo_token(self.settings, Role(role), f"bench-{role}")
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=120) as reply:
            body = json.loads(reply.read())
        assert not body.get("errors"), body["errors"]
        return body["data"]


@contextmanager
def explorer(server: Server, recommendations: int, folder: Path) -> Iterator[Explorer]:
    """``graph-lineage up`` on the throwaway server: demo loaded, API and explorer served."""
    port = free_port()
    settings = server.settings.model_copy(update={"api_port": port})
    auth = server.local.auth()
    environment = {
        **os.environ,
        "GRAPH_LINEAGE_NEO4J_URI": settings.local_bolt_uri,
        "GRAPH_LINEAGE_NEO4J_USER": auth[0] if auth else "neo4j",
        "GRAPH_LINEAGE_NEO4J_PASSWORD": auth[1] if auth else "",
        "GRAPH_LINEAGE_API_PORT": str(port),
        "GRAPH_LINEAGE_DEMO_RECOMMENDATIONS": str(recommendations),
        "GRAPH_LINEAGE_LOCAL_HOME": str(folder),
        "GRAPH_LINEAGE_PSEUDONYMIZATION_KEY": _secret(settings.pseudonymization_key),
        "GRAPH_LINEAGE_ENCRYPTION_KEYS": _secret(settings.encryption_keys),
        "GRAPH_LINEAGE_AUTH_JWT_SECRET": _secret(settings.auth_jwt_secret),
    }
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / "up.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "graph_lineage.cli", "up"],
        env=environment, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{url}/readyz", process, folder / "up.log")
        yield Explorer(url, settings)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 1800  # loading the full demo takes minutes on two cores
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"graph-lineage up exited:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status == 200:
                    return
        except urllib.error.HTTPError as refused:
            refused.close()
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} never answered 200")


def measure(browser: Any, site: Explorer, scenario: Scenario) -> dict[str, Any]:
    address = scenario.address
    load = load_average()
    timings: list[float] = []
    graphql: list[float] = []
    what = ""
    for _ in range(RUNS):
        context = browser.new_context(base_url=site.url, viewport=VIEWPORT)
        context.add_init_script(_session_script(site, scenario.role))
        try:
            page = context.new_page()
            page.goto(f"/ui/{address}")
            page.wait_for_function(scenario.ready, timeout=300_000, polling=50)
            since_navigation = page.evaluate("performance.now()")
            waited = page.evaluate(
                """() => performance.getEntriesByType('resource')
                    .filter(e => e.name.endsWith('/graphql'))
                    .reduce((sum, e) => sum + e.duration, 0)"""
            )
            timings.append(since_navigation)
            graphql.append(waited)
            what = scenario.describe(page)
        finally:
            context.close()
    return {
        "scenario": scenario.name,
        "address": f"/ui/{address}",
        "what": what,
        "runs": [round(t, 1) for t in timings],
        "first_ms": round(timings[0], 1),
        "median_ms": round(stats.median(timings), 1),
        "max_ms": round(max(timings), 1),
        "graphql_median_ms": round(stats.median(graphql), 1),
        "load_average": load,
    }


def _session_script(site: Explorer, role: str) -> str:
    """The session web/src/auth/session.ts keeps in the tab once a demo role signed in."""
    session = {
        "credential": demo_token(site.settings, Role(role), f"bench-{role}"),
        "method": "demo",
        "label": role,
        "expiresAt": None,
    }
    return f"sessionStorage.setItem('graph-lineage.session', {json.dumps(json.dumps(session))})"


PAGE_SIZE = 25  # recommendations a group opens at a time (web/src/views/Lineage.tsx)
MAX_OPEN_GROUPS = 8
MAX_PAGES = 20  # a group opens at most 500 recommendations
COLLAPSED = """query($uid: ID!) { downstream(uid: $uid, depth: 10, collapse: true) {
  nodes { uid } groups { context recommendations outcomes } } }"""


def busiest_source(site: Explorer) -> tuple[str, list[str], int]:
    """The demo's data source with the most traffic downstream, its largest groups of
    recommendations (at most MAX_OPEN_GROUPS) and how many pages of each to open first:
    an estimate of GRAPH_NODES nodes from the groups' counts."""
    sources = site.graphql(
        "engineer", '{ search(text: "source:", kinds: ["DataSource"], first: 50) { hits { uid } } }'
    )["search"]["hits"]
    graphs = {
        hit["uid"]: site.graphql("engineer", COLLAPSED, {"uid": hit["uid"]})["downstream"]
        for hit in sources
    }
    source = max(graphs, key=lambda uid: sum(g["recommendations"] for g in graphs[uid]["groups"]))
    graph = graphs[source]
    groups = sorted(graph["groups"], key=lambda g: -g["recommendations"])[:MAX_OPEN_GROUPS]
    for pages in range(1, MAX_PAGES + 1):
        drawn = len(graph["nodes"])
        for group in groups:
            shown = min(group["recommendations"], pages * PAGE_SIZE)
            outcomes_each = group["outcomes"] / max(1, group["recommendations"])
            drawn += round(shown * (1 + outcomes_each))
        if drawn >= GRAPH_NODES:
            break
    return source, [g["context"] for g in groups], pages


def lineage_address(source: str, groups: list[str], pages: int) -> str:
    address = "lineage?" + urlencode([("uid", source), ("dir", "downstream"), ("depth", 10)])
    return address + "".join(f"&open={quote(f'{group}~{pages}')}" for group in groups)


def drawn_nodes(page: Any) -> int:
    """The nodes the graph drew, as its accessible name says ("lineage graph: N nodes, ...")."""
    label = str(page.locator(".graph-canvas").get_attribute("aria-label"))
    return int(label.split(": ", 1)[1].split(" nodes", 1)[0].replace(",", ""))


def thousand_node_graph(browser: Any, site: Explorer) -> str:
    """The lineage view's address drawing at least GRAPH_NODES nodes: the estimate, then
    one more page of each group until the page itself draws enough (probe visits, untimed)."""
    source, groups, pages = busiest_source(site)
    while True:
        address = lineage_address(source, groups, pages)
        context = browser.new_context(base_url=site.url, viewport=VIEWPORT)
        context.add_init_script(_session_script(site, "engineer"))
        try:
            page = context.new_page()
            page.goto(f"/ui/{address}")
            page.wait_for_function(GRAPH_READY, timeout=300_000, polling=50)
            if drawn_nodes(page) >= GRAPH_NODES or pages >= MAX_PAGES:
                return address
        finally:
            context.close()
        pages += 1


def scenarios(browser: Any, site: Explorer) -> list[Scenario]:
    return [
        Scenario(
            name="lineage graph",
            role="engineer",
            address=thousand_node_graph(browser, site),
            ready=GRAPH_READY,
            describe=lambda page: (
                str(page.locator(".graph-canvas").get_attribute("aria-label"))
                .split(".")[0]
                .removeprefix("lineage graph: ")
            ),
        ),
        Scenario(
            name="dashboard",
            role="viewer",  # product people read counts
            address="dashboard",  # the view's default: the last thirty days
            ready=DASHBOARD_READY,
            describe=lambda page: (
                page.get_by_test_id("total-recommendations").inner_text()
                + f" recommendations; {page.locator('figure.chart svg').count()} charts"
            ),
        ),
    ]


def run(server: Server, recommendations: int, folder: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    chromium = _chromium()
    with explorer(server, recommendations, folder / "up") as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            version = browser.version
            chosen = scenarios(browser, site)
            results = [measure(browser, site, scenario) for scenario in chosen]
        finally:
            browser.close()
    return {"recommendations": recommendations, "chromium": version, "results": results}


def _chromium() -> str:
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("Debian's chromium is not installed: tools/ensure-chromium")
    return found
