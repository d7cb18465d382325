"""The web explorer under ``/ui/``: its built files, its configuration, the demo's sign-in.

The explorer is static: every page, script, style and font comes from ``web/dist`` (built
by ``make web``), and everything it shows it asks ``/graphql`` for as the signed-in
principal, so field authorization, redaction and the access log apply to it as to any
client. These routes hold no lineage data and are public. A path under ``/ui/`` that is
not a file is one of the explorer's views: it gets ``index.html``, whose router restores
the view from the URL.

In the demo, ``POST /ui/demo-token`` signs a token for a demo role, as
``graph-lineage token`` does on the command line; it does not exist outside the demo.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from graph_lineage.auth import READ_ROLES, Role, demo_token
from graph_lineage.settings import Settings

PREFIX = "/ui"
DEMO_TOKEN_SECONDS = 8 * 3600
_CHECKOUT_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
NOT_BUILT = (
    "<!doctype html><meta charset=utf-8><title>graph-lineage explorer</title>"
    "<h1>The explorer is not built</h1><p>Run <code>make web</code> (or <code>make run</code>)"
    " in the checkout, or set GRAPH_LINEAGE_UI_DIR to a built <code>web/dist</code>.</p>"
)


class DemoSignIn(BaseModel):
    role: Role


def ui_dir(settings: Settings) -> Path:
    return settings.ui_dir or _CHECKOUT_DIST


def ui_routes(settings: Settings) -> list[BaseRoute]:
    folder = ui_dir(settings)
    index = folder / "index.html"

    pages = {page.stem: page for page in folder.glob("*.html")}  # graphiql.html: /ui/graphiql
    files = {path.name for path in folder.glob("*") if path.is_file() and path.suffix != ".html"}

    async def view(request: Request) -> Response:
        if not index.is_file():
            return Response(NOT_BUILT, status_code=503, media_type="text/html")
        asked = request.path_params["view"]
        if asked in files:
            return FileResponse(folder / asked)
        page = pages.get(asked, index)
        # Pages change with each build: the browser asks again, the hashed assets it caches.
        return FileResponse(page, headers={"cache-control": "no-cache"})

    async def config(_: Request) -> JSONResponse:
        return JSONResponse(explorer_config(settings), headers={"cache-control": "no-store"})

    async def sign_in(request: Request) -> JSONResponse:
        return await demo_sign_in(settings, request)

    routes: list[BaseRoute] = [
        Route(PREFIX, lambda _: RedirectResponse(f"{PREFIX}/"), methods=["GET"]),
        Route(f"{PREFIX}/config.json", config, methods=["GET"]),
        Route(f"{PREFIX}/demo-token", sign_in, methods=["POST"]),
    ]
    if (folder / "assets").is_dir():
        routes.append(Mount(f"{PREFIX}/assets", StaticFiles(directory=folder / "assets")))
    routes.append(Route(PREFIX + "/{view:path}", view, methods=["GET"]))
    return routes


def explorer_config(settings: Settings) -> dict[str, object]:
    """What the explorer needs before sign-in: how a person may sign in."""
    oidc = None
    if settings.auth_issuer and settings.ui_oidc_client_id:
        oidc = {
            "issuer": settings.auth_issuer,
            "clientId": settings.ui_oidc_client_id,
            "scopes": settings.ui_oidc_scopes,
            "audience": settings.auth_audience,
        }
    demo_roles = sorted(role.value for role in READ_ROLES) if _offers_demo(settings) else []
    return {"demoRoles": demo_roles, "oidc": oidc}


def _offers_demo(settings: Settings) -> bool:
    return settings.demo and not settings.auth_jwks and settings.auth_issuer is None


async def demo_sign_in(settings: Settings, request: Request) -> JSONResponse:
    if not _offers_demo(settings):
        return JSONResponse(
            {"error": "not_found", "detail": "demo sign-in exists only in the demo"},
            status_code=404,
        )
    try:
        asked = DemoSignIn.model_validate_json(await request.body())
    except ValidationError as error:
        roles = ", ".join(sorted(role.value for role in READ_ROLES))
        detail = f'send {{"role": one of {roles}}}: {error.errors()[0]["msg"]}'
        return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=400)
    if asked.role not in READ_ROLES:
        detail = f"the role {asked.role.value} reads nothing; pick a reading role"
        return JSONResponse({"error": "invalid_request", "detail": detail}, status_code=400)
    subject = f"demo-{asked.role.value}"
    token = demo_token(settings, asked.role, subject, DEMO_TOKEN_SECONDS)
    return JSONResponse(
        {"token": token, "subject": subject, "expiresIn": DEMO_TOKEN_SECONDS},
        headers={"cache-control": "no-store"},
    )
