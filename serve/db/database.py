"""One application's database: engine, session factory, migration state and health.

:class:`Database` is built by the app factory and closed with the app; routes get sessions from it through
:func:`serve.db.deps.get_session`. It never raises SQLAlchemy's connection errors at its users: they become a
:class:`~serve.db.engine.DatabaseUnavailable` naming the cause, which the API answers with 503 while the check
routes go on without the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic.util import CommandError
from sqlalchemy import text
from sqlalchemy.orm import Session

from serve.db.engine import UNAVAILABLE_ERRORS, DatabaseUnavailable, make_engine, make_sessionmaker, redact
from serve.db.migrate import head_revision, upgrade

log = logging.getLogger("notecheck.db")

#: Seconds between attempts to migrate a database that was unreachable (at start-up, or since).
RETRY_SECONDS = 2.0


def unavailable_reason(exc: BaseException) -> str:
    """A one-line reason without the SQL statement or parameters SQLAlchemy appends."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}: {exc.filename}"
    orig = getattr(exc, "orig", None) or exc
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return f"{type(orig).__name__}: {first[:200]}"


class Database:
    """The appeals database at ``url`` (see :mod:`serve.db.engine`); migrated by :meth:`migrate`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = make_sessionmaker(self.engine)
        self.revision: str | None = None
        self.last_error: str | None = None
        self._last_attempt = 0.0
        self._lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return redact(self.url)

    @property
    def migrated(self) -> bool:
        return self.revision is not None and self.revision == head_revision()

    def migrate(self) -> bool:
        """Apply pending migrations; False (and ``last_error`` set, logged) when the database is unreachable."""
        with self._lock:
            self._last_attempt = time.monotonic()
            try:
                self.revision = upgrade(self.engine)
            except (*UNAVAILABLE_ERRORS, OSError) as exc:  # OSError: the SQLite file's directory cannot be made
                self.last_error = unavailable_reason(exc)
                log.error("appeals database %s is unavailable: %s", self.display_url, self.last_error)
                return False
            except CommandError as exc:  # e.g. a schema revision from a newer notecheck: refuse it, keep serving checks
                self.last_error = f"cannot migrate the schema: {exc}"
                log.error("appeals database %s: %s", self.display_url, self.last_error)
                return False
            self.last_error = None
            return True

    def ensure_ready(self) -> None:
        """Migrate now if that has not succeeded yet (at most every RETRY_SECONDS); else DatabaseUnavailable."""
        if self.revision is not None:
            return
        if time.monotonic() - self._last_attempt >= RETRY_SECONDS and self.migrate():
            return
        raise DatabaseUnavailable(self.last_error or "the database has not been migrated yet")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session; connection failures inside become DatabaseUnavailable (other errors pass through)."""
        self.ensure_ready()
        try:
            with self._sessions() as session:
                yield session
        except UNAVAILABLE_ERRORS as exc:
            self.last_error = unavailable_reason(exc)
            log.error("appeals database %s is unavailable: %s", self.display_url, self.last_error)
            raise DatabaseUnavailable(self.last_error) from exc

    def status(self) -> dict[str, Any]:
        """What /readyz reports: reachable or not (a live round trip), the schema revision, the redacted URL."""
        out: dict[str, Any] = {"dialect": self.dialect, "url": self.display_url, "revision": self.revision}
        try:
            self.ensure_ready()
            with self._sessions() as session:
                session.execute(text("SELECT 1"))
        except (DatabaseUnavailable, *UNAVAILABLE_ERRORS) as exc:
            reason = str(exc) if isinstance(exc, DatabaseUnavailable) else unavailable_reason(exc)
            return {**out, "status": "unavailable", "error": reason}
        return {**out, "status": "ok", "revision": self.revision}

    def close(self) -> None:
        self.engine.dispose()
