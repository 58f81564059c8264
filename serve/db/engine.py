"""The engine and session factory of the appeals database, and what makes an error mean "the database is down".

SQLite (the default) runs in WAL mode with ``synchronous=FULL``: a commit is on disk before it returns, so an
appeal acknowledged with 201 survives the server being killed (or the machine losing power), and readers never
wait for the writer. Transactions are begun explicitly (SQLAlchemy's documented recipe for pysqlite, whose own
transaction handling would defer ``BEGIN`` and leave DDL outside transactions). PostgreSQL goes through psycopg 3
(``postgresql+psycopg://``) with a short connect timeout and pre-ping, so a server that is down gives a quick 503
instead of a hung request, and a restarted one is reconnected to transparently.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from model.errors import InvalidParameterError

#: Seconds to wait for a connection (PostgreSQL), a lock (SQLite) or a pooled connection before giving up.
CONNECT_TIMEOUT = 3
LOCK_TIMEOUT_MS = 10_000

#: Errors that mean the database cannot be reached or used right now (as opposed to a bug or bad data).
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    DisconnectionError,
    PoolTimeoutError,
)


class DatabaseUnavailable(RuntimeError):
    """The appeals database cannot be reached or used; the message says why (no credentials in it)."""


def redact(url: str) -> str:
    """The URL with its password hidden (for logs and /readyz)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an invalid database URL)"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (SQLite or PostgreSQL via psycopg), configured as described in the module docstring."""
    try:
        u = make_url(url)
    except ArgumentError:
        raise InvalidParameterError(
            "setting 'database_url' must be an SQLAlchemy URL such as sqlite:///path/notecheck.db or "
            "postgresql+psycopg://user:password@host/db. Got a value that is not a URL."
        ) from None
    backend = u.get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        engine = create_engine(u, connect_args={"timeout": LOCK_TIMEOUT_MS / 1000, "check_same_thread": False})
        if path is not None:
            # The file's directory is made on the first connection, not here: a command that only looks (`db
            # current`, `appeals list` on a mistyped path) makes an engine but connects to nothing, and leaves nothing.
            def make_directory(*_args: Any) -> None:
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                except OSError:
                    pass  # reported as "unavailable" by the connection that follows, with the reason

            event.listen(engine, "do_connect", make_directory)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        if u.get_driver_name() != "psycopg":
            raise InvalidParameterError(
                "setting 'database_url' must use the psycopg 3 driver for PostgreSQL: postgresql+psycopg://... "
                f"Got driver {u.get_driver_name()!r}."
            )
        return create_engine(
            u, pool_pre_ping=True, pool_timeout=CONNECT_TIMEOUT, connect_args={"connect_timeout": CONNECT_TIMEOUT}
        )
    raise InvalidParameterError(
        f"setting 'database_url' must be a sqlite:/// or postgresql+psycopg:// URL. Got a {backend!r} URL."
    )


def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.isolation_level = None  # no implicit BEGIN from the sqlite3 module: see _sqlite_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {LOCK_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:
        # A file that is not SQLite (a mistyped --database-url naming some other file) or a damaged one fails
        # here with a DatabaseError, which is not one of UNAVAILABLE_ERRORS: the commands stopped with a
        # traceback (exit 70) and the server did not start. Raised as an OperationalError, it is reported as
        # the database being unavailable, naming the file, as any database that cannot be used is.
        try:
            what = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
        except sqlite3.Error:
            what = "the file"
        raise sqlite3.OperationalError(f"{what} cannot be used as an SQLite database: {exc}") from exc
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
