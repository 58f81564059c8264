"""Prometheus metrics of one app: request counts, latency histograms, decisions by label and the declared-ad rule's.

Each app owns its :class:`prometheus_client.CollectorRegistry` (never the global one), so several apps in one
process (tests) do not share counters. With several uvicorn workers each worker reports its own numbers.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

#: Latency buckets in seconds: fine below 10 ms, where single-note checks live.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

#: Label for requests that matched no route (keeps label cardinality bounded under scanning or fuzzing).
UNMATCHED = "(unmatched)"
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class Metrics:
    """The collectors of one app and the ASGI middleware that feeds them."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "notecheck_http_requests",
            "HTTP requests by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "notecheck_http_request_duration_seconds",
            "Time from receiving a request to sending the end of its response.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.decisions = Counter(
            "notecheck_decisions", "Notes checked, by decision.", ("decision",), registry=self.registry
        )
        # A counter of its own rather than a label of notecheck_decisions: the series and queries on decisions stay
        # as they were, and the rule's share is declared / decisions{decision="ad"}.
        self.declared = Counter(
            "notecheck_declared_decisions",
            "Notes decided ad because they declare themselves ads (#广告, #ad, 本篇是广告, ...) whatever the model's "
            'probability; each is also counted in notecheck_decisions{decision="ad"}.',
            registry=self.registry,
        )
        self.notes = Histogram(
            "notecheck_batch_notes",
            "Notes per check request.",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
            registry=self.registry,
        )
        self.comments = Counter(
            "notecheck_comments_scored",
            "Comments scored (in /v1/check and /v1/comments/score).",
            registry=self.registry,
        )
        self.ready = Gauge("notecheck_models_loaded", "1 once the models are loaded.", registry=self.registry)
        self.load_seconds = Gauge("notecheck_model_load_seconds", "Time to load the models.", registry=self.registry)
        self.model_processes = Gauge(
            "notecheck_model_processes",
            "Model processes of this worker by state: alive, stopped (SIGSTOP) or failed (died, hung, killed).",
            ("state",),
            registry=self.registry,
        )
        for decision in ("ad", "review", "genuine"):
            self.decisions.labels(decision)  # export zeros so dashboards see every label

    def count_decisions(self, decisions: list[str], *, declared: int = 0) -> None:
        """Count one request's decisions, ``declared`` of which the notes' own declarations made (model.declared)."""
        for d in decisions:
            self.decisions.labels(d).inc()
        if declared:
            self.declared.inc(declared)
        self.notes.observe(len(decisions))

    def set_model_processes(self, states: dict[str, int]) -> None:
        """Record how many model processes are in each state (read when /metrics is scraped)."""
        for state, n in states.items():
            self.model_processes.labels(state).set(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Pure ASGI middleware: counts every HTTP request and observes its latency by route template."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or UNMATCHED
            method = scope.get("method", "")
            method = method if method in _METHODS else "OTHER"
            self.metrics.requests.labels(method, path, str(status)).inc()
            self.metrics.latency.labels(method, path).observe(time.perf_counter() - start)
