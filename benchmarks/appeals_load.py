"""Appeal creation under load, on SQLite and PostgreSQL, next to ``/healthz`` and ``/v1/check`` in the same run.

    python benchmarks/appeals_load.py [--duration 10] [--concurrency 16] [--postgres-url URL] [--model DIR]

For each database (a fresh SQLite file in a temporary directory; PostgreSQL when ``--postgres-url`` or
``NOTECHECK_TEST_POSTGRES_URL`` names a server whose role may create databases: a fresh database there, dropped at
the end) it starts ``notecheck serve`` on 127.0.0.1 (a free port; appeal rate limit off), then drives it with
``--concurrency`` keep-alive connections in a closed loop, ``--duration`` seconds per endpoint after a 1 s warm-up:
``GET /healthz`` (the server's floor), ``POST /v1/check`` (the model check every appeal includes) and
``POST /v1/appeals`` (check + a committed INSERT: fsync on SQLite with synchronous=FULL, a WAL flush on
PostgreSQL) — then, on a second server over the same database, appeals again with group commit off
(``NOTECHECK_APPEAL_GROUP_COMMIT=false``: one commit per appeal, the baseline of :mod:`serve.db.writer`). Prints
throughput and p50/p99 latency per endpoint and backend, and checks that the database holds exactly the appeals
acknowledged with 201. Loopback only; each server is stopped at the end of its phase.

Issue 13's aim: appeal-creation p99 <= 20 ms on SQLite at 16 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from api_load import RawConnection, _free_port, _http_get, _stop  # noqa: E402

MAX_REQUESTS_PER_CLIENT = 100_000
NOTE = {"title": "周末爬山", "text": "今天和朋友去爬山，山顶风景很好，下山吃了碗面，累但开心。" * 3}
# Only a flagged note can be appealed (a genuine one gets 409): this one is, by the shipped and the sample model.
APPEAL_NOTE = {
    "text": "今天和朋友去爬山，山顶风景很好，下山吃了碗面，累但开心。" * 2
    + "想要同款装备的加我微信 13812345678，原价199现价99"
}
APPEAL = {"note": APPEAL_NOTE, "claimed_label": "genuine", "statement": "这是我自己的真实体验，没有收钱。"}


async def _loop(conn: RawConnection, method: str, body: bytes | None, deadline: float, out: list) -> None:
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.perf_counter() >= deadline:
            return
        t = time.perf_counter()
        try:
            status = (await conn.request(method, "", content=body)).status_code
        except Exception:  # a failed request counts as an error; the run goes on
            status = 0
        out.append((time.perf_counter() - t, status))


async def _drive(url: str, method: str, body: bytes | None, concurrency: int, duration: float) -> dict[str, Any]:
    conns = [RawConnection(url) for _ in range(concurrency)]
    try:
        warm: list = []
        await asyncio.gather(*(_loop(c, method, body, time.perf_counter() + 1.0, warm) for c in conns))
        results: list = []
        start = time.perf_counter()
        await asyncio.gather(*(_loop(c, method, body, start + duration, results) for c in conns))
        elapsed = time.perf_counter() - start
    finally:
        for c in conns:
            await c.aclose()
    ok = sorted(t for t, s in results if s in (200, 201))

    def pct(q: float) -> float:
        return ok[min(len(ok) - 1, int(q * len(ok)))] * 1e3 if ok else float("nan")

    created = sum(1 for _, s in warm + results if s == 201)
    return {"requests": len(results), "errors": len(results) - len(ok), "rps": len(ok) / elapsed,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "created": created}  # fmt: skip


@contextmanager
def _server(db_url: str, model: Path | None, log: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTECHECK_")}
    env.update({"NOTECHECK_DATABASE_URL": db_url, "NOTECHECK_APPEAL_RATE_LIMIT": "0"})
    env.update(extra_env or {})
    if model is not None:
        env["NOTECHECK_MODEL_DIR"] = str(model)
    cmd = [sys.executable, "-m", "serve.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "warning"]  # fmt: skip
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=str(ROOT), stdout=fh, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become ready:\n{log.read_text(errors='replace')[-2000:]}")
            try:
                if _http_get(port, "/readyz")[0] == 200:
                    break
            except (OSError, ValueError, IndexError):
                pass
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc, log)


@contextmanager
def _postgres_database(admin_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url)
    name = f"notecheck_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def _rows(db_url: str) -> int:
    from sqlalchemy import func, select

    from serve.db.database import Database
    from serve.db.models import Appeal

    db = Database(db_url)
    try:
        with db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Appeal)) or 0)
    finally:
        db.close()


def run_backend(
    name: str,
    db_url: str,
    args: argparse.Namespace,
    log: Path,
    *,
    group_commit: bool = True,
    only_appeals: bool = False,
) -> list[dict[str, Any]]:
    out = []
    env = {"NOTECHECK_APPEAL_GROUP_COMMIT": "true" if group_commit else "false"}
    if not group_commit:
        name += " (one commit per appeal)"
    with _server(db_url, args.model, log, env) as base:
        phases = [("GET /healthz", "GET", "/healthz", None), ("POST /v1/check", "POST", "/v1/check", NOTE),
                  ("POST /v1/appeals", "POST", "/v1/appeals", APPEAL)]  # fmt: skip
        for label, method, path, body in phases[2:] if only_appeals else phases:
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
            result = asyncio.run(_drive(base + path, method, data, args.concurrency, args.duration))
            out.append({"backend": name, "endpoint": label, **result})
            print(f"  {name:10} {label:17} {result['rps']:8.0f}/s  p50 {result['p50_ms']:6.2f} ms  "
                  f"p99 {result['p99_ms']:6.2f} ms  errors {result['errors']}", file=sys.stderr)  # fmt: skip
    created = out[-1]["created"] + (args.created_before if only_appeals else 0)
    stored = _rows(db_url)
    out[-1]["rows_in_database"] = stored
    if stored != created:
        raise SystemExit(f"{name}: {created} appeals acknowledged with 201 but {stored} rows in the database")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load per endpoint (after 1 s warm-up)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--model", type=Path, default=None, help="ad-model directory (default: the shipped model)")
    ap.add_argument("--postgres-url", default=os.environ.get("NOTECHECK_TEST_POSTGRES_URL"),
                    help="a PostgreSQL server; its role may create databases")  # fmt: skip
    ap.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = ap.parse_args(argv)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="notecheck-appeals-bench-") as tmp:
        log = Path(tmp) / "server.log"
        sqlite = f"sqlite:///{Path(tmp) / 'appeals.db'}"
        results += run_backend("sqlite", sqlite, args, log)
        args.created_before = results[-1]["created"]
        results += run_backend("sqlite", sqlite, args, log, group_commit=False, only_appeals=True)
        if args.postgres_url:
            with _postgres_database(args.postgres_url) as url:
                results += run_backend("postgresql", url, args, log)
                args.created_before = results[-1]["created"]
                results += run_backend("postgresql", url, args, log, group_commit=False, only_appeals=True)
        else:
            print("  postgresql skipped: no --postgres-url / NOTECHECK_TEST_POSTGRES_URL", file=sys.stderr)
    if args.json:
        print(json.dumps({"concurrency": args.concurrency, "duration": args.duration, "results": results}))
        return 0
    print(f"\n{args.concurrency} clients, {args.duration:g} s per endpoint, loopback, {os.cpu_count()} cores")
    print("| backend | endpoint | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['backend']} | `{r['endpoint']}` | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
              f"{r['errors']} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
