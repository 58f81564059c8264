"""The appeals database: SQLAlchemy models, Alembic migrations, sessions and the appeal store.

SQLite by default (a file in the data directory), PostgreSQL through ``postgresql+psycopg://`` URLs.
"""

from serve.db.database import Database
from serve.db.engine import DatabaseUnavailable

__all__ = ["Database", "DatabaseUnavailable"]
