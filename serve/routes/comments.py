"""``POST /v1/comments/score``: comments and keyword sets -> keyword ratios, sentiment counts, positive share."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from serve.deps import Served, get_comment_scorer, get_served, require_api_key, run_model
from serve.json_body import UniqueKeysRoute
from serve.schemas import ERROR_RESPONSES, CommentsIn, CommentsOut, budget_error, comment_chars, comments_limit_errors

router = APIRouter(
    prefix="/v1",
    route_class=UniqueKeysRoute,
    tags=["comments"],
    dependencies=[Depends(require_api_key)],
    responses=ERROR_RESPONSES,
)


@router.post("/comments/score", response_model=CommentsOut, summary="Score comments against keyword sets")
async def score_comments(
    body: CommentsIn,
    request: Request,
    scorer: Annotated[Any, Depends(get_comment_scorer)],  # first: a 503 without a comment model, as documented
    served: Annotated[Served, Depends(get_served)],
) -> JSONResponse:
    """Per comment: sentiment label and positive probability, keyword hits, and whether it looks like bought or
    templated engagement (``suspect``, ``suspect_reason``); overall: share of comments mentioning each keyword
    set, sentiment label counts and the positive share (plain and like-weighted), the share of suspect comments
    (``water_ratio``) and the ratios without them (``keyword_ratio_clean``, ``positive_share_clean``)."""
    models, metrics = served.models, served.metrics
    errors = comments_limit_errors(body, served.settings)
    if errors:
        raise RequestValidationError(errors)
    chars = comment_chars(body.comments)
    error = budget_error(chars + len(body.note_text), served.settings, chars)  # the note's text counts too
    if error is not None:
        raise error
    comments = [c if isinstance(c, str) else c.model_dump(mode="json", exclude_none=True) for c in body.comments]

    def work() -> JSONResponse:
        report = scorer.score(comments, body.keywords, note_text=body.note_text).to_dict()
        report["model_version"] = models.comment_version or "unversioned"
        return JSONResponse(report)

    response = await run_model(request, work)
    metrics.comments.inc(len(comments))
    return response
