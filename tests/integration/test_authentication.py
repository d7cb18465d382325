"""Who may call the API: bearer JWTs (HS256, RS256/JWKS), API keys, roles per route."""

from __future__ import annotations

import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

from api import create_app
from graph_lineage.auth import ApiKeys, Role, demo_token
from graph_lineage.cli import main
from graph_lineage.errors import ConfigurationError
from graph_lineage.settings import Settings

from ..conftest import TEST_JWT_SECRET, bearer

QUERY = {"query": "{ about { service } }"}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def _token(
    claims: dict[str, Any],
    key: Any = TEST_JWT_SECRET,
    algorithm: str = "HS256",
    headers: dict[str, Any] | None = None,
) -> str:
    now = int(time.time())
    return jwt.encode(
        {"sub": "someone", "exp": now + 60, "roles": ["viewer"], **claims},
        key,
        algorithm=algorithm,
        headers=headers,
    )


def _post(client: TestClient, token: str | None, path: str = "/graphql") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(path, json=QUERY if path == "/graphql" else [], headers=headers)


def test_probes_and_the_graphiql_page_are_public_the_rest_is_not(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    page = client.get("/graphql", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert client.get("/ui/config.json").status_code == 200
    refused = _post(client, None)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/graphql", params={"query": "{ about { service } }"}).status_code == 401
    assert _post(client, None, "/v1/events").status_code == 401


def test_a_valid_token_answers(client: TestClient, settings: Settings) -> None:
    reply = client.post("/graphql", json=QUERY, headers=bearer(settings, "viewer"))

    assert reply.status_code == 200
    assert reply.json() == {"data": {"about": {"service": "graph-lineage"}}}


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (_token({"exp": int(time.time()) - 10}), "expired"),
        (_token({}, key="another-secret-another-secret-another"), "signature"),
        (
            jwt.encode(
                {"sub": "x", "exp": int(time.time()) + 60, "roles": ["admin"]},
                None,
                algorithm="none",
            ),
            "not valid",
        ),
        ("not.a.token", "not valid"),
        ("garbage", "not valid"),
        (
            jwt.encode({"sub": "x", "roles": ["admin"]}, TEST_JWT_SECRET, algorithm="HS256"),
            "not valid",
        ),
    ],
    ids=["expired", "wrong-signature", "alg-none", "malformed", "garbage", "no-exp"],
)
def test_bad_tokens_get_401(client: TestClient, token: str, reason: str) -> None:
    reply = _post(client, token)

    assert reply.status_code == 401
    assert reason in reply.json()["detail"]


def test_roles_decide_the_routes(client: TestClient, settings: Settings) -> None:
    producer, viewer = bearer(settings, "producer"), bearer(settings, "viewer")

    assert client.post("/graphql", json=QUERY, headers=producer).status_code == 403
    assert client.post("/v1/events", json=[], headers=viewer).status_code == 403
    assert client.post("/api/v1/lineage", json={}, headers=viewer).status_code == 403
    assert client.post("/v1/events", json=[], headers=producer).status_code == 422  # let in
    nobody = _token({"roles": ["intern"]})
    assert _post(client, nobody).status_code == 403


def test_rs256_tokens_from_a_jwks_and_roles_from_a_nested_claim(
    settings: Settings, tmp_path: Path
) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**public, "kid": "k1"}]}))
    external = settings.model_copy(
        update={
            "auth_jwt_secret": None,
            "auth_jwks": str(tmp_path / "jwks.json"),
            "auth_roles_claim": "realm_access.roles",
            "auth_issuer": "https://idp.example",
        }
    )
    claims = {"iss": "https://idp.example", "realm_access": {"roles": ["engineer"]}}

    with TestClient(create_app(external)) as client:
        good = _post(client, _token(claims, private, "RS256", {"kid": "k1"}))
        hs256 = _post(client, _token(claims))
        foreign = _post(
            client,
            _token({**claims, "iss": "https://evil.example"}, private, "RS256", {"kid": "k1"}),
        )

    assert good.status_code == 200
    assert hs256.status_code == 401
    assert foreign.status_code == 401
    with pytest.raises(ConfigurationError, match="external issuer"):
        demo_token(external, Role.ADMIN, "me")


def test_api_keys_are_stored_hashed_and_can_be_revoked(
    client: TestClient, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = ApiKeys(settings.api_keys_file)
    key = keys.create("spark", [Role.PRODUCER])

    assert key not in settings.api_keys_file.read_text()
    assert stat.S_IMODE(settings.api_keys_file.stat().st_mode) == 0o600
    assert client.post("/v1/events", json=[], headers={"X-API-Key": key}).status_code == 422
    assert (
        client.post("/v1/events", json=[], headers={"Authorization": f"Bearer {key}"}).status_code
        == 422
    )
    assert client.post("/graphql", json=QUERY, headers={"X-API-Key": key}).status_code == 403

    assert keys.revoke("spark")
    assert client.post("/v1/events", json=[], headers={"X-API-Key": key}).status_code == 401


def test_cli_token_and_api_key_commands(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRAPH_LINEAGE_LOCAL_HOME", str(settings.local_home))
    monkeypatch.setenv("GRAPH_LINEAGE_AUTH_JWT_SECRET", TEST_JWT_SECRET)

    assert main(["token", "auditor", "--subject", "ann"]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), TEST_JWT_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["roles"]) == ("ann", ["auditor"])

    assert main(["api-key", "create", "--name", "etl", "--role", "producer"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("glk_")
    assert main(["api-key", "list"]) == 0
    listed = capsys.readouterr().out
    assert "etl" in listed and "producer" in listed and key not in listed
    assert main(["api-key", "revoke", "etl"]) == 0
