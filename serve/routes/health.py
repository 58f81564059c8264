"""``GET /healthz`` (the process is up), ``GET /readyz`` (the models are loaded; the appeals database's state),
``GET /metrics`` (Prometheus).

``/healthz`` and ``/readyz`` never need an API key (orchestrators probe them); ``/metrics`` does when keys are
configured.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from serve.deps import get_metrics, require_api_key
from serve.metrics import Metrics
from serve.schemas import HealthOut, ReadyOut

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut, summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=ReadyOut,
    summary="The models are loaded",
    responses={503: {"model": ReadyOut, "description": "still loading"}},
)
async def readyz(request: Request) -> JSONResponse:
    models = getattr(request.app.state, "models", None)
    if models is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    served = getattr(request.app.state, "served", None)
    pool = None if served is None else served.pool  # serve.offload.ModelPool when checks run in model processes
    states = None if pool is None else pool.states()
    # Reported, not required: without the database the check routes still work, so this stays 200.
    database = await anyio.to_thread.run_sync(request.app.state.db.status)
    return JSONResponse(
        {
            "status": "ready",
            "ad_model": models.ad.version,
            "comment_model": models.comment_version,
            "load_seconds": models.load_seconds,
            "load_steps": models.load_steps,
            "checks_run_in": "model processes" if states is not None and states["alive"] else "worker threads",
            "model_processes": None if states is None else {"started": pool.size, **states},
            "database": database,
        }
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    dependencies=[Depends(require_api_key)],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
async def metrics(request: Request, metrics: Annotated[Metrics, Depends(get_metrics)]) -> Response:
    if not request.app.state.settings.metrics_enabled:
        return JSONResponse({"message": "metrics are disabled", "detail": "metrics are disabled"}, status_code=404)
    served = getattr(request.app.state, "served", None)
    if served is not None and served.pool is not None:
        metrics.set_model_processes(served.pool.states())
    return Response(metrics.render(), media_type=metrics.content_type)
