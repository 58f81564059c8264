"""The people's pages: ``GET /`` (a writer checks a draft before publishing, and appeals a flag), ``GET /moderate``
(moderators work through the open appeals), ``GET /appeals/{id}`` (the writer follows an appeal), and the API
documentation at ``/docs`` served with no request leaving the server (there is no ``/redoc``: ReDoc's bundle
fetches its logo from a CDN).

The pages are server-rendered Jinja2 templates with one small vanilla script (``static/app.js``) that calls the
public JSON API (``/v1/check``, ``/v1/appeals``) with the user's key, exactly as any client would: the pages add no
endpoint and no privilege of their own. Every asset is served by this app; a Content-Security-Policy of
``'self'`` makes the browser refuse anything else, so the pages work offline and leak nothing to third parties.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from serve.pages.strings import LANGS, pick_lang, table
from serve.schemas.appeals import MAX_STATEMENT_CHARS

HERE = Path(__file__).resolve().parent
DOCS_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png")
STATIC_URL = "/static/pages"
DOCS_STATIC_URL = "/static/docs"
#: Swagger UI 5 and a favicon as plain files, from the ``fastapi-offline`` package (see :func:`install`).
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))

#: The pages' own policy: everything from this origin, nothing inline that runs, no framing.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: /docs: the generated HTML starts Swagger UI with an inline script, and Swagger UI styles inline; every fetch
#: still stays on this origin.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'"
)

templates = Jinja2Templates(directory=HERE / "templates")
# The words go into the page as JSON: kept as UTF-8 text (a third of the bytes of \uXXXX escapes for Chinese);
# tojson still escapes <, >, & and ' so the JSON cannot close its script element.
templates.env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
router = APIRouter(include_in_schema=False)

Lang = Annotated[str | None, Query(description="page language: zh (default) or en")]


class RevalidatedFiles(StaticFiles):
    """The pages' scripts and styles, which a browser must check with the server (ETag, a 304 when unchanged)
    before each use. The modules import each other by plain URL, so a browser free to keep some of them from a
    deploy before (heuristic freshness from Last-Modified) ran a new writer.js against an old common.js, or the
    other way round, and the page failed to load; a version in the URL would split one module into two."""

    async def get_response(self, path: str, scope: Any) -> Any:
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response


def install(app: FastAPI) -> None:
    """Add the pages, their static files and the offline API documentation to ``app`` (built with
    ``docs_url=None, redoc_url=None``, so that FastAPI's CDN-loading pages are not registered).

    The documentation's assets are served from the package by name only: ``/static/docs/swagger-ui-bundle.js``,
    ``swagger-ui.css`` and ``favicon.png`` (see :data:`DOCS_FILES`)."""
    app.include_router(router)
    app.mount(STATIC_URL, RevalidatedFiles(directory=HERE / "static"), name="pages-static")


def _has_route(request: Request, path: str) -> bool:
    """Whether the app serves ``path`` (its OpenAPI document, built once, lists every API route)."""
    return path in request.app.openapi().get("paths", {})


def _page(request: Request, template: str, lang: str | None, title_key: str, **context: Any) -> HTMLResponse:
    chosen = pick_lang(lang)
    settings = request.app.state.settings
    words = {code: table(code) for code in LANGS}
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": chosen,
            "t": words[chosen],
            "words": words,
            "title_key": title_key,
            "static": STATIC_URL,
            "keys_required": bool(settings.api_keys),
            "appeals_enabled": _has_route(request, "/v1/appeals"),
            "max_statement": MAX_STATEMENT_CHARS,
            "max_title": settings.max_title_chars,
            "max_text": settings.max_text_chars,
            **context,
        },
    )
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/", response_class=HTMLResponse)
async def writer_page(request: Request, lang: Lang = None) -> HTMLResponse:
    """Paste a draft, check it, see the phrases that read like an ad, appeal a flag."""
    return _page(request, "writer.html", lang, "writer_title")


@router.get("/moderate", response_class=HTMLResponse)
async def moderator_page(request: Request, lang: Lang = None) -> HTMLResponse:
    """The open appeals, most uncertain first, to uphold or overturn (the moderator key is asked for on the page
    and sent to the appeals API, which enforces it)."""
    return _page(request, "moderate.html", lang, "moderate_title")


@router.get("/appeals/{appeal_id}", response_class=HTMLResponse)
async def appeal_page(request: Request, appeal_id: str, lang: Lang = None) -> HTMLResponse:
    """One appeal's status, for the writer who filed it."""
    return _page(request, "appeal.html", lang, "appeal_page_title", appeal_id=appeal_id)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """Browsers ask for it on every JSON response they display; the pages themselves inline an empty icon."""
    return FileResponse(DOCS_ASSETS / "favicon.png", media_type="image/png")


# -- API documentation, offline ------------------------------------------------------------------------------
def _docs_response(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _docs_response(
        get_swagger_ui_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title} - Swagger UI",
            swagger_js_url=f"{root}{DOCS_STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_STATIC_URL}/favicon.png",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
            # no badge asking the public validator service about our schema
            swagger_ui_parameters={"validatorUrl": None},
        )
    )


@router.get(DOCS_STATIC_URL + "/{name}")
async def docs_asset(name: str) -> FileResponse:
    if name not in DOCS_FILES:
        raise HTTPException(404, f"No documentation asset {name!r}; there are {', '.join(DOCS_FILES)}.")
    return FileResponse(DOCS_ASSETS / name, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/docs/oauth2-redirect", response_class=HTMLResponse)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()
