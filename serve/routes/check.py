"""``POST /v1/check`` (one note) and ``POST /v1/check/batch`` (up to ``max_batch`` notes, order kept).

Validation runs on the event loop (cheap); tokenizing, scoring and encoding the response run in a worker thread,
so they never block the event loop: single-note checks through the app's :class:`serve.deps.ModelQueue` (which
checks the notes that queued together in one vectorised call, :func:`check_notes`), batches through
:func:`serve.deps.run_model`. Responses are built as plain JSON (the declared response models document them and
the fuzz tests check them), which avoids validating every result twice.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from serve.deps import LoadedModels, Served, get_served, require_api_key, run_model
from serve.metrics import Metrics
from serve.schemas import ERROR_RESPONSES, BatchIn, BatchOut, CheckOut, NoteIn, batch_limit_errors, note_limit_errors

router = APIRouter(prefix="/v1", tags=["check"], dependencies=[Depends(require_api_key)], responses=ERROR_RESPONSES)

#: Below this many notes a batch is checked note by note on the fast path; above, in one vectorised call.
VECTORISE_FROM = 16

Top = Annotated[int | None, Query(ge=0, le=50, description="reasons each way (default: the server's top_reasons)")]


def result_payload(result: Any, note: NoteIn, comments: dict[str, Any] | None, version: str) -> dict[str, Any]:
    """The JSON of one :class:`model.CheckResult` as documented by :class:`serve.schemas.CheckOut`."""
    e = result.explanation

    def reasons(items: Any) -> list[dict[str, Any]]:
        return [
            {"feature": r.feature, "label": r.label, "kind": r.kind, "contribution": r.contribution,
             "evidence": list(r.evidence)}
            for r in items
        ]  # fmt: skip

    return {
        "id": note.id,
        "decision": result.decision,
        "ad_probability": result.ad_probability,
        "threshold": result.threshold,
        "review_threshold": result.review_threshold,
        "reasons": {
            "towards_ad": reasons(e.towards_ad),
            "towards_genuine": reasons(e.towards_genuine),
            "intercept": e.intercept,
            "log_odds": e.log_odds,
        },
        "cues": [{"cue": c["cue"], "label": c["label"], "evidence": list(c["evidence"])} for c in result.cues],
        "comments": comments,
        "model_version": version,
    }


def score_comments(models: LoadedModels, note: NoteIn, metrics: Metrics) -> dict[str, Any] | None:
    """Comment scores for a note that came with comments (None without comments or without a comment model)."""
    if not note.comments or models.comments is None:
        return None
    comments = [c if isinstance(c, str) else c.model_dump(exclude_none=True) for c in note.comments]
    report = models.comments.score(comments, note.keywords).to_dict()
    metrics.comments.inc(len(comments))
    return report


def score_comments_many(models: LoadedModels, notes: list[NoteIn], metrics: Metrics) -> list[dict[str, Any] | None]:
    """:func:`score_comments` for a batch: one sentiment pass per distinct keyword request, order kept."""
    out: list[dict[str, Any] | None] = [None] * len(notes)
    if models.comments is None:
        return out
    groups: dict[str, list[int]] = {}
    for i, note in enumerate(notes):
        if note.comments:
            groups.setdefault(json.dumps(note.keywords, sort_keys=True), []).append(i)
    for members in groups.values():
        comments = [
            [c if isinstance(c, str) else c.model_dump(exclude_none=True) for c in notes[i].comments or ()]
            for i in members
        ]
        reports = models.comments.score_many(comments, notes[members[0]].keywords)
        for i, report in zip(members, reports, strict=True):
            out[i] = report.to_dict()
        metrics.comments.inc(sum(len(c) for c in comments))
    return out


def check_notes(models: LoadedModels, metrics: Metrics, jobs: list[tuple[NoteIn, int]]) -> list[JSONResponse]:
    """The responses of single-note checks ``(note, top)`` run together (the app's :class:`serve.deps.ModelQueue`
    calls this in a worker thread): one vectorised :meth:`model.AdModel.check_many` per distinct ``top``, which
    gives each note exactly the result :meth:`model.AdModel.check` gives it alone."""
    results: list[Any] = [None] * len(jobs)
    by_top: dict[int, list[int]] = {}
    for i, (_, k) in enumerate(jobs):
        by_top.setdefault(k, []).append(i)
    for k, members in by_top.items():
        notes = [jobs[i][0].as_note() for i in members]
        checked = models.ad.check_many(notes, top=k) if len(notes) > 1 else [models.ad.check_fast(notes[0], top=k)]
        for i, result in zip(members, checked, strict=True):
            results[i] = result
    version = models.ad.version
    out = []
    for (note, _), result in zip(jobs, results, strict=True):
        metrics.count_decisions([result.decision])
        out.append(JSONResponse(result_payload(result, note, score_comments(models, note, metrics), version)))
    return out


def _reject(errors: list[dict[str, Any]]) -> None:
    if errors:
        raise RequestValidationError(errors)


@router.post("/check", response_model=CheckOut, summary="Check one note before it is published")
async def check(note: NoteIn, served: Annotated[Served, Depends(get_served)], top: Top = None) -> JSONResponse:
    """Decision (`ad` / `review` / `genuine`), calibrated ad probability, thresholds, the readable reasons each
    way, the advertising cues found, and comment scores when comments were sent."""
    settings = served.settings
    _reject(note_limit_errors(note, settings))
    return await served.checks.submit((note, settings.top_reasons if top is None else top))


@router.post("/check/batch", response_model=BatchOut, summary="Check several notes in one call (order kept)")
async def check_batch(
    batch: BatchIn, request: Request, served: Annotated[Served, Depends(get_served)], top: Top = None
) -> JSONResponse:
    """One result per note, in the order sent; at most `max_batch` notes (256 unless configured)."""
    models, settings, metrics = served.models, served.settings, served.metrics
    _reject(batch_limit_errors(batch, settings))
    k = settings.top_reasons if top is None else top

    def work() -> JSONResponse:
        notes = [n.as_note() for n in batch.notes]
        if len(notes) >= VECTORISE_FROM:
            results = models.ad.check_many(notes, top=k)
        else:
            results = [models.ad.check_fast(n, top=k) for n in notes]
        metrics.count_decisions([r.decision for r in results])
        version = models.ad.version
        comments = score_comments_many(models, batch.notes, metrics)
        payload = [result_payload(r, n, c, version) for r, n, c in zip(results, batch.notes, comments, strict=True)]
        return JSONResponse({"n": len(payload), "results": payload, "model_version": version})

    return await run_model(request, work)
