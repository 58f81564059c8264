"""What the hand-written serving infrastructure buys, measured in one run (issue 12 item 7).

    python benchmarks/serving_infra.py [--calls 400] [--chars 300]

0. The round trip of an empty call through :class:`serve.offload.ModelPool` and through
   :class:`concurrent.futures.ProcessPoolExecutor`: the infrastructure's own cost.
1. Model processes: the app's :class:`serve.offload.ModelPool` against :class:`concurrent.futures.ProcessPoolExecutor`
   (fork, the same forked-after-loading model) and against calling the model in the caller's thread. The same
   single-note check job (:func:`serve.routes.check.check_jobs` on the shipped models): latency of one call at a
   time (p50/p99), and throughput with two caller threads (the app's limiter admits two batches at once). Then
   what each does when a child is killed (``SIGKILL``) or stopped (``SIGSTOP``) under calls.
2. The ``POST /v1/check`` fast lane (:func:`serve.routes.check.fast_check`) on and off: event-loop CPU per request
   (``time.thread_time`` of the thread running the ASGI app; the model runs in another thread and is not counted),
   driving the app in-process with raw ASGI messages (no client or socket in the measurement).

Only this process and its children run; they are stopped (by pid) before it exits.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import signal
import statistics
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

_CHECK: Any = None  # the loaded check function, inherited by forked children (ProcessPoolExecutor needs a global)


def _ppe_check(jobs: list) -> list:
    return _CHECK(jobs)


def _echo(jobs: list) -> list:
    return [len(jobs)]


def bench_overhead(args: argparse.Namespace) -> None:
    """The cost of the infrastructure alone: a call that does nothing, through each pool (median µs)."""
    from serve.offload import ModelPool

    pool = ModelPool(_echo, 2).start()
    try:
        own = _latency(pool, ["x"], args.calls * 5)["p50_ms"] * 1e3
    finally:
        pool.close()
    with cf.ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as executor:
        ppe = _latency(lambda j: executor.submit(_echo, j).result(timeout=5.0), ["x"], args.calls * 5)["p50_ms"] * 1e3
    print(f"round trip of an empty call (p50): ModelPool {own:.0f} µs, ProcessPoolExecutor (fork) {ppe:.0f} µs")


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def _latency(call: Any, job: list, n: int) -> dict[str, float]:
    for _ in range(20):
        call(job)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        call(job)
        times.append((time.perf_counter() - t) * 1e3)
    return {"p50_ms": statistics.median(times), "p99_ms": _pct(times, 0.99)}


def _throughput(call: Any, job: list, n: int, threads: int = 2) -> float:
    def worker() -> None:
        for _ in range(n // threads):
            call(job)

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return (n // threads * threads) / (time.perf_counter() - start)


def _failure_behaviour(call: Any, job: list, pids: list[int], sig: int) -> str:
    """Send ``sig`` to the first child, then make 6 calls (each bounded): what came back."""
    os.kill(pids[0], sig)
    time.sleep(0.2)
    outcomes = []
    for _ in range(6):
        box: dict[str, Any] = {}

        def run(box: dict[str, Any] = box) -> None:
            try:
                call(job)
                box["r"] = "ok"
            except Exception as exc:
                box["r"] = type(exc).__name__

        t = threading.Thread(target=run, daemon=True)
        t.start()
        t.join(15)
        outcomes.append(box.get("r", "hung > 15 s"))
        if t.is_alive():
            break
    if sig == signal.SIGSTOP:
        try:
            os.kill(pids[0], signal.SIGKILL)
        except ProcessLookupError:  # the pool killed it already
            pass
    return ", ".join(f"{o} x{outcomes.count(o)}" for o in dict.fromkeys(outcomes))


def bench_processes(args: argparse.Namespace) -> None:
    global _CHECK
    from api_latency import bench_note

    from serve.deps import load_models
    from serve.offload import ModelPool
    from serve.routes.check import check_jobs, job_of
    from serve.schemas import NoteIn
    from serve.settings import Settings

    models = load_models(Settings(model_processes=0))
    _CHECK = partial(check_jobs, models)
    job = [job_of(NoteIn(**bench_note(args.chars)), 8)]
    rows: dict[str, dict[str, Any]] = {}

    rows["in the caller's thread"] = {**_latency(_CHECK, job, args.calls), "rps": _throughput(_CHECK, job, args.calls)}

    pool = ModelPool(_CHECK, 2, timeout=5.0).start()
    try:
        rows["ModelPool (serve.offload)"] = {
            **_latency(pool, job, args.calls),
            "rps": _throughput(pool, job, args.calls),
        }
        rows["ModelPool (serve.offload)"]["SIGKILL a child"] = _failure_behaviour(
            pool, job, [p.pid for p in pool.processes], signal.SIGKILL
        )
    finally:
        pool.close()
    pool = ModelPool(_CHECK, 2, timeout=5.0).start()
    try:
        rows["ModelPool (serve.offload)"]["SIGSTOP a child"] = _failure_behaviour(
            pool, job, [p.pid for p in pool.processes], signal.SIGSTOP
        )
    finally:
        pool.close()

    for sig in (None, signal.SIGKILL, signal.SIGSTOP):
        executor = cf.ProcessPoolExecutor(2, mp_context=mp.get_context("fork"))
        try:

            def call(jobs: list, executor: cf.ProcessPoolExecutor = executor) -> list:
                return executor.submit(_ppe_check, jobs).result(timeout=5.0)

            call(job)  # starts the children
            pids = list(executor._processes)
            name = "ProcessPoolExecutor (fork)"
            if sig is None:
                rows[name] = {**_latency(call, job, args.calls), "rps": _throughput(call, job, args.calls)}
            else:
                rows[name][f"{signal.Signals(sig).name} a child"] = _failure_behaviour(call, job, pids, sig)
        finally:
            for pid in list(executor._processes):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            executor.shutdown(wait=False, cancel_futures=True)

    print(f"model processes: one {args.chars}-character single-note check job, {args.calls} calls")
    print(f"{'':<30}{'p50 ms':>8}{'p99 ms':>8}{'calls/s (2 threads)':>21}  after SIGKILL / SIGSTOP of a child")
    for name, r in rows.items():
        print(f"{name:<30}{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['rps']:>21.0f}  "
              f"{r.get('SIGKILL a child', '-')} / {r.get('SIGSTOP a child', '-')}")  # fmt: skip


async def _asgi_loop(app: Any, body: bytes, n: int) -> float:
    """Event-loop CPU per request (µs) over ``n`` POST /v1/check requests sent as raw ASGI messages."""
    from api_latency import asgi_request

    for _ in range(20):
        assert await asgi_request(app, "POST", "/v1/check", body) == 200
    statuses = set()
    cpu = time.thread_time()
    for _ in range(n):
        statuses.add(await asgi_request(app, "POST", "/v1/check", body))
    per = (time.thread_time() - cpu) / n * 1e6
    assert statuses == {200}, statuses
    return per


def bench_fast_lane(args: argparse.Namespace) -> None:
    from api_latency import bench_note
    from fastapi.testclient import TestClient

    import serve.routes.check as check_route
    from serve.app import create_app
    from serve.settings import Settings

    app = create_app(Settings(model_processes=0))
    body = json.dumps(bench_note(args.chars), ensure_ascii=False).encode()
    real = check_route.fast_check

    async def off(request: Any) -> None:
        return None

    results = {}
    with TestClient(app) as client:  # runs the lifespan (models loaded) in the client's portal
        for name, lane in (("fast lane on", real), ("fast lane off (standard route)", off), ("fast lane on ", real)):
            check_route.fast_check = lane
            results[name] = client.portal.call(_asgi_loop, app, body, args.calls)
    check_route.fast_check = real
    print(f"\nPOST /v1/check event-loop CPU per request ({args.calls} requests, raw ASGI, model in a worker thread):")
    for name, us in results.items():
        print(f"  {name.strip():<32}{us:>8.0f} µs")
    on = statistics.mean([results["fast lane on"], results["fast lane on "]])
    print(f"  the lane saves {results['fast lane off (standard route)'] - on:.0f} µs per request "
          f"({results['fast lane off (standard route)'] / on:.2f}x less event-loop CPU)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=400, help="calls / requests per measurement")
    ap.add_argument("--chars", type=int, default=300, help="characters of the checked note's text")
    args = ap.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    bench_overhead(args)
    bench_processes(args)
    bench_fast_lane(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
