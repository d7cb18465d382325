"""Neo4j Browser, served by our Neo4j at /browser/, in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from ..conftest import Neo4jTarget
from .chromium import CHROMIUM, CHROMIUM_FLAGS, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_browser_renders_and_connects_with_the_generated_password(
    page: object, neo4j_target: Neo4jTarget
) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    if neo4j_target.http_uri is None:
        pytest.skip("NEO4J_HTTP_URI is not set, so the Browser's address is unknown")
    page.goto(f"{neo4j_target.http_uri}/browser/")

    expect(page).to_have_title("Neo4j Browser")
    expect(page.get_by_text("Connect to Neo4j")).to_be_visible(timeout=30_000)

    page.get_by_test_id("boltaddress").fill(urlparse(neo4j_target.uri).netloc)
    page.get_by_test_id("username").fill(neo4j_target.user)
    page.get_by_test_id("password").fill(neo4j_target.password or "")
    page.get_by_test_id("connect").click()

    expect(page.get_by_text("You are connected as user")).to_be_visible(timeout=30_000)
