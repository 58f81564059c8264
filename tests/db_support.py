"""Databases for tests: a SQLite file per test, and — when NOTECHECK_TEST_POSTGRES_URL names a PostgreSQL server
(``postgresql+psycopg://user:pw@host/db``, a role that may create databases) — a fresh database per test there."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

POSTGRES_ENV = "NOTECHECK_TEST_POSTGRES_URL"
SKIP_POSTGRES = (
    f"{POSTGRES_ENV} is not set: the PostgreSQL variant of this test needs a server (.ci/run starts one; "
    "set it to postgresql+psycopg://user:password@host/db)"
)
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=SKIP_POSTGRES)),
]


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards); yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = make_url(os.environ[POSTGRES_ENV])
    name = f"notecheck_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop(admin, name)
        finally:
            admin.dispose()


def _drop(admin: Any, name: str, wait: float = 30.0) -> None:
    """DROP DATABASE ... WITH (FORCE), retried for a while: FORCE ends the test's own connections, but a server
    process of another role on the new database (most likely an autovacuum worker) cannot be ended by the test's role
    ("must be a member of the role whose process is being terminated"); it leaves by itself within moments."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError, ProgrammingError

    deadline = time.monotonic() + wait
    while True:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except (ProgrammingError, OperationalError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{(tmp_path / 'appeals.db').as_posix()}"
    else:
        with postgres_database() as url:
            yield url
