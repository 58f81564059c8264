"""Loading the models once and handing them to routes; the API-key check.

:func:`load_models` runs in the application's lifespan; routes receive the result through :func:`get_models`
(never a module global), so two apps in one process (tests) never share state, and nothing is trained or
written in the request path.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from model.artifacts import load_model
from model.classifier import AdModel
from model.errors import InvalidParameterError, ModelLoadError
from serve.metrics import Metrics
from serve.settings import Settings

log = logging.getLogger("notecheck.serve")
T = TypeVar("T")

#: A short note run through every model at start-up, so the first request does not build tokenizers.
WARMUP_NOTE = {"title": "周末爬山", "text": "今天天气很好，加vx领券，原价199现价99", "comments": ["好看", "求链接"]}


@dataclass(frozen=True)
class LoadedModels:
    """The read-only models of a running app."""

    ad: AdModel
    comments: Any | None  # model.comments.CommentScorer, when that module is installed
    comment_card: dict[str, Any] | None
    thresholds_overridden: bool
    load_seconds: float
    comment_error: str | None = None  # why comment scoring is unavailable, when it is

    @property
    def comment_version(self) -> str | None:
        if self.comment_card is None:
            return None
        return str(self.comment_card.get("model_version", "unversioned"))


def _comment_module() -> Any | None:
    """``model.comments`` when it exists (built separately); None when it is not installed."""
    try:
        return import_module("model.comments")
    except ModuleNotFoundError as exc:
        if exc.name in ("model.comments",):
            return None
        raise


def load_models(settings: Settings) -> LoadedModels:
    """Load (and warm up) every model named by ``settings``. Raises a :class:`model.errors.NotecheckError`."""
    start = time.perf_counter()
    ad = load_model(settings.model_dir, allow_version_mismatch=settings.allow_version_mismatch)
    overridden = settings.threshold is not None or settings.review_threshold is not None
    if overridden:
        threshold = ad.threshold if settings.threshold is None else settings.threshold
        review = ad.review_threshold if settings.review_threshold is None else settings.review_threshold
        review = min(review, threshold) if settings.review_threshold is None else review
        if review > threshold:
            raise InvalidParameterError(
                f"setting 'review_threshold' must be <= the ad threshold {threshold}. Got {review} instead."
            )
        ad = AdModel(
            ad.compiled, calibration=ad.calibration, threshold=threshold, review_threshold=review, card=ad.card
        )
    ad.check_fast(WARMUP_NOTE)
    scorer = card = None
    comment_error = None
    module = _comment_module()
    if module is None:
        comment_error = "the comment model code (model.comments) is not installed"
    else:
        try:
            scorer = module.load_comment_scorer(
                settings.comment_model_dir, allow_version_mismatch=settings.allow_version_mismatch
            )
        except ModelLoadError as exc:
            if settings.comment_model_dir is not None:
                raise  # asked for explicitly: refuse to start without it
            comment_error = f"the shipped comment model could not be loaded ({exc})"
            log.warning("comment scoring disabled: %s", comment_error)
        else:
            card = _comment_card(scorer)
            scorer.score(WARMUP_NOTE["comments"], {"warmup": ["链接"]})
    return LoadedModels(
        ad=ad,
        comments=scorer,
        comment_card=card,
        thresholds_overridden=overridden,
        comment_error=comment_error,
        load_seconds=round(time.perf_counter() - start, 4),
    )


def _comment_card(scorer: Any) -> dict[str, Any] | None:
    for owner in (scorer, getattr(scorer, "model", None), getattr(scorer, "sentiment", None)):
        card = getattr(owner, "card", None)
        if isinstance(card, dict):
            return dict(card)
    return None


# -- dependencies ------------------------------------------------------------------------------------------
# They are ``async def`` on purpose: they only read app state (microseconds), and FastAPI would run a sync
# dependency in the threadpool, one thread hop per dependency per request.
async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_models(request: Request) -> LoadedModels:
    models = getattr(request.app.state, "models", None)
    if models is None:
        raise HTTPException(status_code=503, detail="The models are not loaded yet; retry when /readyz says ready.")
    return models


async def get_comment_scorer(models: Annotated[LoadedModels, Depends(get_models)]) -> Any:
    if models.comments is None:
        raise HTTPException(
            status_code=503,
            detail=f"Comment scoring is not available on this server: {models.comment_error}.",
        )
    return models.comments


async def run_model(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound model code in a worker thread (never on the event loop), at most ``model_threads`` at once."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=request.app.state.model_limiter)


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="one of the server's API keys")
_bearer = HTTPBearer(auto_error=False, description="an API key as a bearer token")


def key_matches(candidate: str, keys: list[bytes]) -> bool:
    """Constant-time comparison against every configured key (no early exit on the first match)."""
    given = candidate.encode("utf-8", "surrogatepass")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key)
    return matched


async def require_api_key(
    request: Request,
    header_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> None:
    """401 unless a configured key came in ``X-API-Key`` or ``Authorization: Bearer``; a no-op without keys."""
    keys: list[bytes] = request.app.state.api_keys
    if not keys:
        return
    candidate = header_key if header_key is not None else (bearer.credentials if bearer is not None else None)
    if candidate is None:
        raise HTTPException(
            status_code=401,
            detail="An API key is required: send it in the X-API-Key header or as 'Authorization: Bearer <key>'. "
            "Got no key.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not key_matches(candidate, keys):
        raise HTTPException(
            status_code=401,
            detail="The API key is not valid. Got a key that matches none of the server's keys.",
            headers={"WWW-Authenticate": "Bearer"},
        )
