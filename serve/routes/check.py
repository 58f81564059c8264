"""``POST /v1/check`` (one note) and ``POST /v1/check/batch`` (up to ``max_batch`` notes, order kept).

Validation runs on the event loop (cheap); tokenizing, scoring and encoding the response (:func:`check_jobs`) run
off it: in the model process when the server has one (:mod:`serve.offload`), else in a worker thread. Single-note
checks go through the app's :class:`serve.deps.ModelQueue`, which checks the notes that queued together in one
vectorised call (:func:`check_notes`); batches through :func:`serve.deps.run_model`. Response bodies are built as
plain JSON (the declared response models document them and the fuzz tests check them), which avoids validating
every result twice, and encoded by pydantic-core (several times faster than the standard library's encoder).

``POST /v1/check`` has a fast lane (:class:`CheckRoute`) for requests that are valid as sent.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import to_json

from model.classifier import MAX_TOP
from serve.deps import LoadedModels, Served, get_served, require_api_key, run_model
from serve.json_body import UniqueKeysRoute, unique_keys_request
from serve.metrics import Metrics
from serve.schemas import (
    ERROR_RESPONSES,
    BatchIn,
    BatchOut,
    CheckOut,
    NoteIn,
    batch_limit_errors,
    batch_size_errors,
    budget_error,
    comment_chars,
    note_chars,
    note_limit_errors,
)
from serve.settings import Settings

router = APIRouter(
    prefix="/v1",
    route_class=UniqueKeysRoute,
    tags=["check"],
    dependencies=[Depends(require_api_key)],
    responses=ERROR_RESPONSES,
)

TOP_MAX = MAX_TOP
Top = Annotated[
    int | None,
    Query(ge=0, le=TOP_MAX, description="readable reasons returned (default: the server's top_reasons)"),
]
#: The rule of the ``top`` query parameter, for the fast lane (the same constraints as :data:`Top`).
TOP = TypeAdapter(Annotated[int, Field(ge=0, le=TOP_MAX)])


#: One single-note check as it crosses to the model (thread or process): the note as plain data (``id``,
#: ``title``, ``text``, ``comments``, ``keywords``) and the number of reasons each way.
Job = tuple[dict[str, Any], int]
#: What the model side returns per job: the response body, the decision, whether the note's own declaration decided it
#: (``declared``, see :mod:`model.declared`) and the number of comments scored.
Checked = tuple[bytes, str, bool, int]


def job_of(note: NoteIn, top: int) -> Job:
    """The plain-data job of a validated note (cheap to send to a model process)."""
    data = note.as_note()
    data["keywords"] = note.keywords
    return data, top


def result_payload(result: Any, note_id: str | None, comments: dict[str, Any] | None, version: str) -> dict[str, Any]:
    """The JSON of one :class:`model.CheckResult` as documented by :class:`serve.schemas.CheckOut`."""
    return {"id": note_id, **result.to_dict(), "comments": comments, "model_version": version}


def score_comments_many(models: LoadedModels, notes: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    """Comment reports of notes (plain data) that came with comments or keyword sets: one sentiment pass per
    distinct keyword request, order kept. An empty list is a note of zero comments, and keyword sets without
    comments ask for the report of a note that has none: both get the report of no comments (count 0, ratios
    null), as ``/v1/comments/score`` and ``notecheck comments`` give it. None for notes with neither, or on a
    server without a comment model."""
    out: list[dict[str, Any] | None] = [None] * len(notes)
    if models.comments is None:
        return out
    groups: dict[str, list[int]] = {}
    for i, note in enumerate(notes):
        if note["comments"] is not None or note["keywords"] is not None:
            groups.setdefault(json.dumps(note["keywords"], sort_keys=True), []).append(i)
    for members in groups.values():
        reports = models.comments.score_many(
            [notes[i]["comments"] or [] for i in members], notes[members[0]]["keywords"]
        )
        for i, report in zip(members, reports, strict=True):
            out[i] = report.to_dict()
    return out


def check_jobs(models: LoadedModels, jobs: list[Job]) -> list[Checked]:
    """Check notes (in a worker thread or the model process): one vectorised :meth:`model.AdModel.check_many` per
    distinct ``top`` (each note gets exactly the result :meth:`model.AdModel.check` gives it alone), comments
    scored, each response body encoded as JSON. Reads the models only."""
    results: list[Any] = [None] * len(jobs)
    by_top: dict[int, list[int]] = {}
    for i, (_, k) in enumerate(jobs):
        by_top.setdefault(k, []).append(i)
    for k, members in by_top.items():
        notes = [jobs[i][0] for i in members]
        checked = models.ad.check_many(notes, top=k) if len(notes) > 1 else [models.ad.check(notes[0], top=k)]
        for i, result in zip(members, checked, strict=True):
            results[i] = result
    notes = [note for note, _ in jobs]
    comments = score_comments_many(models, notes)
    version = models.ad.version
    return [
        (
            to_json(result_payload(r, n["id"], c, version)),
            r.decision,
            r.declared is not None,
            len(n["comments"] or ()) if c else 0,
        )
        for r, n, c in zip(results, notes, comments, strict=True)
    ]


def count_checked(metrics: Metrics, checked: list[Checked]) -> None:
    """Count the decisions and scored comments of checked jobs (in the serving process, which owns the metrics)."""
    metrics.count_decisions([decision for _, decision, _, _ in checked], declared=sum(d for _, _, d, _ in checked))
    scored = sum(n for *_, n in checked)
    if scored:
        metrics.comments.inc(scored)


def responses(metrics: Metrics, checked: list[Checked]) -> list[Response]:
    """The HTTP responses of checked jobs, counted."""
    count_checked(metrics, checked)
    return [Response(body, media_type="application/json") for body, *_ in checked]


def check_notes(run: Callable[[list[Job]], list[Checked]], metrics: Metrics, jobs: list[Job]) -> list[Response]:
    """The responses of single-note checks that queued together (the app's :class:`serve.deps.ModelQueue` calls
    this in a worker thread); ``run`` is :func:`check_jobs` on the app's models, in this process or the model
    process (:mod:`serve.offload`)."""
    return responses(metrics, run(jobs))


async def fast_check(request: Request) -> Response | None:
    """The response to a ``POST /v1/check`` that is valid as sent, or None for any other request.

    Valid as sent: the models are loaded, the only query parameter is a valid ``top`` (validated by the same
    :data:`TOP` as the route's parameter), the body is declared ``application/json`` with a Content-Length (so the body
    limit was checked on the header) and validates as a :class:`NoteIn` within the limits. The body is validated
    from its bytes in one pydantic-core pass (:meth:`NoteIn.model_validate_json`) instead of FastAPI's JSON
    decoding, body validation and dependency solving (about half the event loop's time per check); the note then
    goes to the same queue as on the standard path. Everything else returns None, and the standard FastAPI handler
    gives its usual answer (413, 422 naming the field, 503): errors are produced in one place only. The API key
    was checked before, for both paths, by :class:`serve.middleware.APIKeyMiddleware`; the limits are the route's own
    :func:`serve.schemas.note_limit_errors`.
    """
    served: Served | None = getattr(request.app.state, "served", None)
    if served is None:
        return None
    settings = served.settings
    top = settings.top_reasons
    if request.scope["query_string"]:
        query = request.query_params
        raw = query.get("top")
        if len(query) != 1 or raw is None:
            return None
        try:
            top = TOP.validate_python(raw)
        except ValidationError:
            return None
    headers = request.headers
    if headers.get("content-type") != "application/json" or "content-length" not in headers:
        return None
    try:
        # pydantic's JSON reader, like Python's, keeps the last value of a repeated key: the body is read once as
        # the standard handler reads it (refusing one, serve.json_body), which that handler then reuses if called.
        await request.json()
    except (ValueError, RecursionError):
        return None
    try:
        note = NoteIn.model_validate_json(await request.body())
        admit_note(note, settings)
    except (ValidationError, RequestValidationError, HTTPException):
        return None
    return await served.checks.submit(job_of(note, top))


class CheckRoute(UniqueKeysRoute):
    """``APIRoute`` whose handler tries :func:`fast_check` first and falls back to FastAPI's standard handler
    (FastAPI's documented way to customise a route's request handling). The declared endpoint, its parameters
    and the OpenAPI document are unchanged; a request gets the same response on either path (tested). Both read
    the body as a :class:`serve.json_body.UniqueKeysRequest`."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        standard = super().get_route_handler()

        async def handler(request: Request) -> Response:
            request = unique_keys_request(request)
            response = await fast_check(request)
            return response if response is not None else await standard(request)

        return handler


def _reject(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise RequestValidationError(errors)


def admit_note(note: NoteIn, settings: Settings, loc: tuple[str | int, ...] = ("body",)) -> None:
    """The server's limits on one validated note, for the route, its fast lane and the note of an appeal alike: a
    422 naming the field over a limit (under ``loc``), a 413 over the per-request budget (``max_request_chars``)."""
    _reject(note_limit_errors(note, settings, loc))
    error = budget_error(note_chars(note), settings, comment_chars(note.comments))
    if error is not None:
        raise error


def chunk_jobs(jobs: list[Job], max_chars: int) -> list[list[Job]]:
    """``jobs`` in order, in parts of at most ``max_chars`` characters (a longer note is a part of its own)."""
    parts: list[list[Job]] = []
    size = 0
    for job in jobs:
        note = job[0]
        chars = len(note["title"]) + len(note["text"])
        chars += sum(len(c if isinstance(c, str) else c["text"]) for c in note["comments"] or ())
        if not parts or size + chars > max_chars:
            parts.append([])
            size = 0
        parts[-1].append(job)
        size += chars
    return parts


async def check(note: NoteIn, served: Annotated[Served, Depends(get_served)], top: Top = None) -> Response:
    """Decision (`ad` / `review` / `genuine`), calibrated ad probability, thresholds, the readable reasons each
    way, the advertising cues found, and comment scores when comments (an empty list too) or keyword sets were
    sent."""
    settings = served.settings
    admit_note(note, settings)
    return await served.checks.submit(job_of(note, settings.top_reasons if top is None else top))


router.add_api_route(
    "/check",
    check,
    methods=["POST"],
    response_model=CheckOut,
    summary="Check one note before it is published",
    route_class_override=CheckRoute,
)


def batch_errors(exc: RequestValidationError, settings: Settings) -> RequestValidationError:
    """``exc`` with the limit errors of every note of the batch its errors do not name: pydantic's errors come
    before the server's limits are checked, so without these a client who fixed the notes it was told of would
    get a second 422 for a note over a limit it could have been told of at once. Errors stay in note order."""
    errors = list(exc.errors())
    notes = exc.body.get("notes") if isinstance(exc.body, dict) else None
    if not isinstance(notes, list):
        return exc
    if too_many := batch_size_errors(notes, settings):  # as for a batch the schema accepts: no note's limits
        return RequestValidationError([*too_many, *errors], body=exc.body)
    named = {e["loc"][2] for e in errors if len(e.get("loc", ())) > 2 and tuple(e["loc"][:2]) == ("body", "notes")}
    extra: list[dict[str, Any]] = []
    for i, raw in enumerate(notes):
        if i in named:
            continue
        try:
            note = NoteIn.model_validate(raw)
        except ValidationError:  # the errors already name this note, or name the body as a whole
            continue
        extra += note_limit_errors(note, settings, ("body", "notes", i))
    if not extra:
        return exc

    def place(e: Any) -> tuple[int, int]:
        loc = tuple(e.get("loc", ()))
        return (1, loc[2]) if len(loc) > 2 and loc[:2] == ("body", "notes") and isinstance(loc[2], int) else (0, 0)

    return RequestValidationError(sorted(errors + extra, key=place), body=exc.body)


class BatchRoute(UniqueKeysRoute):
    """``APIRoute`` of ``/v1/check/batch`` whose 422 names every note that is wrong: the notes pydantic accepted
    are checked against the server's limits too (:func:`batch_errors`)."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        standard = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await standard(request)
            except RequestValidationError as exc:
                served: Served | None = getattr(request.app.state, "served", None)
                if served is None:
                    raise
                raise batch_errors(exc, served.settings) from None

        return handler


async def check_batch(
    batch: BatchIn, request: Request, served: Annotated[Served, Depends(get_served)], top: Top = None
) -> Response:
    """One result per note, in the order sent; at most `max_batch` notes (256 unless configured) and
    `max_request_chars` characters of titles, texts and comments (200,000 unless configured)."""
    models, settings, metrics = served.models, served.settings, served.metrics
    _reject(batch_limit_errors(batch, settings))
    total = sum(note_chars(n) for n in batch.notes)
    error = budget_error(total, settings, sum(comment_chars(n.comments) for n in batch.notes))
    if error is not None:
        raise error
    k = settings.top_reasons if top is None else top
    # Part by part, each waiting its turn at the model like any other request: a large batch never holds a model
    # process for long, and single checks queued meanwhile go between its parts.
    checked: list[Checked] = []
    for part in chunk_jobs([job_of(n, k) for n in batch.notes], settings.model_chunk_chars):
        checked += await run_model(request, served.run_checks, part)
    count_checked(metrics, checked)
    parts = b",".join(body for body, *_ in checked)
    version = to_json(models.ad.version)
    return Response(b'{"n":%d,"results":[%b],"model_version":%b}' % (len(checked), parts, version),
                    media_type="application/json")  # fmt: skip


router.add_api_route(
    "/check/batch",
    check_batch,
    methods=["POST"],
    response_model=BatchOut,
    summary="Check several notes in one call (order kept)",
    route_class_override=BatchRoute,
)
