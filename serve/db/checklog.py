"""The optional decision log (``log_checks``): one row per checked note, written off the request path.

The check routes hand each checked batch to :meth:`DecisionLog.record` (a queue put, microseconds); a writer thread
inserts the rows in batches. The log is an audit aid, not acknowledged data: when the queue is full (the database
is slower than the checks) or the database is down, entries are dropped and counted
(``notecheck_decision_log_dropped``), and the checks themselves never wait or fail because of it. An entry the
database refuses is dropped and counted alone, and the writer thread outlives any error: one odd note never stops
the log. ``note_hash`` is of the note as sent; the kept title and text (``text`` mode) have what no database
column can hold (NUL, lone surrogates, both accepted by the check routes) replaced by U+FFFD. ``declared`` is the
check's span of the words by which the note declared itself an ad (:mod:`model.declared`), kept in both modes: an
auditor needs to tell the rule's decisions from the model's, and to see which words fired the rule, to judge it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic_core import from_json
from sqlalchemy import insert

from serve.db.database import Database
from serve.db.engine import UNAVAILABLE_ERRORS, DatabaseUnavailable
from serve.db.models import CheckRecord, stored_span

log = logging.getLogger("notecheck.db")
MAX_QUEUE = 10_000
BATCH = 500


def note_hash(title: str, text: str) -> str:
    """sha256 of the JSON array ``[title, text]`` (UTF-8, no escaping): the same note always hashes the same."""
    # surrogatepass: a lone surrogate (valid in a JSON string, so the check routes take it) hashes too; any other
    # text gives the same bytes as plain UTF-8
    return hashlib.sha256(json.dumps([title, text], ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """``value`` with what a text column cannot hold (NUL: PostgreSQL; lone surrogates: UTF-8) replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", value)


class DecisionLog:
    """Rows for :class:`~serve.db.models.CheckRecord`; ``mode`` is ``"hash"`` or ``"text"`` (keeps title and text)."""

    def __init__(self, db: Database, mode: str, dropped: Any = None) -> None:
        self.db = db
        self.keep_text = mode == "text"
        self.dropped = dropped  # a prometheus Counter, or None
        self._queue: queue.Queue[Any] = queue.Queue(MAX_QUEUE)
        self._thread = threading.Thread(target=self._run, name="notecheck-decision-log", daemon=True)
        self._thread.start()

    def _drop(self, n: int) -> None:
        if self.dropped is not None:
            self.dropped.inc(n)

    def record(self, notes: list[dict[str, Any]], bodies: list[bytes]) -> None:
        """Queue one entry per checked note (its plain data and its check response body)."""
        at = datetime.now(UTC)
        for note, body in zip(notes, bodies, strict=True):
            try:
                self._queue.put_nowait((at, note.get("title") or "", note.get("text") or "", body))
            except queue.Full:
                self._drop(1)

    def wrap(self, run: Callable[[list[Any]], list[Any]]) -> Callable[[list[Any]], list[Any]]:
        """``run`` (the app's check function over ``(note, top)`` jobs) that also records what it checked."""

        def logged(jobs: list[Any]) -> list[Any]:
            checked = run(jobs)
            self.record([note for note, _ in jobs], [body for body, *_ in checked])
            return checked

        return logged

    def _row(self, entry: tuple[datetime, str, str, bytes]) -> dict[str, Any]:
        at, title, text, body = entry
        result = from_json(body)
        return {
            "created_at": at,
            "note_hash": note_hash(title, text),
            "model_version": str(result["model_version"]),
            "decision": str(result["decision"]),
            "ad_probability": float(result["ad_probability"]),
            "declared": stored_span(result.get("declared")),
            "title": storable(title) if self.keep_text else None,
            "text": storable(text) if self.keep_text else None,
        }

    def _run(self) -> None:
        while True:
            entries = [self._queue.get()]
            while len(entries) < BATCH:
                try:
                    entries.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(e is None for e in entries)
            entries = [e for e in entries if e is not None]
            try:
                rows = []
                for e in entries:
                    try:
                        rows.append(self._row(e))
                    except Exception:  # one bad entry is dropped, the thread goes on
                        log.exception("decision log: 1 entry dropped, it could not be read")
                        self._drop(1)
                if rows:
                    self._write(rows)
            except Exception:  # the log never stops: what failed is dropped and counted
                log.exception("decision log: %d entries dropped", len(entries))
                self._drop(len(entries))
            finally:
                for _ in range(len(entries) + (1 if stop else 0)):
                    self._queue.task_done()
            if stop:
                return

    def _write(self, rows: list[dict[str, Any]]) -> None:
        try:
            with self.db.session() as session:
                session.execute(insert(CheckRecord), rows)
                session.commit()
        except (DatabaseUnavailable, *UNAVAILABLE_ERRORS) as exc:
            log.warning("decision log: %d entries dropped, the database is unavailable (%s)", len(rows), exc)
            self._drop(len(rows))
        except Exception as exc:  # a row the database refuses: keep the others, drop only it
            if len(rows) > 1:
                for row in rows:
                    self._write([row])
                return
            log.warning("decision log: 1 entry dropped, the database refused it (%s)", exc)
            self._drop(1)

    def flush(self) -> None:
        """Wait until every queued entry is written (or dropped)."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
