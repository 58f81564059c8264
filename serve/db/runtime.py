"""The database's part in a running app: opened by the app factory, migrated at start-up, watched while serving.

:func:`attach` puts a :class:`~serve.db.database.Database`, the appeal rate limiter and the appeal metrics on the
app; :func:`running` (entered in the app's lifespan) applies pending migrations — an unreachable database is
logged and retried later, it never stops the check routes from starting — and refreshes the database's metrics
every :data:`REFRESH_SECONDS` in a worker thread, so that ``/metrics`` never waits for the database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from serve.db.appeals import outcome_counts
from serve.db.checklog import DecisionLog
from serve.db.database import Database
from serve.db.engine import UNAVAILABLE_ERRORS, DatabaseUnavailable
from serve.db.writer import AppealWriter
from serve.ratelimit import RateLimiter
from serve.settings import Settings

log = logging.getLogger("notecheck.db")
REFRESH_SECONDS = 15.0


class AppealMetrics(Collector):
    """Appeals created and resolved by this process (counters), and from the database (refreshed gauges):
    appeals per model version and status, the overturn rate per model version, and whether the database is up."""

    def __init__(self, registry: Any) -> None:
        self.created = Counter(
            "notecheck_appeals_created", "Appeals created, by claimed label.", ("claimed_label",), registry=registry
        )
        self.resolved = Counter(
            "notecheck_appeals_resolved", "Appeals resolved, by outcome.", ("outcome",), registry=registry
        )
        for label in ("genuine", "ad"):
            self.created.labels(label)
        for outcome in ("upheld", "overturned"):
            self.resolved.labels(outcome)
        self.counts: list[tuple[str, str, int]] = []
        self.up: int | None = None
        registry.register(self)

    def refresh(self, db: Database) -> None:
        """Read the per-version counts (in a worker thread)."""
        try:
            with db.session() as session:
                self.counts = outcome_counts(session)
            self.up = 1
        except (DatabaseUnavailable, *UNAVAILABLE_ERRORS):
            self.up = 0

    def collect(self) -> Iterable[Any]:
        up = GaugeMetricFamily("notecheck_database_up", "1 when the appeals database answered at the last refresh.")
        if self.up is not None:
            up.add_metric([], self.up)
        yield up
        appeals = GaugeMetricFamily(
            "notecheck_appeals",
            "Appeals in the database, by model version and status.",
            labels=["model_version", "status"],
        )
        rate = GaugeMetricFamily(
            "notecheck_appeal_overturn_rate",
            "Share of the resolved appeals of a model version that overturned its decision.",
            labels=["model_version"],
        )
        resolved: dict[str, list[int]] = {}
        for version, status, n in self.counts:
            appeals.add_metric([version, status], n)
            if status != "open":
                pair = resolved.setdefault(version, [0, 0])
                pair[0] += n if status == "overturned" else 0
                pair[1] += n
        for version, (overturned, total) in sorted(resolved.items()):
            rate.add_metric([version], overturned / total)
        yield appeals
        yield rate

    def describe(self) -> Iterable[Any]:
        return []


def attach(app: Any, settings: Settings) -> None:
    """Give ``app`` its database (not connected yet), moderator keys, appeal rate limiter and appeal metrics."""
    app.state.db = Database(settings.resolved_database_url())
    app.state.moderator_keys = [k.get_secret_value().encode("utf-8") for k in settings.moderator_keys]
    app.state.appeal_limiter = RateLimiter(settings.appeal_rate_limit)
    app.state.appeal_metrics = AppealMetrics(app.state.metrics.registry)
    app.state.log_checks = settings.log_checks
    app.state.appeal_writer = None
    app.state.appeal_group_commit = settings.appeal_group_commit
    app.state.decision_log = None


def logging_checks(app: Any, run: Callable[[list[Any]], list[Any]]) -> Callable[[list[Any]], list[Any]]:
    """The app's check function, recording every checked note in the decision log when ``log_checks`` is on
    (the log's writer thread starts here and stops with :func:`running`)."""
    if app.state.log_checks == "off":
        return run
    dropped = Counter(
        "notecheck_decision_log_dropped",
        "Decision-log entries dropped (queue full or database unavailable).",
        registry=app.state.metrics.registry,
    )
    app.state.decision_log = DecisionLog(app.state.db, app.state.log_checks, dropped)
    return app.state.decision_log.wrap(run)


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[None]:
    """Migrate (in a worker thread), keep the metrics fresh while the app serves, close the engine at the end."""
    db: Database = app.state.db
    metrics: AppealMetrics = app.state.appeal_metrics
    if await anyio.to_thread.run_sync(db.migrate):
        log.info("appeals database %s at revision %s", db.display_url, db.revision)
    if app.state.appeal_group_commit:
        app.state.appeal_writer = AppealWriter(db)

    async def refresh_forever() -> None:
        while True:
            await anyio.to_thread.run_sync(metrics.refresh, db)
            await anyio.sleep(REFRESH_SECONDS)

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(refresh_forever)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
    finally:
        if app.state.appeal_writer is not None:
            await anyio.to_thread.run_sync(app.state.appeal_writer.close)
            app.state.appeal_writer = None
        if app.state.decision_log is not None:
            await anyio.to_thread.run_sync(app.state.decision_log.close)
            app.state.decision_log = None
        db.close()
