"""Loading the models once and handing them to routes; the API-key check.

:func:`load_models` runs in the application's lifespan; routes receive the result through :func:`get_served`
(or :func:`get_models`), never a module global, so two apps in one process (tests) never share state, and
nothing is trained or written in the request path. Model code runs in worker threads, at most ``model_threads``
at once: :func:`run_model` for one call, :class:`ModelQueue` for single-note checks, which it coalesces (both in
:mod:`serve.model_threads`, and importable from here).
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from model.artifacts import load_model
from model.classifier import AdModel
from model.comments import CommentScorer, load_comment_scorer
from model.errors import InvalidParameterError, ModelLoadError
from serve.metrics import Metrics
from serve.model_threads import ModelQueue
from serve.model_threads import run_model as run_model  # the routes import it from here
from serve.settings import Settings, setting_source

log = logging.getLogger("notecheck.serve")

#: A short note run through every model at start-up, so the first request does not build tokenizers.
WARMUP_NOTE = {"title": "周末爬山", "text": "今天天气很好，加vx领券，原价199现价99", "comments": ["好看", "求链接"]}


@dataclass(frozen=True)
class LoadedModels:
    """The read-only models of a running app."""

    ad: AdModel
    comments: CommentScorer | None  # None when the shipped comment model could not be loaded
    comment_card: dict[str, Any] | None
    thresholds_overridden: bool
    load_seconds: float
    comment_error: str | None = None  # why comment scoring is unavailable, when it is
    #: seconds per start-up step: reading each artifact and its warm-up (tokenizer, look-up tables)
    load_steps: dict[str, float] = field(default_factory=dict)

    @property
    def comment_version(self) -> str | None:
        if self.comment_card is None:
            return None
        return str(self.comment_card.get("model_version", "unversioned"))


def overrides_thresholds(settings: Settings) -> bool:
    return settings.threshold is not None or settings.review_threshold is not None


def operating_thresholds(settings: Settings, threshold: float, review_threshold: float) -> tuple[float, float]:
    """The ad and review thresholds a server decides by, given the model's: the settings' overrides where set (an
    ad threshold set alone lowers the model's review threshold with it). A review threshold set above the ad
    threshold is an error naming both."""
    if settings.threshold is None:
        whose = "the model's ad threshold"
    else:
        whose = f"the ad threshold, setting 'threshold'{setting_source('threshold', settings.threshold)} ="
    threshold = threshold if settings.threshold is None else settings.threshold
    if settings.review_threshold is None:
        return threshold, min(review_threshold, threshold)
    if settings.review_threshold > threshold:
        given = setting_source("review_threshold", settings.review_threshold)
        raise InvalidParameterError(
            f"setting 'review_threshold'{given} must be <= {whose} {threshold}. Got {settings.review_threshold} "
            "instead."
        )
    return threshold, settings.review_threshold


def load_models(settings: Settings) -> LoadedModels:
    """Load (and warm up) every model named by ``settings``. Raises a :class:`model.errors.NotecheckError`.

    The warm-up runs a short note through each model, so that its tokenizer and look-up tables are built here and
    not by the first request: "ready" means warmed. :attr:`LoadedModels.load_steps` times each step.
    """
    start = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps[name] = round(now - since, 4)
        return now

    ad = load_model(settings.model_dir, allow_version_mismatch=settings.allow_version_mismatch)
    if overrides_thresholds(settings):
        threshold, review = operating_thresholds(settings, ad.threshold, ad.review_threshold)
        ad = AdModel(
            ad.compiled, calibration=ad.calibration, threshold=threshold, review_threshold=review, card=ad.card
        )
    t = step("ad_model_read", start)
    ad.check(WARMUP_NOTE)
    t = step("ad_model_warmup", t)
    scorer = card = None
    comment_error = None
    try:
        scorer = load_comment_scorer(settings.comment_model_dir, allow_version_mismatch=settings.allow_version_mismatch)
    except ModelLoadError as exc:
        if settings.comment_model_dir is not None:
            raise  # asked for explicitly: refuse to start without it
        comment_error = f"the shipped comment model could not be loaded ({exc})"
        log.warning("comment scoring disabled: %s", comment_error)
    else:
        card = _comment_card(scorer)
        t = step("comment_model_read", t)
        scorer.score(WARMUP_NOTE["comments"], {"warmup": ["链接"]})
        step("comment_model_warmup", t)
    return LoadedModels(
        ad=ad,
        comments=scorer,
        comment_card=card,
        thresholds_overridden=overrides_thresholds(settings),
        comment_error=comment_error,
        load_seconds=round(time.perf_counter() - start, 4),
        load_steps=steps,
    )


def _comment_card(scorer: Any) -> dict[str, Any] | None:
    for owner in (scorer, getattr(scorer, "model", None), getattr(scorer, "sentiment", None)):
        card = getattr(owner, "card", None)
        if isinstance(card, dict):
            return dict(card)
    return None


# -- dependencies ------------------------------------------------------------------------------------------
# They are ``async def`` on purpose: they only read app state (microseconds), and FastAPI would run a sync
# dependency in the threadpool, one thread hop per dependency per request. Each dependency also costs a
# dependency-solving pass per request (tens of microseconds), hence one :class:`Served` for the model routes.
@dataclass(frozen=True)
class Served:
    """Everything a model route needs, built once in the lifespan and handed over by :func:`get_served`."""

    models: LoadedModels
    settings: Settings
    metrics: Metrics
    checks: ModelQueue[Any, Any]  # single-note checks (see serve.routes.check.check_notes)
    #: serve.routes.check.check_jobs on these models, in the model process when there is one (blocking: call it
    #: from a worker thread)
    run_checks: Callable[[list[Any]], list[Any]]
    pool: Any = None  # serve.offload.ModelPool, when checks run in model processes


async def get_served(request: Request) -> Served:
    served = getattr(request.app.state, "served", None)
    if served is None:
        raise HTTPException(status_code=503, detail="The models are not loaded yet; retry when /readyz says ready.")
    return served


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_models(request: Request) -> LoadedModels:
    models = getattr(request.app.state, "models", None)
    if models is None:
        raise HTTPException(status_code=503, detail="The models are not loaded yet; retry when /readyz says ready.")
    return models


def comment_scorer(models: LoadedModels) -> Any:
    """The comment scorer, or a 503 naming why this server has none."""
    if models.comments is None:
        raise HTTPException(
            status_code=503,
            detail=f"Comment scoring is not available on this server: {models.comment_error}.",
        )
    return models.comments


async def get_comment_scorer(models: Annotated[LoadedModels, Depends(get_models)]) -> Any:
    return comment_scorer(models)


# -- API keys ----------------------------------------------------------------------------------------------
API_KEY_HEADER = "X-API-Key"

#: The OpenAPI security schemes of the key check (added to the document by serve.app, which also marks every
#: operation that depends on :func:`require_api_key`): a key in ``X-API-Key`` or as a bearer token.
SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    "APIKeyHeader": {
        "type": "apiKey",
        "description": "one of the server's API keys",
        "in": "header",
        "name": API_KEY_HEADER,
    },
    "HTTPBearer": {"type": "http", "description": "an API key as a bearer token", "scheme": "bearer"},
}
SECURITY_REQUIREMENT: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]


def key_matches(candidate: str, keys: list[bytes]) -> bool:
    """Constant-time comparison against every configured key (no early exit on the first match)."""
    given = candidate.encode("utf-8", "surrogatepass")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key)
    return matched


def presented_key(request: Request) -> str | None:
    """The key a request carries: a non-empty ``X-API-Key`` header, else the token of ``Authorization: Bearer``
    (what FastAPI's ``APIKeyHeader`` and ``HTTPBearer`` would extract, read in one pass)."""
    return presented_key_of(request.headers)


def presented_key_of(headers: Any) -> str | None:
    """:func:`presented_key` from a request's headers (a Starlette ``Headers``)."""
    key = headers.get(API_KEY_HEADER)
    if key:
        return key
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() == "bearer" and token:
            return token
    return None


def api_key_error(headers: Any, keys: list[bytes]) -> HTTPException | None:
    """The 401 a request with ``headers`` gets from a server with ``keys``, or None when it may go on (a valid
    key came, or the server has no keys). The one key check: :class:`serve.middleware.APIKeyMiddleware` runs it before
    the body is read, :func:`require_api_key` on routes served without that middleware."""
    if not keys:
        return None
    candidate = presented_key_of(headers)
    if candidate is None:
        return HTTPException(
            status_code=401,
            detail="An API key is required: send it in the X-API-Key header or as 'Authorization: Bearer <key>'. "
            "Got no key.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not key_matches(candidate, keys):
        return HTTPException(
            status_code=401,
            detail="The API key is not valid. Got a key that matches none of the server's keys.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return None


async def require_api_key(request: Request) -> None:
    """401 unless a configured key came in ``X-API-Key`` or ``Authorization: Bearer``; a no-op without keys.

    Routes that depend on it are the ones the key guards: :class:`serve.middleware.APIKeyMiddleware` checks the key for
    them before the body is read (so a request without a key gets its 401 before any 413 or 422), and the
    OpenAPI document declares the key schemes on them. The check here is the same function, for a route served
    without the middleware; it costs a microsecond.
    """
    error = api_key_error(request.headers, request.app.state.api_keys)
    if error is not None:
        raise error
