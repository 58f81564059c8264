"""FastAPI dependencies of the database: the app's :class:`~serve.db.database.Database` and a session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from serve.db.database import Database
from serve.db.engine import DatabaseUnavailable

#: Seconds a client is told to wait when the database is unavailable.
UNAVAILABLE_RETRY_AFTER = "5"


def get_db(request: Request) -> Database:
    db = getattr(request.app.state, "db", None)
    if db is None:  # pragma: no cover - every app built by create_app has one
        raise HTTPException(status_code=503, detail="This server has no appeals database configured.")
    return db


def get_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    """A session for one request (run in the thread pool: opening it may migrate a database that came back)."""
    with db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
DatabaseDep = Annotated[Database, Depends(get_db)]


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """503 for :class:`DatabaseUnavailable` (registered on the app by :func:`serve.app.create_app`). The cause
    (the driver's message: host, port, database name) goes to the server's log, where the database is logged
    unavailable, and to ``/readyz``; a writer sees that it is down, not where it runs."""
    message = (
        "The appeals database is unavailable. Appeals cannot be created or read until it is back; "
        "the check routes keep working. Retry later."
    )
    headers = {"Retry-After": UNAVAILABLE_RETRY_AFTER}
    return JSONResponse(status_code=503, content={"message": message, "detail": message}, headers=headers)


__all__ = ["DatabaseDep", "DatabaseUnavailable", "SessionDep", "database_unavailable", "get_db", "get_session"]
