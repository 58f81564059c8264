"""The pre-publish prediction service: ``create_app(settings)`` builds the FastAPI application.

Models load once in the lifespan and are handed to routes by :mod:`serve.deps`; CPU-bound work runs in worker
threads (:func:`serve.model_threads.run_model`, :class:`serve.model_threads.ModelQueue`), never on the event
loop, and checking notes runs in model processes forked after loading where that is safe (:mod:`serve.offload`).
The API key and the body limit are checked by middleware (:mod:`serve.middleware`) before any route runs; the
error handlers here give every error one JSON shape. ``notecheck serve`` runs it with uvicorn
(:mod:`serve.cmd_serve`). See ``/docs`` or ``/openapi.json`` of a running server.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from model.errors import NotecheckError
from model.notes import RepeatedKeyError, repeated_key
from serve.db import runtime as database
from serve.db.deps import DatabaseUnavailable, database_unavailable
from serve.deps import (
    SECURITY_REQUIREMENT,
    SECURITY_SCHEMES,
    LoadedModels,
    ModelQueue,
    Served,
    load_models,
    require_api_key,
)
from serve.metrics import Metrics, MetricsMiddleware
from serve.middleware import APIKeyMiddleware, BodyLimitMiddleware, leaf_routes, matching_routes, route_path
from serve.offload import ModelPool, die_with_supervisor, fork_is_safe
from serve.pages import install as install_pages
from serve.schemas import PATTERN_MEANINGS, document_limits, field_path, strip_union_tags
from serve.settings import Settings, load_settings

API_VERSION = "1"
log = logging.getLogger("notecheck.serve")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings`` (read from the environment and settings file when None)."""
    from serve.routes import ROUTERS
    from serve.routes.check import check_notes

    settings = load_settings() if settings is None else settings
    die_with_supervisor()  # a worker of `serve --workers N` ends with the process that started it

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Loading is CPU/IO-bound but nothing is served before start-up completes, so it runs here directly.
        models = load_models(settings)
        metrics: Metrics = app.state.metrics
        # The loaded models are long-lived: take them out of the cyclic collector's way, so that a full collection
        # does not walk them (50-70 ms with the shipped models loaded, a pause every request in flight waits for),
        # and so that model processes forked next share their pages instead of copying them.
        gc.collect()
        gc.freeze()
        run_checks, pool = _checker(models, settings)
        run_checks = database.logging_checks(app, run_checks)  # the decision log, when log_checks is on
        # With model processes, one batch in flight per process; else per model thread.
        limiter = anyio.CapacityLimiter(settings.model_threads if pool is None else pool.size)
        checks = ModelQueue(partial(check_notes, run_checks, metrics), limiter, settings.check_coalesce)
        async with anyio.create_task_group() as tasks:
            await tasks.start(checks.serve)
            app.state.model_limiter = limiter
            app.state.served = Served(
                models=models, settings=settings, metrics=metrics, checks=checks, run_checks=run_checks, pool=pool
            )
            app.state.models = models
            metrics.ready.set(1)
            metrics.load_seconds.set(models.load_seconds)
            log.info("notecheck models loaded in %.3fs (ad model %s)", models.load_seconds, models.ad.version)
            try:
                async with database.running(app):
                    yield
            finally:
                app.state.models = None
                app.state.served = None
                metrics.ready.set(0)
                tasks.cancel_scope.cancel()
                if pool is not None:
                    pool.close()
                gc.unfreeze()

    app = FastAPI(
        title="notecheck",
        version=API_VERSION,
        summary="Does a Chinese social-media note read as a soft-text advertisement, and why?",
        description=(
            "Check notes before they are published: decision (`ad` / `review` / `genuine`), calibrated "
            "probability, operating thresholds and the readable reasons each way; score comments against keyword "
            "sets. When the server has API keys configured, `/v1/*` and `/metrics` need one (header `X-API-Key` "
            "or `Authorization: Bearer`)."
        ),
        lifespan=lifespan,
        docs_url=None,  # /docs comes from serve.pages, with its assets served locally (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.models = None
    app.state.served = None
    app.state.metrics = Metrics()
    # Moderators may do whatever clients may; without client keys the client routes stay open, as before.
    client_keys = [k.get_secret_value().encode("utf-8") for k in settings.api_keys]
    moderator_keys = [k.get_secret_value().encode("utf-8") for k in settings.moderator_keys]
    app.state.api_keys = client_keys + moderator_keys if client_keys else []
    database.attach(app, settings)

    for router in ROUTERS:
        app.include_router(router)
    install_pages(app)

    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(NotecheckError, _notecheck_error)
    app.add_exception_handler(DatabaseUnavailable, database_unavailable)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(APIKeyMiddleware, routes=app.router.routes, keys=app.state.api_keys)  # before the body
    if settings.metrics_enabled:
        app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)

    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = document_limits(default_openapi(), settings)
            # The API key is declared where the server enforces it: on a server with keys.
            app.openapi_schema = document_security(ROUTERS, spec, api_keys=bool(settings.api_keys))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _checker(models: LoadedModels, settings: Settings) -> tuple[Callable[[list[Any]], list[Any]], ModelPool | None]:
    """The function that checks notes for the routes (:func:`serve.routes.check.check_jobs` on ``models``), and
    the pool of model processes it runs in: ``model_processes`` children forked now, after loading and warming,
    when that is on and safe (:func:`serve.offload.fork_is_safe`); else None, and checks run in this process."""
    from serve.routes.check import check_jobs

    local = partial(check_jobs, models)
    if settings.model_processes < 1 or not fork_is_safe():
        return local, None
    pool = ModelPool(local, settings.model_processes, timeout=settings.model_process_timeout).start()
    return pool, pool


def document_security(routers: Any, spec: dict[str, Any], *, api_keys: bool = True) -> dict[str, Any]:
    """Declare the API-key schemes, and require them on every operation of ``routers`` that depends on
    :func:`serve.deps.require_api_key` (when ``api_keys``: a server without keys does not enforce it) or on the
    moderator check of the appeal routes (plain dependencies, which FastAPI does not document by itself)."""
    from serve.routes.appeals import require_moderator

    checks = {require_api_key, require_moderator} if api_keys else {require_moderator}
    marked = False
    for router in routers:
        for route in router.routes:
            dependant = getattr(route, "dependant", None)
            calls = {getattr(d, "dependency", None) for d in getattr(route, "dependencies", ())}
            calls |= {d.call for d in getattr(dependant, "dependencies", ())}
            if not calls & checks:
                continue
            for method in getattr(route, "methods", ()):
                operation = spec.get("paths", {}).get(route.path, {}).get(method.lower())
                if operation is not None:
                    operation["security"] = [dict(r) for r in SECURITY_REQUIREMENT]
                    marked = True
    if marked:
        spec.setdefault("components", {})["securitySchemes"] = {k: dict(v) for k, v in SECURITY_SCHEMES.items()}
    return spec


# -- errors ------------------------------------------------------------------------------------------------
def _preview(value: Any) -> str:
    """A short, always-encodable description of what came in (never the whole 1 MB string back)."""
    if value is None:  # JSON null sent for the field (a field left out is "missing", reported as "nothing")
        return "null"
    if isinstance(value, str):
        shown = value[:40].encode("utf-8", "replace").decode("utf-8")
        more = f" ({len(value)} characters)" if len(value) > 40 else ""
        return f"str {shown!r}{more}"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        # 1e300 sent for a count arrives as a whole number of 301 digits: say how big, not every digit
        return f"{'a negative ' if value < 0 else ''}int of {len(str(abs(value)))} digits"
    if isinstance(value, (bool, int, float)):
        return f"{type(value).__name__} {value!r}"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return f"an object with {len(value)} key{'' if len(value) == 1 else 's'}"
    if isinstance(value, bytes):
        return f"{len(value)} bytes"
    return type(value).__name__


def _header_text(value: str) -> str:
    """A header's value as the client wrote it: Starlette reads header bytes as Latin-1, so UTF-8 ("中文键") came
    out as "ä¸\xadæ\x96\x87…" in the 422's "Got"; bytes that are no UTF-8 stay as read."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    items = []
    for e in exc.errors():
        loc = [p if isinstance(p, (int, str)) else str(p) for p in e.get("loc", ())]
        loc = strip_union_tags([p.encode("utf-8", "replace").decode("utf-8") if isinstance(p, str) else p for p in loc])
        msg = str(e.get("msg", "invalid")).encode("utf-8", "replace").decode("utf-8")
        msg = msg.removeprefix("Value error, ")
        kind = str(e.get("type", "value_error"))
        if kind == "string_pattern_mismatch":  # say what the pattern means (the OpenAPI document states it)
            msg = PATTERN_MEANINGS.get(str((e.get("ctx") or {}).get("pattern")), msg)
        if kind == "json_invalid":
            ctx = e.get("ctx") or {}
            # json's own messages end in "at" where it would name the place ("Unterminated string starting at")
            why = str(ctx.get("error", "decode error")).removesuffix(" at")
            msg = f"the body must be valid JSON: {why} at character {loc[-1]}"
            items.append({"loc": loc, "field": "body", "msg": msg, "type": kind})
            continue
        if loc == ["body"] and isinstance(e.get("input"), bytes):  # not parsed: not sent as JSON
            ctype = request.headers.get("content-type")
            sent = f"Content-Type {ctype!r:.60}" if ctype else "no Content-Type"
            msg = f"the body must be a JSON object sent with Content-Type: application/json. Got {sent}"
            items.append({"loc": loc, "field": "body", "msg": msg, "type": "content_type"})
            continue
        if loc and loc[0] == "header" and isinstance(e.get("input"), str):
            e = {**e, "input": _header_text(e["input"])}
        if kind == "missing":  # pydantic's input is the object around the field; the field itself came as nothing
            got = ". Got nothing"
        else:
            got = f". Got {_preview(e['input'])}" if "input" in e and kind != "too_long" else ""
        if items and items[-1]["loc"] == loc and items[-1].get("got") == got:
            # The branches of one union (a time as a number, an integer or a date-time): one error, every branch
            items[-1]["alternatives"].append(msg)
            continue
        item = {"loc": loc, "field": field_path(loc), "msg": msg, "type": kind}
        items.append({**item, "got": got, "alternatives": [msg]})
    for item in items:
        alternatives = item.pop("alternatives", None)
        got = item.pop("got", "")
        if alternatives is not None:
            item["msg"] = "; or ".join(alternatives) + got
    first = items[0] if items else {"field": "body", "msg": "invalid request"}
    more = f" (and {len(items) - 1} more error(s), see 'detail')" if len(items) > 1 else ""
    message = f"field '{first['field']}': {first['msg']}{more}"
    return JSONResponse(status_code=422, content={"message": message, "detail": items})


def _declared_encoding(request: Request) -> str:
    """Why the bytes may not be UTF-8 JSON, when the request says so: a compressed body or another charset (the
    server reads neither; JSON is UTF-8)."""
    coding = request.headers.get("content-encoding", "").strip()
    if coding and coding.lower() != "identity":
        return f" (sent with Content-Encoding: {coding[:20]}; send the body uncompressed)"
    charset = request.headers.get("content-type", "").lower().partition("charset=")[2].split(";")[0].strip(' "')
    if charset and charset.replace("-", "") != "utf8":
        return f" (the Content-Type declares charset={charset[:20]}; JSON bodies are read as UTF-8)"
    return ""


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, (ValueError, RecursionError)):
        # FastAPI's "There was an error parsing the body": bytes that are not UTF-8, or JSON nested too deeply.
        if isinstance(cause, RepeatedKeyError):  # read last-wins, the body would say two things (serve.json_body)
            msg = f"the body must be valid JSON with each key once per object: {repeated_key(cause.key)}"
        elif isinstance(cause, UnicodeDecodeError):
            msg = (
                f"the body must be valid JSON, UTF-8. Got byte 0x{cause.object[cause.start]:02x} at byte {cause.start}"
            ) + _declared_encoding(request)
        elif isinstance(cause, RecursionError):  # the parser's own words name its limit and the string it read
            msg = "the body must be valid JSON, not nested too deeply. Got arrays or objects nested too deeply to parse"
        else:  # json.loads' one other ValueError: an integer longer than Python converts (its words name a setter)
            msg = (
                "the body must be valid JSON with numbers Python can read. Got a number of more than "
                f"{sys.get_int_max_str_digits():,} digits"
            )
        loc = ["body", *cause.path] if isinstance(cause, RepeatedKeyError) else ["body"]
        item = {"loc": loc, "field": field_path(loc), "msg": msg, "type": "json_invalid"}
        return JSONResponse(status_code=422, content={"message": f"field {item['field']!r}: {msg}", "detail": [item]})
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:  # Allow lists the methods of every route of the path, not of the first one only
        methods = set()
        for route, _ in matching_routes(leaf_routes(request.app.router.routes), route_path(request.scope)):
            methods |= set(getattr(route, "methods", None) or ())
        if methods:
            headers = {**(headers or {}), "Allow": ", ".join(sorted(methods))}
    return JSONResponse(status_code=exc.status_code, content={"message": detail, "detail": detail}, headers=headers)


async def _notecheck_error(request: Request, exc: NotecheckError) -> JSONResponse:
    """A named notecheck error raised while serving a request (the input passed the schema, the model refused
    it): a 422 shaped like every other, naming the field when the error does (``field`` attribute), else body."""
    msg = str(exc).encode("utf-8", "replace").decode("utf-8")
    where = str(getattr(exc, "field", None) or "body")
    item = {"loc": ["body", *where.split(".")] if where != "body" else ["body"], "field": where, "msg": msg,
            "type": "value_error"}  # fmt: skip
    return JSONResponse(status_code=422, content={"message": f"field '{where}': {msg}", "detail": [item]})
