"""Authentication on every route but the probes, and role checks per route.

``/healthz`` and ``/readyz`` are public; so are the explorer's files under ``/ui/`` and the
GraphiQL page (``GET /graphql`` asking for HTML with no query, sent on to the explorer's
GraphiQL): static, no data; the explorer signs in and sends its token with every
operation. Everything else needs a principal: 401 without one.
Both refusals, 401 here and 403 in :class:`RequireRoles`, are noted in the access log
(:mod:`api.refusals`).
"""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api.refusals import RefusalRecorder
from graph_lineage.auth import Authenticator, Caller, Role, Unauthenticated

PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})
PUBLIC_PREFIX = "/ui"


def is_public(scope: Scope) -> bool:
    path: str = scope["path"]
    if path in PUBLIC_PATHS or path == PUBLIC_PREFIX or path.startswith(PUBLIC_PREFIX + "/"):
        return True
    return is_ide_page(scope)


def is_ide_page(scope: Scope) -> bool:
    if scope["path"] != "/graphql" or scope["method"] != "GET":
        return False
    accepts_html = "text/html" in Headers(scope=scope).get("accept", "")
    return accepts_html and "query" not in QueryParams(scope["query_string"])


class AuthenticationMiddleware:
    """Puts the authenticated :class:`Caller` in ``scope["caller"]`` or answers 401."""

    def __init__(
        self, app: ASGIApp, authenticator: Authenticator, refusals: RefusalRecorder
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            caller = self.authenticator.authenticate(
                headers.get("authorization"), headers.get("x-api-key")
            )
        except Unauthenticated as error:
            response = JSONResponse(
                {"error": "unauthenticated", "detail": str(error)},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="graph-lineage"'},
            )
            await response(scope, receive, send)
            self.refusals.refused(scope, 401, str(error), None)
            return
        scope["caller"] = caller
        await self.app(scope, receive, send)


class RequireRoles:
    """Wraps an endpoint: 403 unless the caller holds one of ``roles``."""

    def __init__(
        self, app: ASGIApp, roles: frozenset[Role], what: str, refusals: RefusalRecorder
    ) -> None:
        self.app = app
        self.roles = roles
        self.what = what
        self.refusals = refusals

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = scope.get("caller")
        if isinstance(caller, Caller) and not caller.may(self.roles):
            allowed = ", ".join(sorted(role.value for role in self.roles))
            detail = f"{self.what} needs one of the roles {allowed}"
            response = JSONResponse({"error": "forbidden", "detail": detail}, status_code=403)
            await response(scope, receive, send)
            self.refusals.refused(scope, 403, detail, caller)
            return
        await self.app(scope, receive, send)
