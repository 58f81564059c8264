"""Appeals: a writer disputes a decision, a moderator resolves it, resolved appeals become training data.

- ``POST /v1/appeals`` (client keys, rate-limited per key and per address): the note is checked again and the
  model's decision, probability and highlights are stored with the writer's claim; 201 once the row is committed,
  409 when the claim agrees with the model's decision (genuine claimed for ``genuine``, ad for ``ad``).
- ``GET /v1/appeals/{id}`` (client keys): the appeal and its status.
- ``GET /v1/appeals?status=open`` (moderator keys; ``upheld``, ``overturned`` or ``all`` too): the least certain
  decisions first.
- ``POST /v1/appeals/{id}/resolve`` (moderator keys): ``overturned`` when the model was wrong, else ``upheld``;
  409 when already resolved.

Database work runs in worker threads (sessions from :func:`serve.db.deps.get_session`); an unreachable database
gives 503 (:func:`serve.db.deps.database_unavailable`) while the check routes go on.
"""

from __future__ import annotations

import hmac
import json
from functools import partial
from typing import Annotated, Any, NoReturn

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError

from serve.db import appeals as store
from serve.db.deps import SessionDep
from serve.db.models import stored_span
from serve.deps import Served, get_served, presented_key, require_api_key
from serve.json_body import UniqueKeysRoute
from serve.ratelimit import key_identity, retry_after
from serve.routes.check import admit_note, job_of
from serve.schemas import ERROR_RESPONSES, ErrorOut
from serve.schemas.appeals import AppealCreatedOut, AppealIn, AppealListOut, AppealOut, ResolveIn, StatusFilter
from serve.schemas.validation import IDEMPOTENCY_KEY

router = APIRouter(prefix="/v1", route_class=UniqueKeysRoute, tags=["appeals"], responses=ERROR_RESPONSES)

AppealId = Annotated[str, Path(max_length=36, description="the appeal's id, as returned when it was created")]
_NOT_FOUND = {404: {"model": ErrorOut, "description": "no appeal has this id"}}
_MODERATORS = {403: {"model": ErrorOut, "description": "the key is not a moderator key"}}


# -- roles -------------------------------------------------------------------------------------------------
def moderator_index(request: Request) -> int | None:
    """Which moderator key the request carries (0-based), compared in constant time against every key; None
    when it carries none of them."""
    candidate = presented_key(request)
    if candidate is None:
        return None
    given = candidate.encode("utf-8", "surrogatepass")
    found = None
    for i, key in enumerate(request.app.state.moderator_keys):
        if hmac.compare_digest(given, key) and found is None:
            found = i
    return found


async def require_moderator(request: Request) -> int:
    """401 without a key, 403 with a key that is not a moderator's; else the moderator key's index."""
    if not request.app.state.moderator_keys:
        raise HTTPException(
            status_code=403,
            detail="This server has no moderator keys (NOTECHECK_MODERATOR_KEYS), so appeals are listed and "
            "resolved with `notecheck appeals` on the server instead.",
        )
    if presented_key(request) is None:
        raise HTTPException(
            status_code=401,
            detail="A moderator key is required: send it in the X-API-Key header or as 'Authorization: Bearer "
            "<key>'. Got no key.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    index = moderator_index(request)
    if index is None:
        raise HTTPException(
            status_code=403, detail="This route needs a moderator key. Got a key that is not a moderator key."
        )
    return index


def _identities(request: Request) -> tuple[str, str | None]:
    """Who sent a request, as the limiter and the Idempotency-Key scope name it: its client address, and a digest
    of its API key (None without one)."""
    key = presented_key(request)
    return f"addr:{request.client.host if request.client else 'unknown'}", None if key is None else key_identity(key)


def _rate_limit(request: Request) -> None:
    limiter = request.app.state.appeal_limiter
    wait = limiter.hit(*(i for i in _identities(request) if i is not None))
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail=f"Too many appeals: at most {limiter.per_minute} per minute per API key and per client "
            f"address (appeal_rate_limit). Retry in {retry_after(wait)} s.",
            headers={"Retry-After": retry_after(wait)},
        )


#: A client's ``Idempotency-Key`` (IETF draft-ietf-httpapi-idempotency-key-header): 1 to 255 visible ASCII
#: characters, e.g. a UUID the client makes once per appeal it means to file and sends again with every retry.
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=IDEMPOTENCY_KEY,
        description="optional: a key the client makes for this appeal (e.g. a UUID) and sends again when it "
        "retries; a request repeating an earlier one's key and body files nothing new and gets that appeal back "
        "(header Idempotent-Replayed: true), one with the key and another note, claim or statement is refused (409)",
    ),
]


# -- routes ------------------------------------------------------------------------------------------------
@router.post(
    "/appeals",
    status_code=201,
    response_model=AppealCreatedOut,
    dependencies=[Depends(require_api_key)],
    summary="Dispute the decision on a note",
    responses={
        201: {
            "description": "the appeal is committed (or, for a repeat of an earlier request's Idempotency-Key, "
            "was: that appeal as it is now)",
            "headers": {
                "Location": {"description": "the appeal's status URL", "schema": {"type": "string"}},
                "Idempotent-Replayed": {
                    "description": "'true' when the request repeated an earlier one's Idempotency-Key and filed "
                    "nothing new; absent otherwise",
                    "schema": {"type": "string", "enum": ["true"]},
                },
            },
        },
        409: {
            "model": ErrorOut,
            "description": "the claim agrees with the model's decision: nothing to dispute; or the Idempotency-Key "
            "was sent before with another note, claim or statement",
        },
        422: {"model": ErrorOut, "description": "invalid input (naming the field), or the Idempotency-Key sent twice"},
        429: {
            "model": ErrorOut,
            "description": "too many appeals from this key or address",
            "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}},
        },
    },
)
async def create_appeal(
    body: AppealIn,
    request: Request,
    response: Response,
    served: Annotated[Served, Depends(get_served)],
    session: SessionDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """The note is checked again now, and the model's decision, probability and highlights are stored with the
    writer's claim and statement. 201 means the appeal is committed: follow it at `status_url`. A note the model
    does not flag (decision `genuine`) cannot be appealed as genuine, nor a note decided `ad` reported as an ad:
    409, and nothing reaches the moderators' queue. With an `Idempotency-Key`, a retry of the request (a writer
    pressing the button twice, a client resending after a lost response) gets the appeal it filed, as it is now."""
    note = body.note.as_note_in()
    # The note is checked and its comments scored as /v1/check would: the same limits and per-request budget
    # (without the budget an appeal carried 1,000 comments of 5,000 characters, 100 times what /v1/check takes).
    admit_note(note, served.settings, ("body", "note"))
    digest = None
    sent_keys = request.headers.getlist("idempotency-key")
    if len(sent_keys) > 1:
        # which one names the appeal? (a duplicate JSON key is refused for the same reason)
        _key_error("must be sent once. Got it more than once", sent_keys)
    if idempotency_key is not None:
        digest = store.idempotency_digest(_client_scope(request), idempotency_key)
        earlier = await anyio.to_thread.run_sync(partial(_earlier, session, digest))
        if earlier is not None:  # a retry: no check, no rate-limit hit, nothing new for the moderators
            return _replayed(earlier, note.as_note(), body, request, response)
    _rate_limit(request)
    checked = await served.checks.submit(job_of(note, served.settings.top_reasons))
    result = json.loads(checked.body)
    conflict = _nothing_to_dispute(body.claimed_label, result)
    if conflict:
        # An appeal disputes the decision: a claim the model already agrees with would only fill the moderators'
        # queue. A flagged writer claims 'genuine'; someone reporting an ad the model passed claims 'ad'.
        raise HTTPException(status_code=409, detail=conflict)
    view = store.ModelView(
        model_version=result["model_version"],
        decision=result["decision"],
        ad_probability=result["ad_probability"],
        threshold=result["threshold"],
        review_threshold=result["review_threshold"],
        highlights=result.get("highlights") or [],
        declared=stored_span(result.get("declared")),
    )
    appeal = store.new_appeal(
        note=note.as_note(), view=view, claimed_label=body.claimed_label, statement=body.statement, idempotency=digest
    )
    writer = request.app.state.appeal_writer
    try:
        if writer is not None:  # group commit (serve.db.writer)
            await anyio.to_thread.run_sync(writer.commit, appeal)
        else:
            await anyio.to_thread.run_sync(partial(_commit, session, appeal))
    except IntegrityError:
        # the one unique column a new appeal can collide on: the same key sent twice at once, the other first
        earlier = None if digest is None else await anyio.to_thread.run_sync(partial(_earlier, session, digest))
        if earlier is None:
            raise
        return _replayed(earlier, note.as_note(), body, request, response)
    request.app.state.appeal_metrics.created.labels(body.claimed_label).inc()
    return _created(appeal, request, response)


def _created(appeal: Any, request: Request, response: Response) -> dict[str, Any]:
    url = str(request.url_for("get_appeal", appeal_id=appeal.id).path)
    response.headers["Location"] = url
    out = store.appeal_dict(appeal)
    return {"id": appeal.id, "status": appeal.status, "status_url": url, "created_at": out["created_at"],
            "model": out["model"]}  # fmt: skip


def _replayed(
    appeal: Any, note: dict[str, Any], body: AppealIn, request: Request, response: Response
) -> dict[str, Any]:
    """The answer to a request repeating an earlier one's Idempotency-Key: its appeal, as it is now (201, as the
    first answer was, and ``Idempotent-Replayed: true``), if the request (``note`` as the appeal stores it, the
    claim and statement of ``body``) is the same; else 409."""
    if not store.same_request(appeal, note=note, claimed_label=body.claimed_label, statement=body.statement):
        # 409, not 422: the request is valid, what it conflicts with is the appeal stored under its key
        raise HTTPException(
            status_code=409,
            detail="The 'Idempotency-Key' header must name one appeal: it was sent before with another note, "
            "claimed_label or statement. Send the earlier request again unchanged to get its appeal, or a new key "
            "for a new appeal.",
        )
    response.headers["Idempotent-Replayed"] = "true"
    return _created(appeal, request, response)


def _client_scope(request: Request) -> str:
    """Whose Idempotency-Keys a request's is among: its API key's (a digest); on a server without keys, where any
    writer may send any key, its client address's, so that a key another writer guessed or reused finds nothing."""
    address, key = _identities(request)
    return key or address


def _key_error(message: str, sent: Any) -> NoReturn:
    """A 422 of the Idempotency-Key header, in the shape of every other field's (``field``, ``msg``, what came)."""
    raise RequestValidationError(
        [{"loc": ("header", "Idempotency-Key"), "msg": message, "type": "value_error", "input": sent}]
    )


def _earlier(session: Any, digest: str) -> Any:
    """The appeal filed with the Idempotency-Key whose digest is ``digest``, read afresh: the request's session may
    hold a snapshot from before the racing request committed (SQLite's WAL reads keep one); none is held after a
    miss, while the note is checked."""
    session.rollback()
    found = store.find_idempotent(session, digest)
    if found is None:
        session.rollback()
    return found


def _commit(session: Any, appeal: Any) -> None:
    session.add(appeal)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()  # the session is the request's: it looks the earlier appeal up next
        raise


@router.get(
    "/appeals/{appeal_id}",
    response_model=AppealOut,
    dependencies=[Depends(require_api_key)],
    summary="An appeal and its status",
    responses=_NOT_FOUND,
)
def get_appeal(appeal_id: AppealId, session: SessionDep) -> dict[str, Any]:
    try:
        return store.appeal_dict(store.get_appeal(session, appeal_id))
    except store.AppealNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


@router.get(
    "/appeals",
    response_model=AppealListOut,
    summary="Appeals to decide, declared ads first, then least certain first (moderators)",
    responses=_MODERATORS,
)
def list_appeals(
    _moderator: Annotated[int, Depends(require_moderator)],
    session: SessionDep,
    status: Annotated[StatusFilter, Query(description="which appeals: open, upheld, overturned or all")] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """First the appeals of notes that declared themselves ads (`model.declared` set: the rule decided, not the
    model, so the model's margin does not rank them), oldest first; then by how uncertain the model was (its margin
    from the threshold, smallest first), then oldest."""
    which = None if status == "all" else status  # every appeal, as `notecheck appeals list --status all`
    rows = store.list_appeals(session, status=which, limit=limit, offset=offset)
    return {
        "appeals": [store.appeal_dict(a) for a in rows],
        "total": store.count_appeals(session, status=which),
        "limit": limit,
        "offset": offset,
    }


@router.post(
    "/appeals/{appeal_id}/resolve",
    response_model=AppealOut,
    summary="Decide an open appeal (moderators)",
    responses={**_NOT_FOUND, **_MODERATORS, 409: {"model": ErrorOut, "description": "already resolved"}},
)
def resolve_appeal(
    appeal_id: AppealId,
    body: ResolveIn,
    request: Request,
    moderator: Annotated[int, Depends(require_moderator)],
    session: SessionDep,
) -> dict[str, Any]:
    """`overturned` when the moderator's label differs from the model's (a note flagged `ad` or sent to `review`
    counts as flagged), `upheld` when it agrees."""
    who = body.moderator or f"moderator key #{moderator + 1}"
    try:
        appeal = store.resolve_appeal(session, appeal_id, label=body.label, note=body.note, moderator=who)
    except store.AppealNotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except store.AppealAlreadyResolved as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    request.app.state.appeal_metrics.resolved.labels(appeal.status).inc()
    return store.appeal_dict(appeal)


def _nothing_to_dispute(claimed: str, result: dict[str, Any]) -> str | None:
    """Why an appeal claiming ``claimed`` has nothing to dispute in the check ``result``, or None when it has."""
    decision, p = result["decision"], result["ad_probability"]
    if claimed == "genuine" and decision == "genuine":
        return (
            f"This note is not flagged: the model decides 'genuine' (ad probability {p:.3f}, below the review "
            f"threshold {result['review_threshold']:.3f}), so there is nothing to appeal. Only notes decided 'ad' or "
            "sent to 'review' can be appealed as genuine."
        )
    if claimed == "ad" and decision == "ad" and result.get("declared"):
        return (
            f"The note declares itself an ad (“{result['declared']['quoted']}”), so it is decided 'ad' whatever its ad "
            f"probability ({p:.3f}): there is nothing to dispute. Only notes decided 'genuine' or sent to 'review' can "
            "be reported as ads."
        )
    if claimed == "ad" and decision == "ad":
        return (
            f"The model already decides 'ad' (ad probability {p:.3f}, at or above the threshold "
            f"{result['threshold']:.3f}), so there is nothing to dispute. Only notes decided 'genuine' or sent to "
            "'review' can be reported as ads."
        )
    return None
