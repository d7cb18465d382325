"""OIDC sign-in with PKCE against a real OpenID Connect issuer run locally.

The issuer is panva's oidc-provider (web/scripts/oidc-provider.mjs, from the explorer's
lockfile); the API trusts its keys (GRAPH_LINEAGE_AUTH_JWKS) and nothing else.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from ...conftest import (
    TEST_ENCRYPTION_KEYS,
    TEST_PSEUDONYMIZATION_KEY,
    Neo4jTarget,
    free_port,
)
from .conftest import WEB, DemoServer, _wait_ready

AUDIENCE = "urn:graph-lineage"
CLIENT = "graph-lineage-explorer"


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


@pytest.fixture
def oidc_api(
    neo4j_target: Neo4jTarget, demo_server: DemoServer, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """(API URL, issuer URL): an API on the demo's database that trusts only the issuer."""
    node = shutil.which("node")
    assert node is not None, "the explorer's Node.js is a prerequisite of make test"
    issuer_port, api_port = free_port(), free_port()
    api = f"http://127.0.0.1:{api_port}"
    issuer = f"http://127.0.0.1:{issuer_port}"
    provider = subprocess.Popen(
        [node, str(WEB / "scripts" / "oidc-provider.mjs"), "--port", str(issuer_port),
         "--redirect", f"{api}/ui/callback", "--audience", AUDIENCE, "--client", CLIENT],
        cwd=WEB, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    environment = {
        **os.environ,
        "GRAPH_LINEAGE_NEO4J_URI": neo4j_target.uri,
        "GRAPH_LINEAGE_NEO4J_USER": neo4j_target.user,
        "GRAPH_LINEAGE_NEO4J_PASSWORD": neo4j_target.password or "",
        "GRAPH_LINEAGE_PSEUDONYMIZATION_KEY": TEST_PSEUDONYMIZATION_KEY,
        "GRAPH_LINEAGE_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEYS,
        "GRAPH_LINEAGE_LOCAL_HOME": str(tmp_path),
        "GRAPH_LINEAGE_AUTH_ISSUER": issuer,
        "GRAPH_LINEAGE_AUTH_JWKS": f"{issuer}/jwks",
        "GRAPH_LINEAGE_AUTH_AUDIENCE": AUDIENCE,
        "GRAPH_LINEAGE_UI_OIDC_CLIENT_ID": CLIENT,
        "GRAPH_LINEAGE_UI_OIDC_SCOPES": "openid profile graph-lineage",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_lineage.cli", "serve", "--port", str(api_port)],
        env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        _wait_ready(f"{issuer}/.well-known/openid-configuration", provider, timeout=30)
        _wait_ready(f"{api}/readyz", server, timeout=60)
        yield api, issuer
    finally:
        _stop(server)
        _stop(provider)


def test_oidc_authorization_code_with_pkce_signs_in_with_the_issuers_roles(
    browser: Any, oidc_api: tuple[str, str]
) -> None:
    from playwright.sync_api import expect

    api, issuer = oidc_api
    context = browser.new_context(base_url=api)
    requested: list[tuple[str, str]] = []  # (the page that asked, what it asked for)
    try:
        page = context.new_page()
        # the test issuer's own login page links a web font: not ours, and offline here
        context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
        page.on("request", lambda request: requested.append((request.frame.url, request.url)))
        page.goto("/ui/no-such-view?from=oidc")
        expect(page.get_by_role("heading", name="Demo roles")).to_have_count(0)
        issuer_host = issuer.removeprefix("http://")
        page.get_by_role("button", name=f"Sign in with {issuer_host}").click()

        page.wait_for_url(f"{issuer}/interaction/**")
        page.locator("input[name=login]").fill("ana:auditor")
        page.locator("input[name=password]").fill("anything")
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{issuer}/interaction/**")
        page.locator("button[type=submit]").click()  # consent

        page.wait_for_url(f"{api}/ui/no-such-view?from=oidc")
        expect(page.get_by_test_id("principal")).to_have_text("ana:auditor")
        expect(page.get_by_text("(auditor)")).to_be_visible()
    finally:
        context.close()

    authorize = next(url for _, url in requested if url.startswith(f"{issuer}/auth?"))
    assert "code_challenge_method=S256" in authorize and "code_challenge=" in authorize
    outside = [
        url
        for page_url, url in requested
        if page_url.startswith(api) and not url.startswith(("http://127.0.0.1:", "data:", "blob:"))
    ]
    assert outside == []


def test_a_token_from_another_issuer_is_refused(oidc_api: tuple[str, str]) -> None:
    api, _ = oidc_api
    forged = jwt.encode(
        {"sub": "mallory", "exp": 4_000_000_000, "roles": ["admin"], "aud": AUDIENCE},
        "not-the-issuers-key-0123456789-0123456789",
        algorithm="HS256",
    )
    request = urllib.request.Request(
        f"{api}/graphql",
        data=b'{"query": "{ me { subject } }"}',
        headers={"content-type": "application/json", "authorization": f"Bearer {forged}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    refused.value.close()
    assert refused.value.code == 401
