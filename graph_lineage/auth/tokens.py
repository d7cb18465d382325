"""Bearer JWTs: HS256 with a shared secret, or RS256 with keys from a JWKS file or URL.

Expired, wrongly signed, unsigned (``alg: none``) and malformed tokens are refused with
an :class:`Unauthenticated` error saying which. Roles come from a configurable claim,
which may be a dotted path (``realm_access.roles``).
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

import jwt

from graph_lineage.auth.principal import Caller, Role, known_roles
from graph_lineage.errors import ConfigurationError, Unauthenticated
from graph_lineage.private_files import read_or_create
from graph_lineage.settings import Settings


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.roles_claim = settings.auth_roles_claim
        self._jwks: jwt.PyJWKClient | jwt.PyJWKSet | None = None
        self._secret: str | None = None
        if settings.auth_jwks:
            self._jwks = _jwks(settings.auth_jwks)
        else:
            self._secret = signing_secret(settings)

    def verify(self, token: str) -> Caller:
        try:
            header = jwt.get_unverified_header(token)
            key, algorithm = self._key_for(token, header)
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.settings.auth_audience,
                issuer=self.settings.auth_issuer,
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthenticated("the token has expired") from error
        except jwt.InvalidSignatureError as error:
            raise Unauthenticated("the token's signature does not verify") from error
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token is not valid: {error}") from error
        return Caller(str(claims["sub"]), known_roles(_claim(claims, self.roles_claim)), "jwt")

    def _key_for(self, token: str, header: dict[str, Any]) -> tuple[Any, str]:
        if self._secret is not None:
            return self._secret, "HS256"
        kid = header.get("kid")
        if isinstance(self._jwks, jwt.PyJWKClient):
            return self._jwks.get_signing_key_from_jwt(token).key, "RS256"
        assert self._jwks is not None
        for key in self._jwks.keys:
            if kid is None or key.key_id == kid:
                return key.key, "RS256"
        raise jwt.InvalidTokenError(f"no key with id {kid!r} in the JWKS")


def _jwks(source: str) -> jwt.PyJWKClient | jwt.PyJWKSet:
    if source.startswith(("https://", "http://")):
        return jwt.PyJWKClient(source, cache_keys=True)
    try:
        return jwt.PyJWKSet.from_dict(json.loads(Path(source).read_text()))
    except (OSError, ValueError, jwt.PyJWTError) as error:
        raise ConfigurationError(f"cannot read the JWKS {source}: {error}") from error


def _claim(claims: dict[str, Any], path: str) -> object:
    value: object = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def signing_secret(settings: Settings) -> str:
    """The HS256 secret: configured, or in the demo one generated under the local home."""
    if settings.auth_jwt_secret is not None:
        return settings.auth_jwt_secret.get_secret_value()
    if settings.demo:
        return _demo_secret(settings.local_home / "jwt-secret")
    raise ConfigurationError(
        "no way to verify tokens: set GRAPH_LINEAGE_AUTH_JWT_SECRET (HS256) or"
        " GRAPH_LINEAGE_AUTH_JWKS (RS256, a JWKS file or URL), or GRAPH_LINEAGE_DEMO=true"
    )


def demo_token(settings: Settings, role: Role, subject: str, ttl_seconds: int = 8 * 3600) -> str:
    """A token for the demo, signed with the demo's own secret (``graph-lineage token``)."""
    if settings.auth_jwks or settings.auth_issuer is not None:
        raise ConfigurationError(
            "the server trusts an external issuer: get a token from it, not from graph-lineage"
        )
    now = int(time.time())
    claims: dict[str, Any] = {"sub": subject, "iat": now, "exp": now + ttl_seconds}
    *parents, leaf = settings.auth_roles_claim.split(".")
    holder = claims
    for part in parents:
        holder = holder.setdefault(part, {})
    holder[leaf] = [role.value]
    if settings.auth_issuer:
        claims["iss"] = settings.auth_issuer
    if settings.auth_audience:
        claims["aud"] = settings.auth_audience
    return jwt.encode(claims, signing_secret(settings), algorithm="HS256")


def _demo_secret(path: Path) -> str:
    return read_or_create(path, lambda: secrets.token_urlsafe(48))
