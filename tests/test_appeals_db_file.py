"""An appeals database URL naming a file that is not an SQLite database (a mistyped path to some other file):
every command says so in one ``error:`` line and exits 2, and the server starts, keeps checking notes and reports
the database unavailable, as it does for a database it cannot reach."""

from __future__ import annotations

import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from serve.app import create_app
from serve.cli import main
from serve.settings import Settings
from tests.server_support import ROOT

NOT_SQLITE = {
    "text": b"creator,follower_id\nbob,u1\n",
    "binary": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("content", NOT_SQLITE.values(), ids=NOT_SQLITE.keys())
@pytest.mark.parametrize(
    "argv", [["appeals", "list"], ["appeals", "show", "x"], ["appeals", "export", "-o", "{o}"], ["db", "current"],
             ["db", "upgrade"]],
)  # fmt: skip
def test_a_file_that_is_not_sqlite_is_one_error_line_and_exit_2(tmp_path, content, argv):
    """It was a traceback and exit 70 ("a bug in notecheck"): SQLite's "file is not a database" is a
    DatabaseError, which was not counted among the errors that make a database unavailable."""
    path = tmp_path / "followers.csv"
    path.write_bytes(content)
    argv = [a.replace("{o}", str(tmp_path / "out.jsonl")) for a in argv]
    code = "import sys; from serve.cli import main; sys.exit(main())"
    run = subprocess.run(
        [sys.executable, "-c", code, *argv, "--database-url", f"sqlite:///{path}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: ") and "unavailable" in line, line
    assert f"{path} cannot be used as an SQLite database: file is not a database" in line
    assert path.read_bytes() == content  # nothing written into someone else's file
    assert not (tmp_path / "out.jsonl").exists()


def test_the_server_starts_on_a_file_that_is_not_sqlite_and_keeps_checking(tmp_path, sample_model_dir):
    """The server's start-up stopped on it with a traceback (no server at all); the checks do not need the
    appeals database, so it starts, answers them, and says the database is unavailable."""
    path = tmp_path / "notes.db"
    path.write_bytes(NOT_SQLITE["binary"])
    settings = Settings(model_dir=sample_model_dir, model_processes=0, database_url=f"sqlite:///{path}")
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/check", json={"text": "加vx领券，原价199现价99"}).status_code == 200
        database = client.get("/readyz").json()["database"]
        assert database["status"] == "unavailable"
        assert "cannot be used as an SQLite database: file is not a database" in database["error"]
        r = client.post(
            "/v1/appeals", json={"note": {"text": "加vx领券"}, "claimed_label": "genuine", "statement": "x"}
        )
        assert r.status_code == 503, r.text
    assert path.read_bytes() == NOT_SQLITE["binary"]


@pytest.mark.parametrize("argv", [["db", "upgrade"], ["db", "current"], ["appeals", "list"]])
def test_a_file_where_the_database_directory_should_be_is_named_with_the_database(tmp_path, argv, capsys):
    """NOTECHECK_DATA_DIR naming a file: `db upgrade` said only "error: /data: File exists"."""
    (tmp_path / "data").write_text("not a directory")
    url = f"sqlite:///{tmp_path}/data/notecheck.db"
    assert main([*argv, "--database-url", url]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: the {'appeals ' if argv[0] == 'appeals' else ''}database {url} is unavailable: ")
