"""Model code in a child process beside the event loop, instead of a thread taking turns with it for the GIL.

In CPython a worker thread keeps model code off the event loop only in name: the two threads share one GIL, so
a server process does event-loop work *or* model work, never both at once, and one check costs the event loop
the model's whole CPU time. :class:`ModelProcess` forks a child from the server worker once its models are
loaded and warmed (nothing is loaded again; the arrays are shared copy-on-write, ``gc.freeze`` keeps the
collector from copying them); the child runs a function over batches of items it receives on a pipe. The
worker thread that waits for the child holds no GIL while it waits, so the event loop parses and answers
requests on one core while the model checks notes on another.

Fork is used only where it is safe: on Linux, in a process with one thread (a uvicorn worker in its lifespan).
Everywhere else (other systems, a test client's event-loop thread, ``model_processes = 0``) model code runs
in worker threads.

Every wait for a child is bounded. A call whose child dies (killed, out of memory), is stopped (``kill -STOP``)
or gives no answer within ``timeout`` seconds per item of the call (a coalesced check of n notes gets n times
it) fails with :class:`ModelProcessError`; the child is killed and
reaped at once (no zombie is left), and :class:`ModelPool` runs that call and every later call that would have
gone to that child in the calling worker thread: no request is lost, the server only loses that child's
parallelism. A failed child is not replaced (forking from a server that now runs threads is not safe);
``/readyz`` and ``/metrics`` report the children alive, stopped and failed.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("notecheck.serve")


class ModelProcessError(RuntimeError):
    """The model process stopped (killed, out of memory); the request that was waiting for it cannot be answered."""


def fork_is_safe() -> bool:
    """True on Linux in a process with no other Python thread (forking with threads running can deadlock)."""
    return sys.platform == "linux" and "fork" in mp.get_all_start_methods() and threading.active_count() == 1


def die_with_parent(parent_pid: int, name: str | None = None) -> None:
    """Have the kernel send SIGTERM to this process when its parent dies (Linux ``PR_SET_PDEATHSIG``), so a
    killed server never leaves its model process (or worker) behind; with ``name``, name the process
    (``ps``/``pgrep`` show it)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        if name is not None:
            libc.prctl(15, name.encode()[:15])  # 15 = PR_SET_NAME (at most 15 bytes)
    except (OSError, AttributeError):  # pragma: no cover - not Linux; the closed pipe still ends the loop
        pass
    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(0)


#: Set by ``serve --workers N`` (N > 1) to the pid of the process supervising uvicorn's workers.
SUPERVISOR_ENV = "_NOTECHECK_SERVE_SUPERVISOR"


def die_with_supervisor() -> None:
    """In a worker of ``notecheck serve --workers N``: end with the supervising process (:func:`die_with_parent`),
    so a ``kill -9`` of ``notecheck serve`` leaves no worker serving on its port (its model processes die with it
    in turn). Nothing happens in any other process."""
    try:
        supervisor = int(os.environ.get(SUPERVISOR_ENV, ""))
    except ValueError:
        return
    if sys.platform != "linux" or os.getpid() == supervisor:
        return
    if os.getppid() == supervisor:
        die_with_parent(supervisor)
    elif not _alive(supervisor):
        # Started by the supervisor, which died while this worker was still importing the app (before it could ask
        # to die with it): a `kill -9` during start-up left such a worker serving on the port.
        os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process of that pid: it exists
        return True
    return True


READY = "ready"

#: The parent's ends of the pipes of the model processes it runs. A child forked later inherits them and closes
#: them at once: a copy left open in a sibling kept that pipe open when the parent closed its end, so the older
#: child never saw the end of its input and every shutdown waited out ``close``'s timeout before a SIGTERM.
_PARENT_ENDS: set[Any] = set()


def _serve(conn: Any, parent_end: Any, fn: Callable[[Any], Any], parent_pid: int, name: str) -> None:
    """The child's loop: ``fn(items)`` for every message until the parent closes its end (or dies)."""
    parent_end.close()  # else the child itself would keep the pipe open and never see the parent go
    for sibling in list(_PARENT_ENDS):  # the parent's ends of the older children's pipes (see _PARENT_ENDS)
        sibling.close()
    _PARENT_ENDS.clear()
    # Not the server's handlers inherited by the fork: SIGTERM (also sent when the parent dies) ends the child;
    # Ctrl-C reaches the whole process group, and the child leaves when its server closes the pipe.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid, name)
    try:
        conn.send(READY)  # start() returns once the handlers above are in place
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            items = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[bool, Any] = (True, fn(items))
        except Exception as exc:
            reply = (False, _portable(exc))
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling both ways (many exception classes do not: pickle re-creates them from
    ``args``), else a RuntimeError carrying its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def process_state(pid: int) -> str:
    """The kernel's one-letter state of process ``pid`` (``R``, ``S``, ``T`` stopped, ``Z`` zombie...), ``"?"``
    where /proc cannot tell (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0].decode()
    except (OSError, IndexError):
        return "?"


#: Seconds a call waits for a model process's answer unless told otherwise (the app passes its setting
#: ``model_process_timeout``); a single-note check takes milliseconds and a batch is split in small parts.
DEFAULT_TIMEOUT = 10.0
#: Seconds a new model process has, at least, to come up. Forking a server that holds the models and setting up the
#: child takes longer than one check, and much longer on a loaded machine: with the answer timeout as the start
#: limit, a server told to fail a hung check after 1 s lost model processes that were merely slow to start.
START_TIMEOUT = 10.0


class ModelProcess:
    """A forked child running ``fn(items)`` for the parent; call the instance with the items.

    Calls are serialised (one batch in flight). Exceptions raised by ``fn`` in the child are raised by the call.
    A call raises :class:`ModelProcessError` when the child has died, is stopped, or gives no answer within
    ``timeout`` seconds per item of a list (one note's check); the child is then killed and reaped, and every
    later call raises it at once. Start with
    :meth:`start` (forks), stop with :meth:`close`.
    """

    def __init__(
        self, fn: Callable[[Any], Any], *, name: str = "notecheck-model", timeout: float = DEFAULT_TIMEOUT
    ) -> None:  # name: <= 15 bytes
        if not timeout > 0:
            raise ValueError(f"The 'timeout' parameter of ModelProcess must be > 0. Got {timeout!r} instead.")
        self.fn = fn
        self.name = name
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: Any = None
        self._process: Any = None
        self.failed: str | None = None  # why the child is gone, once it is

    @property
    def alive(self) -> bool:
        return self._process is not None and self.failed is None and self._process.is_alive()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def state(self) -> str:
        """``"alive"``, ``"stopped"`` (SIGSTOP: it would hang the next call, which fails it instead), or
        ``"failed"`` (died, hung, closed or never started)."""
        if self._process is None or self.failed is not None or not self._process.is_alive():
            return "failed"
        return "stopped" if process_state(self._process.pid) in ("T", "t") else "alive"

    def start(self) -> ModelProcess:
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe(duplex=True)
        # The inherited objects stay shared with the child instead of being copied by its collector (the app has
        # usually frozen its loaded models already; then that is left as it is).
        already_frozen = gc.get_freeze_count() > 0
        if not already_frozen:
            gc.collect()
            gc.freeze()
        try:
            process = ctx.Process(
                target=_serve, args=(child, parent, self.fn, os.getpid(), self.name), name=self.name, daemon=True
            )
            process.start()
        finally:
            if not already_frozen:
                gc.unfreeze()
        child.close()
        self._conn, self._process = parent, process
        _PARENT_ENDS.add(parent)
        # Wait (bounded) until the child has set its signal handlers: a Ctrl-C or SIGTERM arriving earlier would
        # meet the server's inherited handlers instead.
        # A child that does not come up is failed (logged, killed, reaped): its calls run in the caller's thread.
        with self._lock:
            try:
                start_wait = max(self.timeout, START_TIMEOUT)
                if not parent.poll(start_wait) or parent.recv() != READY:
                    self._fail(f"not ready within {start_wait:g} s")
            except (EOFError, OSError) as exc:
                try:
                    self._fail(f"{type(exc).__name__} while starting; exit code {self._reap(0.5)}")
                except ModelProcessError:
                    pass
            except ModelProcessError:
                pass
        return self

    def __call__(self, items: Any) -> Any:
        with self._lock:
            if self.failed is not None:
                raise ModelProcessError(f"the model process stopped earlier ({self.failed})")
            if process_state(self._process.pid) in ("T", "t"):
                self._fail("it is stopped (SIGSTOP)")
            why = None
            # Each item gets the timeout: a coalesced call of n notes is n checks' work, and a child still working
            # through it is not hung (killing it would lose a process for good).
            wait = self.timeout * max(1, len(items)) if isinstance(items, (list, tuple)) else self.timeout
            try:
                self._conn.send(items)
                # poll, not a bare recv: a stopped or hung child would otherwise hold this call forever
                if self._conn.poll(wait):
                    ok, value = self._conn.recv()
                else:
                    why = f"no answer within {wait:g} s"
            except (EOFError, OSError) as exc:
                why = f"{type(exc).__name__}; exit code {self._reap(0.5)}"
            if why is not None:
                self._fail(why)
        if not ok:
            raise value
        return value

    def _fail(self, why: str) -> None:
        """Record why the child is gone, kill and reap it, raise :class:`ModelProcessError` (the lock is held)."""
        self.failed = why
        self._kill()
        log.error("model process %s failed (%s); its work runs in worker threads from now on", self.pid, why)
        raise ModelProcessError(f"the model process failed ({why})")

    def _reap(self, timeout: float) -> int | None:
        """Collect the child's exit status (so it leaves no zombie); its exit code, None if it still runs."""
        self._process.join(timeout)
        return self._process.exitcode

    def _kill(self) -> None:
        """SIGKILL (a stopped child ignores SIGTERM until continued; SIGKILL ends it) and reap."""
        if self._conn is not None:
            self._conn.close()
            _PARENT_ENDS.discard(self._conn)
        if self._process is not None and self._process.exitcode is None:
            try:
                self._process.kill()
            except OSError:  # pragma: no cover - already gone
                pass
            self._reap(5.0)

    def close(self, timeout: float = 5.0) -> None:
        """Close the pipe (the child's loop ends), wait ``timeout`` seconds for it to exit, then kill it; reaped
        either way."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                _PARENT_ENDS.discard(self._conn)
            if self._process is not None:
                deadline = time.monotonic() + timeout
                self._process.join(timeout)
                if self._process.exitcode is None:
                    self._process.terminate()
                    self._process.join(max(0.1, deadline - time.monotonic()))
                self._kill()
            if self.failed is None:
                self.failed = "closed"


class ModelPool:
    """``size`` model processes running ``fn``; a call takes a free one (callers beyond ``size`` wait).

    A call whose process fails (died, stopped, no answer within ``timeout``; see :class:`ModelProcess`) is run
    with ``fn`` in the calling thread instead, and so are later calls that get that process: a request is never
    lost to a failed child, the server only loses the parallelism. Failed processes are reaped, not replaced.
    """

    def __init__(self, fn: Callable[[Any], Any], size: int, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if size < 1:
            raise ValueError(f"The 'size' parameter of ModelPool must be >= 1. Got {size} instead.")
        self.fn = fn
        self.size = size
        self.timeout = timeout
        self.processes: list[ModelProcess] = []
        self._free: queue.SimpleQueue[ModelProcess] = queue.SimpleQueue()

    def start(self) -> ModelPool:
        for i in range(self.size):
            process = ModelProcess(self.fn, name=f"notecheck-mod{i}", timeout=self.timeout).start()
            self.processes.append(process)
            self._free.put(process)
        return self

    @property
    def alive(self) -> int:
        """How many of the processes are running and not stopped."""
        return self.states()["alive"]

    def states(self) -> dict[str, int]:
        """How many processes are ``alive``, ``stopped`` and ``failed`` (see :attr:`ModelProcess.state`)."""
        counts = {"alive": 0, "stopped": 0, "failed": 0}
        for p in self.processes:
            counts[p.state] += 1
        return counts

    def __call__(self, items: Any) -> Any:
        try:
            # Callers are admitted at most ``size`` at a time (the app's limiter), so a process is free at
            # once; the bound only guards against a caller that bypasses the limiter.
            process = self._free.get(timeout=self.timeout)
        except queue.Empty:
            return self.fn(items)
        try:
            if process.failed is None:
                try:
                    return process(items)
                except ModelProcessError:
                    pass  # logged by the process; this call runs here
        finally:
            self._free.put(process)
        return self.fn(items)

    def close(self) -> None:
        for process in self.processes:
            process.close()
