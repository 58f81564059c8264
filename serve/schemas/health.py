"""Schemas of the health and readiness routes: liveness, model loading, model processes and the database."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class HealthOut(BaseModel):
    status: Literal["ok"]


class DatabaseStatusOut(BaseModel):
    status: Literal["ok", "unavailable"]
    dialect: str = Field(description="sqlite or postgresql")
    url: str = Field(description="the database URL, password hidden")
    revision: str | None = Field(description="the schema's migration revision")
    error: str | None = Field(None, description="why the database is unavailable")


class ReadyOut(BaseModel):
    status: Literal["ready", "loading"]
    ad_model: str | None = None
    comment_model: str | None = None
    load_seconds: float | None = None
    load_steps: dict[str, float] | None = Field(
        None, description="seconds of each start-up step: reading each model and warming it up"
    )
    checks_run_in: Literal["model processes", "worker threads"] | None = Field(
        None, description="where notes are checked: child processes beside the event loop, or threads of this one"
    )
    model_processes: dict[str, int] | None = Field(
        None,
        description="model processes started, alive, stopped (SIGSTOP) and failed (died, hung or stopped during a "
        "request: killed and reaped; its work is done by the worker itself, no request is lost; not restarted)",
    )
    database: DatabaseStatusOut | None = Field(
        None,
        description="the appeals database: 'ok' or 'unavailable' (with why); the server stays ready without it, "
        "since only the appeal routes need it",
    )
