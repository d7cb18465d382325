"""Signing in, the principal on every page, GraphiQL built in and working offline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .conftest import DemoServer, Visit, axe_violations


def test_a_demo_role_signs_in_and_the_page_names_the_principal(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    page = visit("viewer", "").page
    expect(page.get_by_test_id("principal")).to_have_text("demo-viewer")
    expect(page.get_by_text("(viewer)")).to_be_visible()
    # the front door leads to the overview, not to "No such view"
    expect(page).to_have_url(re.compile(rf"^{re.escape(demo_server.url)}/ui/dashboard(\?|$)"))
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to graph-lineage")).to_be_visible()


def test_a_shared_url_survives_the_sign_in(browser: Any, demo_server: DemoServer) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=demo_server.url)
    try:
        page = context.new_page()
        page.goto("/ui/no-such-view?x=1")
        expect(page).to_have_url(f"{demo_server.url}/ui/sign-in?next=%2Fno-such-view%3Fx%3D1")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Sign in as engineer").click()
        expect(page).to_have_url(f"{demo_server.url}/ui/no-such-view?x=1")
        expect(page.get_by_role("heading", name="No such view")).to_be_visible()
    finally:
        context.close()


def test_a_pasted_token_signs_in_and_a_bad_one_is_sent_back(
    browser: Any, demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    from ...conftest import bearer

    token = bearer(demo_server.settings, "auditor")["Authorization"].removeprefix("Bearer ")
    context = browser.new_context(base_url=demo_server.url)
    try:
        page = context.new_page()
        page.goto("/ui/sign-in")
        page.get_by_label("Bearer token or API key").fill(token)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_test_id("principal")).to_have_text("test-auditor")

        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Bearer token or API key").fill("not-a-token")
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("This credential was refused")
        expect(page.get_by_test_id("principal")).to_have_count(0)
    finally:
        context.close()


def test_graphiql_is_built_in_and_sends_the_signed_in_principal(
    visit: Callable[[str, str], Visit], demo_server: DemoServer
) -> None:
    from playwright.sync_api import expect

    session = visit("data_scientist", "")
    page = session.page
    page.goto("/graphql")  # the address `make run` prints
    expect(page).to_have_url(f"{demo_server.url}/ui/graphiql")
    expect(page.locator(".graphiql-query-editor")).to_contain_text("experiments", timeout=30_000)
    page.get_by_role("button", name="Execute query").first.click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text("demo-data_scientist", timeout=30_000)
    expect(response).to_contain_text("ranker-v3-rollout")
    assert axe_violations(page) == []
    page.get_by_role("link", name="graph-lineage explorer").click()  # the way back
    expect(page).to_have_url(re.compile(r"/ui/dashboard"))
