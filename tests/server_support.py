"""A real ``notecheck serve`` process for tests that need one (loopback only, always stopped)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs: not ended, and not a zombie waiting for its parent to collect it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` ends (or has ended) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def python_child(code: str, cwd: Path) -> Iterator[subprocess.Popen]:
    """A Python process running ``code`` (its standard output piped, as text), killed with SIGKILL when the block
    ends: what a killed test run or a killed driver is, with no teardown of its own."""
    child = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, stdout=subprocess.PIPE, text=True)
    try:
        yield child
    finally:
        child.kill()
        child.wait(10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """In a child before exec: the kernel sends it SIGTERM when the process that started it dies (Linux
    ``PR_SET_PDEATHSIG``), so a test run killed however it is killed leaves no server behind; a fixture's
    teardown does not run when pytest is killed."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def start_server(
    port: int,
    env: dict[str, str],
    log: Path,
    *,
    preexec_fn: Callable[[], None] | None = None,
    extra_args: tuple[str, ...] = (),
) -> subprocess.Popen:
    """``notecheck serve`` on ``port`` with the settings ``env`` (and no other ``NOTECHECK_*`` of this process),
    its output appended to ``log``; it ends with this process (:func:`die_with_parent`), and ``preexec_fn`` runs
    in the child before exec too."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("NOTECHECK_")}
    full.update(env)

    def child() -> None:
        die_with_parent()
        if preexec_fn is not None:
            preexec_fn()

    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "serve.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning", *extra_args],
            cwd=ROOT, env=full, stdout=out, stderr=subprocess.STDOUT, preexec_fn=child,
        )  # fmt: skip


def wait_ready(proc: subprocess.Popen, base: str, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server not ready after {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def running_server(
    env: dict[str, str], log: Path, *, preexec_fn: Callable[[], None] | None = None, extra_args: tuple[str, ...] = ()
) -> Iterator[tuple[str, subprocess.Popen]]:
    """A server on a free loopback port, once /readyz answers; stopped when the block ends (SIGTERM, then SIGKILL
    after a grace period) unless it has ended already."""
    port = free_port()
    proc = start_server(port, env, log, preexec_fn=preexec_fn, extra_args=extra_args)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(proc, base, log)
        yield base, proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
