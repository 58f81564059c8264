"""``notecheck appeals list | show ID | resolve ID | export -o FILE`` and ``notecheck db upgrade | current``.

They work on the database the server uses (``NOTECHECK_DATABASE_URL``, the settings file, or the default SQLite
file in the data directory), or on ``--database-url``. ``export`` writes resolved appeals as training rows of the
note schema (``source: appeal``, labelled by the moderator) for a ``[[dataset]]`` of a training config.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from model.schema import NON_BLANK
from serve.outputs import format_of
from serve.terminal import block, one_line

#: What ``appeals export -o`` may name: the rows' format, by the file's extension.
EXPORT_FORMATS = {".jsonl": "jsonl", ".csv": "csv"}
EXPORT_COLUMNS = ("id", "title", "text", "comments", "label", "source", "appeal_id", "note_id", "status",
                  "model_version", "model_decision", "ad_probability", "declared", "resolved_at")  # fmt: skip
#: Export columns holding a list or an object: JSON in a CSV cell, empty for null.
JSON_COLUMNS = ("comments", "declared")


def _database_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: NOTECHECK_DATABASE_URL, the settings file, else the SQLite file in the data "
        "directory)",
    )
    p.add_argument("--settings", type=Path, default=None, help="settings file (TOML, or JSON ending in .json)")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("appeals", help="list, show, resolve and export appeals")
    sub = p.add_subparsers(dest="appeals_command", required=True)
    q = sub.add_parser("list", help="appeals, least certain decisions first")
    q.add_argument("--status", choices=["open", "upheld", "overturned", "all"], default="open",
                   help="which appeals: open (default), upheld or overturned by a moderator, or all")  # fmt: skip
    q.add_argument("--limit", type=int, default=50, help="at most this many (default 50); the total is still counted")
    q.add_argument("--json", action="store_true", help="one JSON object per line")
    _database_args(q)
    q = sub.add_parser("show", help="one appeal in full")
    q.add_argument("id", help="the appeal's id as `appeals list` prints it, or a unique start of it (4+ characters)")
    q.add_argument("--json", action="store_true", help="one JSON object (as GET /v1/appeals/ID)")
    _database_args(q)
    q = sub.add_parser("resolve", help="decide an open appeal")
    q.add_argument("id", help="the appeal's id, or a unique start of it (4+ characters)")
    q.add_argument("--label", choices=["genuine", "ad"], required=True, help="what the note is")
    q.add_argument("--note", default="", help="the moderator's note to the writer")
    q.add_argument("--moderator", default=None, help="who decided (default: cli:<your user name>)")
    _database_args(q)
    q = sub.add_parser("export", help="resolved appeals as training rows (the note schema, source 'appeal')")
    q.add_argument("-o", "--output", type=Path, required=True, help="a .jsonl or .csv file")
    _database_args(q)
    p.set_defaults(func=run_appeals)

    p = subparsers.add_parser("db", help="the appeals database's schema migrations")
    sub = p.add_subparsers(dest="db_command", required=True)
    q = sub.add_parser("upgrade", help="apply pending migrations (the server also does at start-up)")
    q.add_argument("--revision", default="head", help="the migration to upgrade to (default: head, the newest)")
    _database_args(q)
    q = sub.add_parser("current", help="the database's revision and the newest one")
    _database_args(q)
    p.set_defaults(func=run_db)


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[Any]:
    from serve.db.database import Database
    from serve.settings import load_settings

    url = args.database_url
    if url is None:
        url = load_settings(args.settings).resolved_database_url()
    db = Database(url)
    # The command says what went wrong in its own `error:` line; the database module's log records (meant for the
    # server's log) would say it again on stderr through Python's last-resort handler.
    quiet = logging.NullHandler()
    logging.getLogger("notecheck.db").addHandler(quiet)
    try:
        yield db
    finally:
        logging.getLogger("notecheck.db").removeHandler(quiet)
        db.close()


def _missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite ``url`` when it does not exist (None for other databases, in-memory ones and files that
    exist): the appeals commands read a database, and opening a missing file would create an empty one."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    if path.exists() or any(d.exists() and not d.is_dir() for d in path.parents):
        return None  # there, or a path that cannot hold one (the database is then unavailable, as it says)
    return path


def run_db(args: argparse.Namespace) -> int:
    from alembic.util import CommandError

    from serve.db.database import unavailable_reason
    from serve.db.engine import UNAVAILABLE_ERRORS
    from serve.db.migrate import current_revision, head_revision, known_revisions, upgrade_from

    known = known_revisions()
    if args.db_command == "upgrade" and args.revision not in ("head", *known):  # before touching the database
        print(
            f"error: --revision must be 'head' or a migration of this notecheck ({', '.join(known)}). "
            f"Got {args.revision!r}.",
            file=sys.stderr,
        )
        return 2
    newer = "a revision this notecheck does not know: a newer notecheck migrated it"
    with _database(args) as db:
        try:
            if args.db_command == "upgrade":
                before, after = upgrade_from(db.engine, args.revision)
                behind = args.revision in known and before in known and known.index(before) > known.index(args.revision)
                # an upgrade never goes back: "0004 -> 0004" for --revision 0002 left the user to guess why
                why = f" (already past {args.revision}; notecheck does not downgrade)" if behind else ""
                print(f"{db.display_url}: revision {before or '(empty)'} -> {after}{why}")
            elif (missing := _missing_sqlite_file(db.url)) is not None:  # a typo'd path: report, create nothing
                print(
                    f"{db.display_url}: revision (empty), newest {head_revision()} (no database file at {missing}: "
                    "`notecheck db upgrade` or the server creates it)"
                )
            else:
                current = current_revision(db.engine)
                head = head_revision()
                state = (
                    "up to date"
                    if current == head
                    else newer
                    if current is not None and current not in known
                    else "pending migrations: run `notecheck db upgrade`"
                )
                print(f"{db.display_url}: revision {current or '(empty)'}, newest {head} ({state})")
        # OSError: `db upgrade` makes the SQLite file's directory and lock file, which a file in the way refuses
        # (it said only "error: /data: File exists", naming neither the database nor what was being made)
        except (*UNAVAILABLE_ERRORS, OSError) as exc:
            print(f"error: the database {db.display_url} is unavailable: {unavailable_reason(exc)}", file=sys.stderr)
            return 2
        except CommandError as exc:  # the database is at a revision none of the bundled migrations knows
            revision = current_revision(db.engine)
            print(f"error: cannot migrate {db.display_url}: it is at {newer} ({revision}); {exc}", file=sys.stderr)
            return 2
    return 0


def _schema_revision(db: Any) -> tuple[str | None, str | None]:
    """``(revision, None)`` of the database's appeals schema (None: no notecheck tables in it), or ``(None,
    reason)`` when it cannot be reached."""
    from serve.db.database import unavailable_reason
    from serve.db.engine import UNAVAILABLE_ERRORS
    from serve.db.migrate import current_revision

    try:
        return current_revision(db.engine), None
    except (*UNAVAILABLE_ERRORS, OSError) as exc:
        return None, unavailable_reason(exc)


def run_appeals(args: argparse.Namespace) -> int:
    from serve.db import appeals as store
    from serve.db.engine import DatabaseUnavailable
    from serve.db.migrate import head_revision, known_revisions

    command = {"list": _list, "show": _show, "resolve": _resolve, "export": _export}[args.appeals_command]
    if args.appeals_command == "export":  # a usage error, said before the database is looked for
        format_of(args.output, EXPORT_FORMATS)
    with _database(args) as db:
        missing = _missing_sqlite_file(db.url)
        if missing is not None:  # a typo'd path or another data directory: say so, never create an empty one
            print(
                f"error: no appeals database at {missing} ({db.display_url}): the server creates it at start-up and "
                "`notecheck db upgrade` by hand; check --database-url, NOTECHECK_DATABASE_URL or NOTECHECK_DATA_DIR.",
                file=sys.stderr,
            )
            return 2
        revision, unavailable = _schema_revision(db)
        if unavailable is not None:
            print(f"error: the appeals database {db.display_url} is unavailable: {unavailable}", file=sys.stderr)
            return 2
        if revision is None:  # another database (a typo'd name, the wrong server): never create the tables in it
            print(
                f"error: no appeals tables in {db.display_url} (it has no notecheck schema revision): the server "
                "creates them at start-up and `notecheck db upgrade` by hand; check --database-url, "
                "NOTECHECK_DATABASE_URL or NOTECHECK_DATA_DIR.",
                file=sys.stderr,
            )
            return 2
        head = head_revision()
        if revision != head:  # never migrate from here: a read-only `list` changed the schema under the server
            known = revision in known_revisions()
            print(
                f"error: the appeals database {db.display_url} is at schema revision {revision}, "
                + (
                    f"older than this notecheck's {head}: run `notecheck db upgrade` (the server also upgrades at "
                    "start-up)."
                    if known
                    else f"which this notecheck does not know (its newest is {head}): a newer notecheck wrote it."
                ),
                file=sys.stderr,
            )
            return 2
        db.revision = revision  # checked: the session needs no migration
        try:
            with db.session() as session:
                return command(args, session)
        except DatabaseUnavailable as exc:
            print(f"error: the appeals database {db.display_url} is unavailable: {exc}", file=sys.stderr)
            return 2
        except (store.AppealNotFound, store.AmbiguousAppealId) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except store.AppealAlreadyResolved as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return one_line(text if len(text) <= n else text[: n - 1] + "…")


def _list(args: argparse.Namespace, session: Any) -> int:
    from serve.db import appeals as store

    if args.limit < 1:
        raise InvalidParameterError(f"--limit must be at least 1. Got {args.limit}.")
    status = None if args.status == "all" else args.status
    rows = store.list_appeals(session, status=status, limit=args.limit)
    total = store.count_appeals(session, status=status)
    if args.json:
        for a in rows:
            print(json.dumps(store.appeal_dict(a), ensure_ascii=False))
        return 0
    print(f"{total} {args.status} appeal(s){f', showing {len(rows)}' if len(rows) < total else ''}")
    print(f"{'id':36}  {'created':20}  {'status':10}  {'model':7}  {'p(ad)':>6}  {'margin':>6}  claim    title/text")
    for a in rows:
        created = (store.iso(a.created_at) or "")[:19]
        # why an appeal with a wide margin leads the queue: its note's own declaration decided it, not the model
        said = f"[declares itself an ad: {_short(str(a.declared.get('text', '')), 20)}] " if a.declared else ""
        print(f"{a.id:36}  {created:20}  {a.status:10}  {a.decision:7}  {a.ad_probability:6.3f}  {a.margin:6.2f}  "
              f"{a.claimed_label:7}  {said}{_short(a.title + ' / ' + a.text if a.title else a.text, 40)}")  # fmt: skip
    return 0


def _show(args: argparse.Namespace, session: Any) -> int:
    from serve.db import appeals as store

    data = store.appeal_dict(store.get_appeal(session, store.complete_id(session, args.id)))
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    m, note = data["model"], data["note"]
    print(f"appeal {data['id']}  ({data['status']}, created {data['created_at']})")
    # The note, statement and notes come from writers and moderators: printed so they cannot act on the terminal
    print(f"  note id: {one_line(note['id'] or '-')}")
    print(f"  title:   {one_line(note['title'])}")
    print(f"  text:    {block(note['text'], ' ' * 11)}")
    if note["comments"]:
        print(f"  comments ({len(note['comments'])}): {json.dumps(note['comments'], ensure_ascii=False)[:300]}")
    print(f"  model {m['version']}: {m['decision']} (p(ad) {m['ad_probability']:.3f}, threshold {m['threshold']:.3f}, "
          f"margin {m['margin']:.2f})")  # fmt: skip
    if m.get("declared"):  # the rule, not the probability, decided
        print(f"  declared: the note declares itself an ad, “{one_line(str(m['declared'].get('text', '')))}”")
    for h in m["highlights"][:10]:
        if isinstance(h, dict):
            print(
                f"    {h.get('weight', 0):+.2f}  {h.get('field', '')}: {one_line(str(h.get('text', '')))}  "
                f"({h.get('category', '')})"
            )
    print(f"  claimed: {data['claimed_label']}")
    print(f"  statement: {block(data['statement'], ' ' * 13)}")
    r = data["resolution"]
    if r is not None:
        print(f"  resolved {r['resolved_at']} by {one_line(r['moderator'])}: {r['label']}  {one_line(r['note'] or '')}")
    return 0


def _resolve(args: argparse.Namespace, session: Any) -> int:
    from serve.db import appeals as store
    from serve.schemas.appeals import MAX_MODERATOR_CHARS, MAX_RESOLUTION_CHARS  # imports FastAPI: only here

    if len(args.note) > MAX_RESOLUTION_CHARS:
        raise InvalidParameterError(f"--note must be at most {MAX_RESOLUTION_CHARS} characters. Got {len(args.note)}.")
    if args.moderator is not None and not re.search(NON_BLANK, args.moderator):
        # `--moderator "$MOD"` with MOD unset: the decision would be recorded as made by nobody
        raise InvalidParameterError(f"--moderator must name who decided. Got {args.moderator!r}.")
    who = args.moderator or f"cli:{_user()}"
    if len(who) > MAX_MODERATOR_CHARS or "\x00" in who + args.note:
        raise InvalidParameterError(f"--moderator must be at most {MAX_MODERATOR_CHARS} characters, without NUL.")
    appeal_id = store.complete_id(session, args.id)
    appeal = store.resolve_appeal(session, appeal_id, label=args.label, note=args.note, moderator=who)
    print(f"appeal {appeal.id}: {appeal.status} (model said {appeal.decision}, moderator says {appeal.label})")
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _export(args: argparse.Namespace, session: Any) -> int:
    from serve.db import appeals as store

    out: Path = args.output
    kind = format_of(out, EXPORT_FORMATS)
    from serve.outputs import replacing

    n = 0
    with replacing(out, newline="") as handle:
        writer = csv.DictWriter(handle, EXPORT_COLUMNS) if kind == "csv" else None
        if writer is not None:
            writer.writeheader()
        for appeal in store.resolved_appeals(session):
            row = store.training_row(appeal)
            if writer is not None:
                as_json = {k: "" if row[k] is None else json.dumps(row[k], ensure_ascii=False) for k in JSON_COLUMNS}
                writer.writerow({**row, **as_json})
            else:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    print(f"wrote {n} resolved appeal(s) to {out}")
    return 0
