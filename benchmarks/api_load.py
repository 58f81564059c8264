"""Load test of the prediction API over loopback HTTP, against a hello-world endpoint of the same server.

    python benchmarks/api_load.py [--model DIR] [--duration 20] [--concurrency 32] [--workers 1]
                                  [--client-impl raw|httpx] [--coalesce N] [--model-processes N] [--abusive]

1. Starts ``uvicorn`` as a subprocess on 127.0.0.1 (a free port) with the notecheck app plus a FastAPI
   hello-world route (``GET /hello``, ``async def``) on the same app, so both share server, middleware and
   settings. Reports the time from process start to ``/readyz`` answering 200 (and, with several workers, to
   every worker being ready), the server's own model-loading steps, each worker's resident memory, and the
   proportional set size (PSS) of each worker and of its model processes (which share its pages copy-on-write).
   Readiness is polled with a bare socket, not httpx: ``httpx.get`` builds an SSL context per call (~50 ms of
   CPU), so polling with it every 10 ms kept a core busy while the server was starting on a 2-core machine.
2. Runs the load generator as a *separate process* (this file with ``--client``) with ``--concurrency``
   connections, each sending requests back to back (a closed loop) for ``--duration`` seconds (bounded by a
   request cap too). First against ``/hello``, then ``POST /v1/check`` with a 300-character note. The default
   client is a minimal asyncio HTTP/1.1 keep-alive client (``raw``, ~0.25 ms of CPU per request); httpx's
   ``AsyncClient`` (``--client-impl httpx``) needs ~5 ms per request, more than the server's hello-world, so
   with it the load generator, not the server, sets both throughputs and the ratio.
3. Prints throughput and p50/p99 latency of both, the ratios (check / hello-world), the CPU per request of server
   (workers and their model processes) and client, and where the machine's CPU went during each phase (server,
   load generator, other processes).

4. With ``--abusive``, a third phase: the same normal clients on ``POST /v1/check`` while one more connection
   sends the largest batch the server accepts (``--abusive-notes`` notes filling ``max_request_chars``) back to
   back; prints the normal clients' p99 with the abusive client beside them against phase 2 of the same run
   (issue 16 target: at most 2x) and what the abusive client got.

Issue 4 targets: /v1/check p99 <= 25 ms and throughput >= 50% of hello-world; start-up to ready <= 3 s.
In a closed loop, latency = connections / throughput (Little's law): 32 connections and p99 <= 25 ms need well
over 32 / 0.025 = 1280 requests/s. Only loopback is used; the server is stopped (by its pid) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAX_REQUESTS_PER_CLIENT = 200_000  # a bound on every client loop, besides the duration


def bench_app() -> Any:
    """The notecheck app (settings from the environment) plus a hello-world route, for the comparison, and a
    route telling which worker process answered and whether its models are loaded (to wait for every worker)."""
    from serve.app import create_app

    app = create_app()

    @app.get("/hello", include_in_schema=False)
    async def hello() -> dict[str, str]:
        return {"message": "Hello World"}

    @app.get("/bench/worker", include_in_schema=False)
    async def worker() -> dict[str, Any]:
        return {"pid": os.getpid(), "ready": app.state.models is not None}

    return app


# -- load generator (runs in its own process) --------------------------------------------------------------
async def _client_loop(client: Any, method: str, url: str, body: bytes | None, deadline: float, out: list) -> None:
    headers = {"content-type": "application/json"} if body is not None else {}
    clock = time.perf_counter
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if clock() >= deadline:
            return
        t = clock()
        try:
            r = await client.request(method, url, content=body, headers=headers)
            ok = r.status_code == 200
        except Exception:  # a failed request counts as an error, the run goes on
            ok = False
        out.append((clock() - t, ok))


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (``--client-impl raw``): a fraction of httpx's CPU
    per request, so that on a small machine the load generator takes less CPU away from the server."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
        self.reader: Any = None
        self.writer: Any = None

    async def request(self, method: str, url: str, content: bytes | None = None, headers: Any = None) -> Any:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = content or b""
        head = f"{method} {self.path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(body)}\r\n"
        if content is not None:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return _Status(int(status_line.split()[1]))

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()


class _Status:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


async def _drive(
    url: str, method: str, body: bytes | None, concurrency: int, duration: float, impl: str
) -> dict[str, Any]:
    import httpx

    if impl == "httpx":
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        shared = httpx.AsyncClient(limits=limits, timeout=30.0)
        clients = [shared] * concurrency
    else:
        clients = [RawConnection(url) for _ in range(concurrency)]
    try:
        warm: list = []
        await asyncio.gather(*(_client_loop(c, method, url, body, time.perf_counter() + 1.0, warm) for c in clients))
        results: list = []
        cpu = time.process_time()
        start = time.perf_counter()
        deadline = start + duration
        await asyncio.gather(*(_client_loop(c, method, url, body, deadline, results) for c in clients))
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu
    finally:
        for c in set(clients):
            await c.aclose()
    lat = sorted(t for t, ok in results if ok)
    errors = sum(1 for _, ok in results if not ok)

    def pct(q: float) -> float:
        return lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3 if lat else float("nan")

    return {"requests": len(results), "errors": errors, "seconds": elapsed, "rps": len(lat) / elapsed,
            "p50_ms": pct(0.50), "p99_ms": pct(0.99),
            "warmup_requests": len(warm), "client_cpu_ms_per_request": cpu / max(1, len(results)) * 1e3}  # fmt: skip


def client_main(args: argparse.Namespace) -> int:
    body = Path(args.body).read_bytes() if args.body else None
    result = asyncio.run(_drive(args.client, args.method, body, args.concurrency, args.duration, args.client_impl))
    print(json.dumps(result))
    return 0


# -- orchestration -----------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _worker_pids(pid: int, workers: int) -> list[int]:
    """uvicorn with one worker serves in its own process; with N it supervises N spawned worker processes."""
    if workers == 1:
        return [pid]
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return [pid]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()] or [pid]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _family(pids: list[int]) -> list[int]:
    """The processes and all their descendants (a worker's model process included)."""
    out: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(_children(pid))
    return out


def _pss_mb(pid: int) -> float:
    """Proportional set size: shared (copy-on-write) pages split between the processes sharing them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes and their descendants (from /proc/<pid>/stat)."""
    total = 0
    for pid in _family(pids):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the full line)
    return total / os.sysconf("SC_CLK_TCK")


def _phase(args: argparse.Namespace, pids: list[int], url: str, method: str, body: str | None) -> dict[str, Any]:
    """One load phase; adds the server's CPU time per request (independent of the load generator's cost) and
    where the machine's CPU went (in cores: server, load generator, everything else on the machine)."""
    before = _cpu_seconds(pids)
    busy0, _ = _machine_busy()
    children0 = os.times().children_user + os.times().children_system
    wall0 = time.perf_counter()
    result = _run_client(args, url, method, body)
    wall = time.perf_counter() - wall0
    busy1, _ = _machine_busy()
    server = _cpu_seconds(pids) - before
    client = os.times().children_user + os.times().children_system - children0
    served = result["requests"] + result["warmup_requests"]
    result["server_cpu_ms_per_request"] = server / max(1, served) * 1e3
    result["cores"] = {"server": server / wall, "client": client / wall, "machine": (busy1 - busy0) / wall}
    result["cores"]["other"] = max(0.0, result["cores"]["machine"] - result["cores"]["server"] - client / wall)
    return result


def _abusive_phase(
    args: argparse.Namespace, pids: list[int], url: str, body: str, batch_url: str, batch_body: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The normal clients' phase with one more client sending ``batch_body`` to ``batch_url`` back to back, in its
    own process, for the same time. Returns (normal clients' result, abusive client's result)."""
    cmd = [sys.executable, __file__, "--client", batch_url, "--method", "POST", "--concurrency", "1",
           "--duration", str(args.duration), "--client-impl", "raw", "--body", batch_body]  # fmt: skip
    abuser = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        normal = _phase(args, pids, url, "POST", body)
        out, _ = abuser.communicate(timeout=args.duration * 4 + 120)
    finally:
        if abuser.poll() is None:
            abuser.kill()
            abuser.wait()
    return normal, json.loads(out.strip().splitlines()[-1])


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as log_fh:
        return subprocess.Popen(cmd, env=env, cwd=str(ROOT), stdout=log_fh, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen, log: Path) -> None:
    """Stop the server (by its pid); show its log if it did not exit cleanly."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.returncode not in (0, -15):
        print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
    log.unlink(missing_ok=True)


def _http_get(port: int, path: str, timeout: float = 1.0) -> tuple[int, bytes]:
    """(status, body) of one GET on a fresh connection; a bare socket, so that polling costs next to no CPU."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _wait_ready(port: int, proc: subprocess.Popen, workers: int, timeout: float) -> tuple[float, float, dict]:
    """Seconds from now until /readyz first answers 200, until every worker process said it is ready, and the
    /readyz document. Polls every 10 ms."""
    start = time.perf_counter()
    deadline = start + timeout
    first: float | None = None
    ready_doc: dict[str, Any] = {}
    ready_pids: set[int] = set()
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before it was ready")
        try:
            if first is None:
                status, body = _http_get(port, "/readyz")
                if status == 200:
                    first = time.perf_counter() - start
                    ready_doc = json.loads(body)
            if first is not None:
                status, body = _http_get(port, "/bench/worker")
                answer = json.loads(body)
                if answer["ready"]:
                    ready_pids.add(answer["pid"])
                if len(ready_pids) >= workers:
                    return first, time.perf_counter() - start, ready_doc
        except (OSError, ValueError, IndexError):
            pass
        time.sleep(0.01)
    raise RuntimeError(f"the server was not ready within {timeout} s")


def _import_seconds() -> float:
    """What importing uvicorn and the app costs in a fresh interpreter (measured in its own process)."""
    code = "import time; t = time.perf_counter(); import uvicorn.main, serve.app; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=str(ROOT))
    return float(out.stdout.strip())


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def _run_client(args: argparse.Namespace, url: str, method: str, body_file: str | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--client", url, "--method", method, "--concurrency", str(args.concurrency),
           "--duration", str(args.duration), "--client-impl", args.client_impl]  # fmt: skip
    if body_file:
        cmd += ["--body", body_file]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration * 4 + 60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None, help="ad-model directory (default: the shipped model)")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per endpoint (>= 20 for the issue)")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--chars", type=int, default=300, help="characters of the checked note's text")
    ap.add_argument(
        "--client-impl",
        choices=["httpx", "raw"],
        default="raw",
        help="load generator: a minimal asyncio HTTP/1.1 keep-alive client (default) or httpx.AsyncClient",
    )
    ap.add_argument("--startup-runs", type=int, default=1, help="server starts to take the median start-up time of")
    ap.add_argument(
        "--launcher",
        choices=["notecheck", "uvicorn"],
        default="notecheck",
        help="start the server as `notecheck serve` does (serve.cmd_serve.serve_app, default) or with the plain "
        "`python -m uvicorn` command line (which, with --workers > 1, leaves Nagle's algorithm on: uvicorn #3149)",
    )
    ap.add_argument(
        "--coalesce",
        type=int,
        default=None,
        help="the server's check_coalesce setting (default: the server's default; 1 checks notes one at a time)",
    )
    ap.add_argument(
        "--model-processes",
        type=int,
        default=None,
        help="the server's model_processes setting (default: the server's default): processes forked beside "
        "each worker that check notes; 0 checks in the worker's threads",
    )
    ap.add_argument(
        "--abusive",
        action="store_true",
        help="add a phase with one abusive client sending the largest accepted batch beside the normal clients",
    )
    ap.add_argument("--abusive-notes", type=int, default=256, help="notes in the abusive client's batch")
    # client mode (internal)
    ap.add_argument("--client", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--method", default="GET", help=argparse.SUPPRESS)
    ap.add_argument("--body", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.client:
        return client_main(args)

    sys.path.insert(0, str(HERE))
    from api_latency import bench_note

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTECHECK_")}
    if args.model is not None:
        env["NOTECHECK_MODEL_DIR"] = str(args.model.resolve())
    if args.coalesce is not None:
        env["NOTECHECK_CHECK_COALESCE"] = str(args.coalesce)
    if args.model_processes is not None:
        env["NOTECHECK_MODEL_PROCESSES"] = str(args.model_processes)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), env.get("PYTHONPATH", "")])
    if args.launcher == "notecheck":  # what `notecheck serve` runs, with this file's app factory
        code = (f"from serve.cmd_serve import serve_app; serve_app('api_load:bench_app', host='127.0.0.1', "
                f"port={port}, workers={args.workers}, log_level='warning', access_log=False)")  # fmt: skip
        cmd = [sys.executable, "-c", code]
    else:
        cmd = [sys.executable, "-m", "uvicorn", "api_load:bench_app", "--factory", "--app-dir", str(HERE),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
               "--no-access-log", "--log-level", "warning"]  # fmt: skip
    body_file = Path(f"/tmp/notecheck-api-load-{os.getpid()}.json")
    body_file.write_text(json.dumps(bench_note(args.chars), ensure_ascii=False), encoding="utf-8")
    from serve.settings import Settings

    budget = Settings().max_request_chars  # the server's default (no NOTECHECK_ setting reaches it here)
    per_note = budget // args.abusive_notes
    big = bench_note(per_note)
    big["title"] = big["title"][: max(0, per_note - len(big["text"]))]
    batch_file = Path(f"/tmp/notecheck-api-load-{os.getpid()}-batch.json")
    batch_file.write_text(json.dumps({"notes": [big] * args.abusive_notes}, ensure_ascii=False), encoding="utf-8")
    batch_chars = args.abusive_notes * (len(big["title"]) + len(big["text"]))
    log = Path(f"/tmp/notecheck-api-load-{os.getpid()}.log")
    starts: list[tuple[float, float]] = []
    for _ in range(args.startup_runs - 1):  # extra starts, for a median start-up time on a noisy machine
        proc = _start(cmd, env, log)
        try:
            first_s, all_s, _ = _wait_ready(port, proc, args.workers, timeout=60.0)
            starts.append((first_s, all_s))
        finally:
            _stop(proc, log)
    proc = _start(cmd, env, log)
    load_before = os.getloadavg()
    try:
        ready_s, all_ready_s, ready_doc = _wait_ready(port, proc, args.workers, timeout=60.0)
        starts.append((ready_s, all_ready_s))
        workers = _worker_pids(proc.pid, args.workers)
        rss_idle = [_rss_mb(p) for p in workers]
        model_procs = {w: _children(w) for w in workers}
        hello = _phase(args, workers, f"{base}/hello", "GET", None)
        check = _phase(args, workers, f"{base}/v1/check", "POST", str(body_file))
        abused = abuser = None
        if args.abusive:
            abused, abuser = _abusive_phase(
                args, workers, f"{base}/v1/check", str(body_file), f"{base}/v1/check/batch", str(batch_file)
            )
        rss_after = [_rss_mb(p) for p in workers]
        pss = {p: _pss_mb(p) for p in _family(workers)}
    finally:
        _stop(proc, log)
        body_file.unlink(missing_ok=True)
        batch_file.unlink(missing_ok=True)
    imports_s = _import_seconds()

    coalesce = "server default" if args.coalesce is None else str(args.coalesce)
    mp = "server default" if args.model_processes is None else args.model_processes
    print(f"checks run in: {ready_doc.get('checks_run_in')} (model_processes {mp})")
    print(f"server: uvicorn started by {args.launcher}, {args.workers} worker(s), 127.0.0.1, check_coalesce "
          f"{coalesce}; load generator: asyncio + {args.client_impl} in a separate process, {args.concurrency} "
          f"connections, {args.duration:.0f} s per endpoint")  # fmt: skip
    print(f"machine: {os.cpu_count()} cores shared by server, load generator and other work; load average "
          f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")  # fmt: skip
    steps = ", ".join(f"{k} {v:.2f}" for k, v in (ready_doc.get("load_steps") or {}).items())
    firsts = sorted(f for f, _ in starts)
    alls = sorted(a for _, a in starts)
    spread = f" (median of {len(starts)} starts, {firsts[0]:.2f}-{firsts[-1]:.2f})" if len(starts) > 1 else ""
    every = f"; every worker ready: {statistics.median(alls):.2f} s" if args.workers > 1 else ""
    print(f"start-up to ready (process start -> /readyz 200): {statistics.median(firsts):.2f} s{spread}  "
          f"(target <= 3 s){every}")  # fmt: skip
    print(f"  of which models loaded and warmed (server's load_seconds): {ready_doc.get('load_seconds', 0):.2f} s "
          f"[{steps}]; importing uvicorn + serve.app alone takes {imports_s:.2f} s (separate process)")  # fmt: skip
    rss = zip(rss_idle, rss_after, strict=True)
    print("worker RSS: " + ", ".join(f"{a:.0f} MB idle -> {b:.0f} MB after load" for a, b in rss))
    for w, kids in model_procs.items():
        mine = [w, *kids]
        print(f"  worker {w}: PSS {pss.get(w, float('nan')):.0f} MB, model process(es) {kids or 'none'} PSS "
              f"{sum(pss.get(k, 0.0) for k in kids):.0f} MB; together {sum(pss.get(p, 0.0) for p in mine):.0f} MB "
              f"(PSS splits the copy-on-write pages they share)")  # fmt: skip
    print(f"{'endpoint':<26}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'server CPU ms/req':>19}{'client CPU ms/req':>19}")  # fmt: skip
    for name, r in (("GET /hello (hello-world)", hello), ("POST /v1/check (300 ch)", check)):
        print(f"{name:<26}{r['requests']:>10}{r['errors']:>8}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
              f"{r['server_cpu_ms_per_request']:>19.2f}{r['client_cpu_ms_per_request']:>19.2f}")  # fmt: skip
    for name, r in (("hello", hello), ("check", check)):
        c = r["cores"]
        print(f"  cores busy during {name}: server {c['server']:.2f}, load generator {c['client']:.2f}, other "
              f"processes {c['other']:.2f} (machine {c['machine']:.2f} of {os.cpu_count()})")  # fmt: skip
    ratio = check["rps"] / hello["rps"] if hello["rps"] else float("nan")
    print(f"throughput ratio check / hello-world: {ratio:.2f}  (target >= 0.50)")
    cpu_ratio = hello["server_cpu_ms_per_request"] / check["server_cpu_ms_per_request"]
    print(f"server-CPU capacity ratio check / hello-world (hello CPU per request / check CPU per request): "
          f"{cpu_ratio:.2f}; the throughput a server-bound run would show")  # fmt: skip
    print(f"p99 of /v1/check: {check['p99_ms']:.1f} ms  (target <= 25 ms); p99 ratio check / hello-world: "
          f"{check['p99_ms'] / hello['p99_ms']:.2f}; closed loop: {args.concurrency} connections / "
          f"{check['rps']:.0f} req/s = {args.concurrency / check['rps'] * 1e3:.0f} ms mean latency")  # fmt: skip
    if abused is not None and abuser is not None:
        print(f"abusive client: one connection sending {args.abusive_notes} notes, {batch_chars} characters "
              f"(max_request_chars {budget}) per /v1/check/batch, back to back: {abuser['requests']} batches, "
              f"{abuser['errors']} non-200, p50 {abuser['p50_ms']:.0f} ms per batch")  # fmt: skip
        r = abused
        print(f"{'POST /v1/check + abusive':<26}{r['requests']:>10}{r['errors']:>8}{r['rps']:>10.0f}"
              f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['server_cpu_ms_per_request']:>19.2f}"
              f"{r['client_cpu_ms_per_request']:>19.2f}")  # fmt: skip
        print(f"p99 of normal /v1/check clients: {check['p99_ms']:.1f} ms alone, {abused['p99_ms']:.1f} ms beside "
              f"the abusive client: {abused['p99_ms'] / check['p99_ms']:.2f}x  (issue 16 target <= 2x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
