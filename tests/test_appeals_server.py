"""Appeals against a real server process: 32 concurrent clients, and kill -9 in the middle of a burst of writes
(no acknowledged appeal lost; a restarted server finds them all). SQLite, and PostgreSQL when
NOTECHECK_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from serve.db.database import Database
from serve.db.models import Appeal
from tests.db_support import BACKENDS, database_url
from tests.server_support import running_server

NOTES = [
    {"title": "源头厂家直供", "text": "加vx领券，原价199现价99，链接在主页"},
    {"title": "好物分享", "text": "今天和朋友去爬山，风景很好，加我微信 13812345678 了解详情"},
    {"text": "这款面霜用了一个月，皮肤变好了，推荐给大家，需要的可以问我"},
]  # all flagged (ad or review) by the sample model: a note it passes cannot be appealed


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path: Path):
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def server_env(sample_model_dir: Path, db_url: str) -> dict[str, str]:
    return {
        "NOTECHECK_MODEL_DIR": str(sample_model_dir),
        "NOTECHECK_DATABASE_URL": db_url,
        "NOTECHECK_APPEAL_RATE_LIMIT": "0",
        "NOTECHECK_MODEL_PROCESSES": "0",
    }


def body(i: int) -> dict:
    return {"note": {**NOTES[i % len(NOTES)], "id": f"note-{i}"}, "claimed_label": "genuine", "statement": f"申诉 {i}"}


def rows(db_url: str) -> list[tuple[str, str | None]]:
    db = Database(db_url)
    try:
        with db.session() as session:
            return list(session.execute(select(Appeal.id, Appeal.note_id)))
    finally:
        db.close()


def test_32_clients_create_1000_appeals_exactly(server_env, db_url, tmp_path):
    with running_server(server_env, tmp_path / "server.log") as (base, _):
        with httpx.Client(base_url=base, timeout=60, limits=httpx.Limits(max_connections=32)) as client:
            with ThreadPoolExecutor(32) as pool:
                responses = list(pool.map(lambda i: client.post("/v1/appeals", json=body(i)), range(1000)))
    assert [r.status_code for r in responses] == [201] * 1000
    ids = [r.json()["id"] for r in responses]
    assert len(set(ids)) == 1000
    stored = rows(db_url)
    assert len(stored) == 1000
    assert {i for i, _ in stored} == set(ids)
    assert sorted(n for _, n in stored) == sorted(f"note-{i}" for i in range(1000))


def test_kill_9_during_a_burst_loses_no_acknowledged_appeal(server_env, db_url, tmp_path):
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(base: str, w: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as client:
            i = 0
            while not stop.is_set():
                try:
                    r = client.post("/v1/appeals", json=body(w * 100_000 + i))
                except httpx.HTTPError:
                    return  # the server is gone: whatever was not acknowledged may or may not be stored
                i += 1
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(r.json()["id"])

    with running_server(server_env, tmp_path / "server.log") as (base, proc):
        threads = [threading.Thread(target=writer, args=(base, w)) for w in range(16)]
        for t in threads:
            t.start()
        while len(acknowledged) < 150 and proc.poll() is None:
            threading.Event().wait(0.01)
        proc.kill()  # SIGKILL mid-burst: no shutdown, no flush
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
    assert len(acknowledged) >= 150
    stored = {i for i, _ in rows(db_url)}
    assert set(acknowledged) <= stored
    with running_server(server_env, tmp_path / "restart.log") as (base, _):
        with httpx.Client(base_url=base, timeout=30) as client:
            for appeal_id in acknowledged:
                r = client.get(f"/v1/appeals/{appeal_id}")
                assert r.status_code == 200 and r.json()["status"] == "open"
            assert client.post("/v1/appeals", json=body(0)).status_code == 201
    db = Database(db_url)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == len(stored) + 1
    db.close()


def test_the_appeals_benchmark_runs(monkeypatch, capsys, sample_model_dir):
    """A smoke run of benchmarks/appeals_load.py on SQLite (its numbers are not asserted, only that it runs and
    that the database holds exactly the appeals it saw acknowledged, which the benchmark itself checks)."""
    import json
    import sys

    from tests.server_support import ROOT

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    sys.modules.pop("appeals_load", None)
    import appeals_load

    args = ["--duration", "0.3", "--concurrency", "4", "--postgres-url", "", "--model", str(sample_model_dir), "--json"]
    assert appeals_load.main(args) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert [(r["backend"], r["endpoint"]) for r in results] == [
        ("sqlite", "GET /healthz"),
        ("sqlite", "POST /v1/check"),
        ("sqlite", "POST /v1/appeals"),
        ("sqlite (one commit per appeal)", "POST /v1/appeals"),
    ]
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in results)
    assert results[-1]["rows_in_database"] == results[2]["created"] + results[3]["created"]
