"""The explorer's routes: its built files, its sign-in settings, the demo's sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.settings import Settings
from graph_lineage.store import Store, migrate

ME = {"query": "{ me { subject roles authMethod } }"}


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A stand-in build: the routes serve whatever web/dist holds."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>explorer</title>")
    (dist / "graphiql.html").write_text("<!doctype html><title>GraphiQL</title>")
    (dist / "favicon.svg").write_text("<svg/>")
    (dist / "assets" / "main-abc123.js").write_text("console.log('explorer')")
    return dist


def _client(settings: Settings, store: Store) -> TestClient:
    migrate(store, settings.migrations_dir)
    return TestClient(create_app(settings))


@pytest.fixture
def demo(settings: Settings, store: Store, built: Path) -> Iterator[TestClient]:
    demo_settings = settings.model_copy(update={"demo": True, "ui_dir": built})
    with _client(demo_settings, store) as client:
        yield client


def test_every_view_path_gets_the_page_and_assets_are_files(demo: TestClient) -> None:
    for path in ("/ui/", "/ui/lineage", "/ui/recommendation?id=req-1", "/ui/a/b"):
        reply = demo.get(path)
        assert reply.status_code == 200, path
        assert "<title>explorer</title>" in reply.text
        assert reply.headers["cache-control"] == "no-cache"
    assert "GraphiQL" in demo.get("/ui/graphiql").text
    assert demo.get("/ui/assets/main-abc123.js").text == "console.log('explorer')"
    assert demo.get("/ui/favicon.svg").text == "<svg/>"
    assert demo.get("/ui/assets/missing.js").status_code == 404
    assert demo.get("/ui", follow_redirects=False).headers["location"] == "/ui/"


def test_the_demo_offers_its_reading_roles_and_signs_a_token_for_one(demo: TestClient) -> None:
    config = demo.get("/ui/config.json").json()
    assert config == {
        "demoRoles": ["admin", "auditor", "compliance", "data_scientist", "engineer", "viewer"],
        "oidc": None,
    }

    signed = demo.post("/ui/demo-token", json={"role": "data_scientist"})
    assert signed.status_code == 200 and signed.headers["cache-control"] == "no-store"
    token = signed.json()["token"]
    me = demo.post("/graphql", json=ME, headers={"authorization": f"Bearer {token}"}).json()
    principal = {"subject": "demo-data_scientist", "roles": ["data_scientist"], "authMethod": "jwt"}
    assert me == {"data": {"me": principal}}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"role": "producer"}, "reads nothing"),
        ({"role": "root"}, 'send {"role": one of admin'),
        ({}, 'send {"role"'),
    ],
)
def test_the_demo_sign_in_refuses_what_is_not_a_reading_role(
    demo: TestClient, body: dict[str, str], says: str
) -> None:
    reply = demo.post("/ui/demo-token", json=body)

    assert reply.status_code == 400
    assert says in reply.json()["detail"]


def test_outside_the_demo_there_is_no_demo_sign_in_and_oidc_is_offered(
    settings: Settings, store: Store, built: Path
) -> None:
    configured = settings.model_copy(
        update={
            "ui_dir": built,
            "auth_issuer": "http://127.0.0.1:9999/oidc",
            "auth_audience": "graph-lineage",
            "ui_oidc_client_id": "explorer",
        }
    )
    with _client(configured, store) as client:
        assert client.post("/ui/demo-token", json={"role": "viewer"}).status_code == 404
        assert client.get("/ui/config.json").json() == {
            "demoRoles": [],
            "oidc": {
                "issuer": "http://127.0.0.1:9999/oidc",
                "clientId": "explorer",
                "scopes": "openid profile",
                "audience": "graph-lineage",
            },
        }


def test_an_unbuilt_explorer_says_how_to_build_it(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    unbuilt = settings.model_copy(update={"ui_dir": tmp_path / "nothing-here"})
    with _client(unbuilt, store) as client:
        reply = client.get("/ui/lineage")

    assert reply.status_code == 503
    assert "make web" in reply.text
