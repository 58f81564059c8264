"""Applying the Alembic migrations: at application start-up and by ``notecheck db upgrade``.

Several processes may start at once (``notecheck serve --workers N``), so migrations run under a lock: a
PostgreSQL advisory lock, or an exclusive lock on a file beside the SQLite database.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from serve.db.engine import sqlite_path

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_ID = 7_318_200_113  # any constant shared by every notecheck process


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config for the bundled migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> list[str]:
    """The bundled migrations' revision ids, oldest first."""
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".migrate-lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Apply pending migrations up to ``revision``; returns the revision the database is at afterwards."""
    return _migrate(engine, command.upgrade, revision)[1]


def upgrade_from(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """:func:`upgrade`, returning the revisions before and after, both read under the migration lock: read before
    it, several processes starting at once would all report the migration only one of them applied."""
    return _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> str | None:
    return _migrate(engine, command.downgrade, revision)[1]


def _migrate(engine: Engine, step: Callable[[Any, str], None], revision: str) -> tuple[str | None, str | None]:
    """Run an Alembic command under the lock that keeps two processes from migrating at once (a file lock for
    SQLite, an advisory lock for PostgreSQL); the revisions before and after it, read under the lock too."""
    with _sqlite_file_lock(engine) if engine.dialect.name == "sqlite" else _nolock():
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})")
            before = MigrationContext.configure(conn).get_current_revision()
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            step(cfg, revision)
            after = MigrationContext.configure(conn).get_current_revision()
    return before, after


@contextmanager
def _nolock() -> Iterator[None]:
    yield
