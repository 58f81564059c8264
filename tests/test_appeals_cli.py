"""``notecheck appeals`` and ``notecheck db`` on SQLite, and on PostgreSQL when NOTECHECK_TEST_POSTGRES_URL is set;
the migrations themselves (schema equals the models, idempotent, reversible)."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT
from sqlalchemy.pool import NullPool

from serve.cli import main
from serve.db import appeals as store
from serve.db.database import Database
from serve.db.migrate import head_revision
from tests.db_support import BACKENDS, database_url

VIEW_AD = store.ModelView("m1", "ad", 0.91, 0.8, 0.5, [{"field": "text", "start": 0, "end": 3, "text": "加vx"}])
VIEW_REVIEW = store.ModelView("m1", "review", 0.62, 0.8, 0.5, [])
VIEW_GENUINE = store.ModelView("m2", "genuine", 0.05, 0.8, 0.5, [])


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path: Path):
    with database_url(request.param, tmp_path) as url:
        database = Database(url)
        assert database.migrate(), database.last_error
        yield database
        database.close()


def add(db: Database, view: store.ModelView, text: str = "加vx领券", claimed: str = "genuine", **note) -> str:
    with db.session() as session:
        return store.create_appeal(
            session, note={"title": "标题", "text": text, **note}, view=view, claimed_label=claimed, statement="我的"
        ).id


def cli(db: Database, *argv: str) -> int:
    return main([*argv, "--database-url", db.url])


def test_list_shows_open_appeals_least_certain_first(db, capsys):
    far, near = add(db, VIEW_AD, "远"), add(db, VIEW_REVIEW, "近")
    assert cli(db, "appeals", "list", "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [near, far]
    assert cli(db, "appeals", "list") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2 open appeal(s)"
    assert out.index(near) < out.index(far)


def test_appeals_of_notes_that_declared_themselves_ads_lead_the_queue(db, capsys):
    """A declared note is decided by the rule, not the model, so the model's margin (usually wide: it reads "#ad" as
    nothing much) buried its appeal at the end of the queue; it now leads it, and the list says why."""
    declared = {"field": "text", "start": 5, "end": 8, "text": "#ad"}
    far, near = add(db, VIEW_AD, "远"), add(db, VIEW_REVIEW, "近")
    ruled = [add(db, store.ModelView("m1", "ad", p, 0.8, 0.5, [], declared), f"好用好用 #ad {p}") for p in (0.02, 0.5)]
    assert cli(db, "appeals", "list", "--json") == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [*ruled, near, far]  # the declared ones oldest first, whatever their margin
    assert [r["model"]["declared"] for r in rows] == [declared, declared, None, None]
    assert rows[0]["model"]["margin"] > rows[1]["model"]["margin"] > rows[3]["model"]["margin"]  # kept as it was
    assert cli(db, "appeals", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == [*ruled, near, far]
    assert all("[declares itself an ad: #ad]" in line for line in lines[2:4]) and "declares" not in lines[4] + lines[5]


def test_show_and_resolve(db, capsys):
    appeal_id = add(db, VIEW_AD, comments=["好看"])
    assert cli(db, "appeals", "show", appeal_id) == 0
    out = capsys.readouterr().out
    assert "加vx" in out and "open" in out and "好看" in out
    assert (
        cli(db, "appeals", "resolve", appeal_id, "--label", "genuine", "--note", "个人分享", "--moderator", "小李") == 0
    )
    assert "overturned" in capsys.readouterr().out
    assert cli(db, "appeals", "show", appeal_id, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "overturned"
    assert shown["resolution"]["moderator"] == "小李" and shown["resolution"]["note"] == "个人分享"
    assert cli(db, "appeals", "resolve", appeal_id, "--label", "ad") == 1
    assert "already resolved" in capsys.readouterr().err


def _renamed(db: Database, appeal_id: str, new_id: str) -> str:
    from sqlalchemy import update

    from serve.db.models import Appeal

    with db.session() as session:
        session.execute(update(Appeal).where(Appeal.id == appeal_id).values(id=new_id))
        session.commit()
    return new_id


def test_a_unique_start_of_an_id_is_enough_at_the_command_line(db, capsys):
    """The README shows ids cut short ("appeals show 3f2c…"), as a moderator reads them off a list: a start of four
    or more characters that only one appeal's id has names it; a shorter or shared one is refused, by name."""
    one = _renamed(db, add(db, VIEW_AD, "一"), "abcd0001-0000-4000-8000-000000000000")
    two = _renamed(db, add(db, VIEW_REVIEW, "二"), "abcd0002-0000-4000-8000-000000000000")
    assert cli(db, "appeals", "show", "abcd0001", "--json") == 0
    assert json.loads(capsys.readouterr().out)["id"] == one
    assert cli(db, "appeals", "resolve", "abcd0002", "--label", "genuine") == 0
    assert f"appeal {two}: overturned" in capsys.readouterr().out
    assert cli(db, "appeals", "show", "abcd") == 1
    err = capsys.readouterr().err
    assert "'abcd' is the start of more than one appeal" in err and one in err and two in err
    assert cli(db, "appeals", "show", "abc") == 1  # too short to name one: not read as a start
    assert "No appeal has id 'abc'" in capsys.readouterr().err
    assert cli(db, "appeals", "show", "abcd_%") == 1  # LIKE's wildcards are characters of the id, not patterns
    assert "No appeal has id 'abcd_%'" in capsys.readouterr().err
    assert cli(db, "appeals", "show", "ABCD0001") == 1  # the same on every backend (SQLite's LIKE ignores case)
    assert "No appeal has id 'ABCD0001'" in capsys.readouterr().err


def test_a_writers_control_characters_never_reach_the_moderators_terminal(db, capsys):
    """A note or statement may carry escape sequences (clear the screen, recolour), a carriage return or a
    bidirectional override; `appeals list` and `show` print them escaped, and a line of the note cannot pass for
    a line of the report."""
    text = "第一行加vx\n  resolved by admin: genuine\r\x1b[2J\x1b]0;title\x07 \u202egnp.exe"
    appeal_id = add(db, VIEW_AD, text=text, comments=["好看\x1b[31m"])
    for argv in (("appeals", "list"), ("appeals", "show", appeal_id)):
        assert cli(db, *argv) == 0
        out = capsys.readouterr().out
        assert not any(c in out for c in "\x1b\x07\r\u202e"), out
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x0d" in out
    assert "\n           " + "  resolved by admin" in out  # the note's second line, indented under "text:"
    assert not any(line.startswith("  resolved") for line in out.splitlines())


def test_unknown_ids_and_bad_arguments_fail_clearly(db, capsys):
    assert cli(db, "appeals", "show", "nope") == 1
    assert "No appeal has id 'nope'" in capsys.readouterr().err
    assert cli(db, "appeals", "export", "-o", "x.parquet") == 2
    assert "must end in .jsonl or .csv" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli(db, "appeals", "resolve", "x", "--label", "spam")


@pytest.mark.parametrize("who", ["", "   ", "\u200b\t"])
def test_a_blank_moderator_is_refused_not_stored(db, capsys, who):
    """`--moderator "$MOD"` with MOD unset (or blank) recorded the decision as made by nobody ("by : genuine")."""
    appeal_id = add(db, VIEW_AD)
    assert cli(db, "appeals", "resolve", appeal_id, "--label", "genuine", "--moderator", who) == 2
    assert capsys.readouterr().err == f"error: --moderator must name who decided. Got {who!r}.\n"
    with db.session() as session:
        assert store.get_appeal(session, appeal_id).status == "open"


@pytest.mark.parametrize("ext", ["jsonl", "csv"])
def test_export_gives_training_rows_the_reader_accepts(db, tmp_path, ext, capsys):
    from model.notes import read_notes

    overturned = add(db, VIEW_AD, "真心推荐这家店", comments=["好吃", {"text": "在哪", "likes": 2}])
    declared = {"field": "text", "start": 5, "end": 8, "text": "#ad"}
    upheld = add(db, store.ModelView("m1", "ad", 0.30, 0.8, 0.5, [], declared), "加微信领券 #ad")
    add(db, VIEW_REVIEW, "still open")
    with db.session() as session:
        store.resolve_appeal(session, overturned, label="genuine", note="", moderator="m")
        store.resolve_appeal(session, upheld, label="ad", note="", moderator="m")
    out = tmp_path / f"appeals.{ext}"
    assert cli(db, "appeals", "export", "-o", str(out)) == 0
    assert "wrote 2 resolved appeal(s)" in capsys.readouterr().out
    notes, skipped = read_notes(out, require_label=True)
    assert skipped == []
    by_id = {n.id: n for n in notes}
    assert set(by_id) == {f"appeal-{overturned}", f"appeal-{upheld}"}
    assert by_id[f"appeal-{overturned}"].label == 0 and by_id[f"appeal-{upheld}"].label == 1
    assert {n.source for n in notes} == {"appeal"}
    assert [c.text for c in by_id[f"appeal-{overturned}"].comments] == ["好吃", "在哪"]
    # an "ad" at 0.30 says why: the note's own declaration decided it
    if ext == "csv":
        with open(out, encoding="utf-8") as handle:
            rows = {r["appeal_id"]: r for r in csv.DictReader(handle)}
        assert {r["status"] for r in rows.values()} == {"overturned", "upheld"}
        assert json.loads(rows[upheld]["declared"]) == declared and rows[overturned]["declared"] == ""
    else:
        rows = {r["appeal_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
        assert rows[upheld]["declared"] == declared and rows[overturned]["declared"] is None


def test_an_output_that_cannot_be_written_is_named(db, tmp_path, capsys):
    """The messages named a temporary file the moderator never typed (".x.jsonl.4711.tmp: Is a directory") or
    only the parent in the way ("afile: File exists"); now the output asked for, and why."""
    (tmp_path / "afile").write_text("x")
    (tmp_path / "adir.jsonl").mkdir()
    for out, why in (
        ("afile/appeals.jsonl", f"{tmp_path}/afile is not a directory"),
        ("adir.jsonl", "it is a directory"),
    ):
        assert cli(db, "appeals", "export", "-o", str(tmp_path / out)) == 2
        assert capsys.readouterr().err == f"error: cannot write {tmp_path / out}: {why}\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary file left


@pytest.mark.parametrize("argv", [["list"], ["show", "x"], ["resolve", "x", "--label", "ad"], ["export", "-o", "{o}"]])
def test_a_missing_sqlite_file_is_named_not_created(tmp_path, capsys, argv):
    """`appeals list --database-url sqlite:///typo.db` created and migrated an empty database and said "0 open
    appeal(s)"; the appeals commands read a database, so a missing file is an error naming it."""
    missing = tmp_path / "typo.db"
    argv = [a.replace("{o}", str(tmp_path / "out.jsonl")) for a in argv]
    assert main(["appeals", *argv, "--database-url", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err.startswith(f"error: no appeals database at {missing} (sqlite:///{missing}): ")
    assert not missing.exists() and not (tmp_path / "out.jsonl").exists()


def test_an_unreachable_database_is_exit_2(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["appeals", "list", "--database-url", f"sqlite:///{tmp_path}/file/db.sqlite"]) == 2
    assert "unavailable" in capsys.readouterr().err
    assert main(["db", "current", "--database-url", "postgresql+psycopg://u:secret-pw@127.0.0.1:9/x"]) == 2
    err = capsys.readouterr().err
    assert "unavailable" in err and "secret-pw" not in err


def test_an_unreachable_database_is_one_error_line(tmp_path):
    """`notecheck appeals list` on a database that cannot be reached said it twice: the database module's log
    record (no `error:` prefix, through Python's last-resort handler) and then the command's `error:` line."""
    (tmp_path / "file").write_text("x")
    code = "import sys; from serve.cli import main; sys.exit(main())"
    for url in (f"sqlite:///{tmp_path}/file/db.sqlite", "postgresql+psycopg://u:secret-pw@127.0.0.1:9/x"):
        for argv in (["appeals", "list"], ["appeals", "show", "x"], ["db", "current"]):
            run = subprocess.run(
                [sys.executable, "-c", code, *argv, "--database-url", url], cwd=ROOT, capture_output=True, text=True
            )
            lines = run.stderr.splitlines()
            assert run.returncode == 2 and len(lines) == 1, (argv, url, run.stderr)
            assert lines[0].startswith("error: ") and "unavailable" in lines[0] and "secret-pw" not in lines[0]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("argv", [["list"], ["show", "x"], ["resolve", "x", "--label", "ad"], ["export", "-o", "{o}"]])
def test_a_database_without_appeals_is_named_not_migrated(backend, tmp_path, capsys, argv):
    """`appeals list --database-url postgresql+psycopg://.../wrongdb` (an existing database that is not the
    appeals one, or a SQLite file that is empty) created the appeals tables in it and said "0 open appeal(s)"."""
    from sqlalchemy import inspect

    argv = [a.replace("{o}", str(tmp_path / "out.jsonl")) for a in argv]
    with database_url(backend, tmp_path) as url:
        if backend == "sqlite":
            (tmp_path / "appeals.db").touch()
        assert main(["appeals", *argv, "--database-url", url]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and "no appeals tables" in err and "notecheck db upgrade" in err, err
        db = Database(url)
        assert inspect(db.engine).get_table_names() == []  # nothing created
        db.close()
    assert not (tmp_path / "out.jsonl").exists()


def test_db_current_on_a_missing_sqlite_file_creates_nothing(tmp_path, capsys):
    """`db current` on a mistyped path made an empty database file there, and `appeals list` then said "no appeals
    tables" instead of "no appeals database"."""
    path = tmp_path / "typo" / "notecheck.db"
    assert main(["db", "current", "--database-url", f"sqlite:///{path}"]) == 0
    out = capsys.readouterr().out
    assert "revision (empty)" in out and f"no database file at {path}" in out and "notecheck db upgrade" in out
    assert not path.exists() and not path.parent.exists()
    assert main(["appeals", "list", "--database-url", f"sqlite:///{path}"]) == 2
    assert f"no appeals database at {path}" in capsys.readouterr().err


@pytest.mark.parametrize("backend", BACKENDS)
def test_db_upgrade_is_idempotent_and_matches_the_models(backend, tmp_path, capsys):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from serve.db.migrate import downgrade
    from serve.db.models import Base

    with database_url(backend, tmp_path) as url:
        assert main(["db", "current", "--database-url", url]) == 0
        assert "revision (empty)" in capsys.readouterr().out
        assert main(["db", "upgrade", "--database-url", url]) == 0
        assert "(empty) -> 0005" in capsys.readouterr().out
        assert main(["db", "upgrade", "--database-url", url]) == 0
        assert "0005 -> 0005" in capsys.readouterr().out
        db = Database(url)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert downgrade(db.engine, "base") is None
        assert db.migrate() and db.revision == "0005"
        db.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrading_puts_the_declared_appeals_made_before_first(backend, tmp_path):
    """Appeals stored at 0003 keep their declaration in `declared` (JSON null for none); 0004 reads it to mark them."""
    from sqlalchemy import select

    from serve.db.migrate import downgrade
    from serve.db.models import Appeal

    declared = {"field": "text", "start": 0, "end": 3, "text": "#ad"}
    with database_url(backend, tmp_path) as url:
        db = Database(url)
        assert db.migrate()
        plain, ruled = add(db, VIEW_AD), add(db, store.ModelView("m1", "ad", 0.02, 0.8, 0.5, [], declared), "#ad 好用")
        downgrade(db.engine, "0003")
        db.close()
        db = Database(url)
        assert db.migrate() and db.revision == "0005"
        with db.session() as session:
            got = {i: m for i, m in session.execute(select(Appeal.id, Appeal.model_decided))}
            assert got == {plain: True, ruled: False}
            assert [a.id for a in store.list_appeals(session)] == [ruled, plain]
        db.close()


def _held_migration_lock(backend: str, url: str) -> tuple[Callable[[], int], Callable[[], None]]:
    """Take the lock every notecheck process migrates under, as a fourth process would: (how many processes wait
    for it now, release it)."""
    from sqlalchemy import create_engine, text

    from serve.db.migrate import _PG_LOCK_ID

    if backend == "sqlite":
        lock = Path(url.removeprefix("sqlite:///") + ".migrate-lock").open("a+b")
        fcntl.flock(lock, fcntl.LOCK_EX)
        inode = f":{os.fstat(lock.fileno()).st_ino} "

        def waiting() -> int:  # blocked requests are the lines of /proc/locks marked "->"
            return sum("->" in line and inode in line for line in Path("/proc/locks").read_text().splitlines())

        return waiting, lock.close
    engine = create_engine(url, poolclass=NullPool)
    conn = engine.connect()
    conn.execute(text(f"SELECT pg_advisory_lock({_PG_LOCK_ID})"))
    conn.commit()

    def waiting_pg() -> int:
        query = (
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        with engine.connect() as other:
            return other.execute(text(query)).scalar_one()

    def release() -> None:
        conn.close()
        engine.dispose()

    return waiting_pg, release


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrent_db_upgrades_report_the_migration_once(backend, tmp_path):
    """Three `notecheck db upgrade` at once on a new database: each read the revision it reports as "before"
    outside the migration lock, so all three printed `(empty) -> 0002` though one migrated. The lock is held here
    until all three wait for it, then released: exactly one reports the migration, the others that there was none."""
    code = "import sys; from serve.cli import main; sys.exit(main())"
    with database_url(backend, tmp_path) as url:
        waiting, release = _held_migration_lock(backend, url)
        procs: list[subprocess.Popen[str]] = []
        try:
            procs = [
                subprocess.Popen(
                    [sys.executable, "-c", code, "db", "upgrade", "--database-url", url],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(3)
            ]
            for _ in range(2400):  # at most about two minutes on a loaded machine
                assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
                if waiting() == 3:
                    break
                time.sleep(0.05)
            else:
                pytest.fail(f"{waiting()} of 3 `db upgrade` processes came to wait for the migration lock")
            release()
            outputs = [p.communicate(timeout=120) for p in procs]
        finally:
            release()
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()
        assert [p.returncode for p in procs] == [0, 0, 0], outputs
        reports = sorted(out.strip().rsplit(": ", 1)[-1] for out, _ in outputs)
        head = head_revision()
        assert reports == [f"revision (empty) -> {head}", f"revision {head} -> {head}", f"revision {head} -> {head}"], (
            outputs
        )


@pytest.mark.parametrize("revision", ["9999", "", "base"])
def test_db_upgrade_to_an_unknown_revision_is_a_usage_error(tmp_path, capsys, revision):
    """`notecheck db upgrade --revision 9999` (a typo, or a revision of a newer notecheck) printed Alembic's
    traceback and "a bug in notecheck", exit 70; `--revision ""` an AssertionError."""
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert main(["db", "upgrade", "--revision", revision, "--database-url", url]) == 2
    err = capsys.readouterr().err
    known = "(0001, 0002, 0003, 0004, 0005)"
    assert err == f"error: --revision must be 'head' or a migration of this notecheck {known}. Got {revision!r}.\n"


def test_db_commands_on_a_schema_from_a_newer_version_say_so(tmp_path, capsys):
    """A database migrated by a newer notecheck: `db upgrade` stopped with a traceback (exit 70) and `db current`
    advised running `notecheck db upgrade`, which cannot help."""
    from sqlalchemy import text

    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    assert db.migrate()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    db.close()
    assert main(["db", "upgrade", "--database-url", db.url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and "9999" in err, err
    assert "newer notecheck" in err
    assert main(["db", "current", "--database-url", db.url]) == 0
    out = capsys.readouterr().out
    assert "revision 9999, newest 0005" in out and "db upgrade" not in out and "newer notecheck" in out, out


def test_a_schema_from_a_newer_version_is_refused_not_fatal(tmp_path):
    from sqlalchemy import text

    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    assert db.migrate()
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    again = Database(db.url)
    assert not again.migrate()
    assert "9999" in again.last_error
    with pytest.raises(Exception, match="9999"):
        again.ensure_ready()
    assert again.status()["status"] == "unavailable"
    db.close()
    again.close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("argv", [["list"], ["show", "x"], ["resolve", "x", "--label", "ad"], ["export", "-o", "{o}"]])
def test_an_older_schema_is_named_not_migrated(backend, tmp_path, capsys, argv):
    """`appeals list` on a database at an older schema revision migrated it to the newest: a read-only command
    changed the schema under a server that may run an older notecheck. It is refused, naming `db upgrade`."""
    from serve.db.migrate import current_revision, known_revisions

    argv = [a.replace("{o}", str(tmp_path / "out.jsonl")) for a in argv]
    older = known_revisions()[-2]
    with database_url(backend, tmp_path) as url:
        assert main(["db", "upgrade", "--database-url", url, "--revision", older]) == 0
        capsys.readouterr()
        assert main(["appeals", *argv, "--database-url", url]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and f"schema revision {older}, older than" in err, err
        assert "notecheck db upgrade" in err
        db = Database(url)
        assert current_revision(db.engine) == older  # untouched
        db.close()
        assert main(["db", "upgrade", "--database-url", url]) == 0  # now at the newest
        capsys.readouterr()
        assert main(["db", "upgrade", "--database-url", url, "--revision", older]) == 0
        assert f"(already past {older}; notecheck does not downgrade)" in capsys.readouterr().out
    assert not (tmp_path / "out.jsonl").exists()
