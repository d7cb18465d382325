"""The explorer's screenshots in docs/explorer/, taken from the make-run demo.

    make run                                   # in one terminal: the demo, served on 8000
    .venv/bin/python tools/screenshots.py      # in another: every view, in headless chromium

Each view is opened as the role that would use it, at an address chosen from what the demo
holds (asked through /graphql as that role), and captured once nothing is loading. Options:
``--api`` (default http://127.0.0.1:8000), ``--only lineage,dashboard,...``, ``--out``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

DOCS = Path(__file__).resolve().parents[1] / "docs" / "explorer"
VIEWPORT: Any = {"width": 1400, "height": 900}
MAX_HEIGHT = 1300  # a screenshot shows the view's top, not a page a metre long
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass(frozen=True)
class Shot:
    name: str
    role: str
    address: Callable[[Demo], str]  # under /ui/


class Demo:
    def __init__(self, api: str) -> None:
        self.api = api
        self._tokens: dict[str, str] = {}

    def token(self, role: str) -> str:
        if role not in self._tokens:
            request = urllib.request.Request(
                f"{self.api}/ui/demo-token",
                data=json.dumps({"role": role}).encode(),
                headers={"content-type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=30) as reply:
                self._tokens[role] = json.loads(reply.read())["token"]
        return self._tokens[role]

    def graphql(self, role: str, query: str) -> Any:
        request = urllib.request.Request(
            f"{self.api}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={
                "content-type": "application/json",
                "authorization": f"Bearer {self.token(role)}",
            },
        )
        with urllib.request.urlopen(request, timeout=120) as reply:
            body = json.loads(reply.read())
        if body.get("errors"):
            raise SystemExit(f"the demo answered errors: {body['errors']}")
        return body["data"]


def _first_alert(demo: Demo) -> str:
    alerts = demo.graphql("data_scientist", "{ driftAlerts(first: 1) { edges { node { uid } } } }")
    edges = alerts["driftAlerts"]["edges"]
    return "drift?" + urlencode({"alert": edges[0]["node"]["uid"]}) if edges else "drift"


def _recent_recommendation(demo: Demo) -> str:
    answer = demo.graphql("engineer", "{ recommendations(first: 1) { edges { node { uid } } } }")
    uid = answer["recommendations"]["edges"][0]["node"]["uid"]
    return "recommendation?" + urlencode({"id": uid})


SHOTS = [
    Shot("lineage", "engineer", lambda _: "lineage?" + urlencode({"uid": "source:orders"})),
    Shot("recommendation", "engineer", _recent_recommendation),
    Shot("impact", "engineer", lambda _: "impact?" + urlencode({"uid": "source:orders"})),
    Shot("drift", "data_scientist", _first_alert),
    Shot("experiments", "data_scientist", lambda _: "experiments?experiment=ranker-v3-rollout"),
    Shot("dashboard", "viewer", lambda _: "dashboard"),  # its default: the last thirty days
    Shot("audit", "auditor", lambda _: "audit"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--only", default=",".join(shot.name for shot in SHOTS))
    parser.add_argument("--out", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    chosen = [shot for shot in SHOTS if shot.name in args.only.split(",")]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Debian's chromium is not installed: tools/ensure-chromium")
    from playwright.sync_api import sync_playwright

    demo = Demo(args.api.rstrip("/"))
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            for shot in chosen:
                address = shot.address(demo)
                context = browser.new_context(base_url=demo.api, viewport=VIEWPORT)
                page = context.new_page()
                page.goto(f"/ui/sign-in?next={quote('/' + address)}")
                page.get_by_role("button", name=f"Sign in as {shot.role.replace('_', ' ')}").click()
                page.get_by_test_id("principal").wait_for()
                page.wait_for_load_state("networkidle")
                page.wait_for_function(
                    "document.querySelector('[aria-busy=true], .loading') === null",
                    timeout=120_000,
                )
                page.wait_for_timeout(800)  # charts finish their entry animation
                height = min(MAX_HEIGHT, page.evaluate("document.body.scrollHeight"))
                path = args.out / f"{shot.name}.png"
                page.screenshot(
                    path=str(path),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": 1400, "height": height},
                )
                context.close()
                print(f"{path}  ({shot.role}: /ui/{address})")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
