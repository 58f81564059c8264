"""Where chunks are scored: a process pool of ``--jobs`` workers (forked after the parent has loaded the model,
so they share it), or a Dask cluster (``--engine dask``: one ``dask.bag`` partition per chunk)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from model.notes import (
    Record,
)
from serve.batch.config import BatchConfig, ScorerSpec
from serve.batch.plan import Chunk
from serve.batch.score import get_scorer, score_chunk, score_partition


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def worker_context(spec: ScorerSpec) -> Any:
    """How worker processes start. Where ``fork`` is safe (Linux), the parent loads and warms the scorer first
    and the workers inherit it: no per-worker import and model loading (~1-2 s each), and the model's arrays
    stay shared copy-on-write between the processes (``gc.freeze`` keeps the collector from touching, and so
    copying, the inherited objects). Elsewhere ``spawn``: each worker loads the model once, on first use."""
    import multiprocessing as mp

    from serve.offload import fork_is_safe

    if not fork_is_safe():
        return mp.get_context("spawn")  # forking a process with other threads running can deadlock
    import gc

    scorer = get_scorer(spec)
    scorer.score_records([Record(path="<warm-up>", line=0, data={"title": "周末", "text": "今天天气很好，加vx领券"})])
    gc.freeze()
    return mp.get_context("fork")


def _worker_init(parent_pid: int) -> None:
    """A worker ends with its parent, however the parent ends (``kill -9`` included: the kernel signals it, see
    :func:`serve.offload.die_with_parent`), and is named ``notecheck-score`` (``ps``, ``pgrep``). Ctrl-C, which
    reaches the whole process group, is left to the parent: it stops the run and shuts the pool down."""
    import signal

    from serve.offload import die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent_pid, "notecheck-score")


def run_pool(
    todo: list[Chunk], workdir: Path, fmt: str, spec: ScorerSpec, jobs: int, on_done: Callable[..., None]
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = worker_context(spec)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
            feed_pool(pool, todo, workdir, fmt, spec, jobs, on_done)
    finally:
        import gc

        gc.unfreeze()  # the parent's objects were frozen only for the workers' fork


def feed_pool(
    pool: Any, todo: list[Chunk], workdir: Path, fmt: str, spec: ScorerSpec, jobs: int, on_done: Callable[..., None]
) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    pending: set[Any] = set()
    queue = iter(todo)
    try:
        for chunk in queue:
            pending.add(pool.submit(score_chunk, chunk, str(workdir), fmt, spec))
            if len(pending) >= 2 * jobs:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    on_done(*fut.result())
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                on_done(*fut.result())
    except BaseException:
        # Not cancelling the futures left: the pool fails them itself once it sees its workers gone, and on Python
        # 3.11 it raised InvalidStateError in its own thread on finding one cancelled (a traceback on stderr).
        stop_workers(pool)
        pool.shutdown(wait=True)  # the workers are gone: this only lets the pool's thread wind up
        raise


def stop_workers(pool: Any) -> None:
    """End the pool's workers now, mid-chunk. Left to ``shutdown(wait=False)``, a stopped run (Ctrl-C, SIGTERM, an
    error) said so at once but then, at exit (:mod:`concurrent.futures` joins its pools' threads), waited for every
    chunk already handed to a worker, one each and one queued behind them: 2.5 s after SIGTERM, 8 s after Ctrl-C on
    a loaded machine, for 2,000-row chunks with comments. A worker holds nothing ``--resume`` needs: a chunk counts
    as done only once the parent has appended its line to the manifest (:func:`serve.batch.record.recorder`), and a
    part is written to a temporary file and renamed, so a killed worker leaves at most a temporary file or a part
    that is not in the manifest, both redone (and the temporary file removed) by ``--resume``."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        proc.terminate()  # SIGTERM: the workers' default action (see _worker_init) ends them at once
    for proc in processes:
        proc.join(10)
        if proc.is_alive():  # pragma: no cover - SIGTERM is not blocked in a worker
            proc.kill()
            proc.join()


def run_dask(
    todo: list[Chunk],
    workdir: Path,
    fmt: str,
    spec: ScorerSpec,
    cfg: BatchConfig,
    on_done: Callable[..., None],
    log: Callable[[str], None],
) -> None:
    try:
        import dask.bag as db
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - dask is a declared dependency of the dask extra
        raise InvalidParameterError(
            "--engine dask needs dask and distributed: pip install 'notecheck[dask]'. Got an ImportError."
        ) from None
    if not todo:
        return
    with contextlib.ExitStack() as stack:
        quiet = _QuietLogs("distributed.nanny", "distributed.scheduler", "distributed.client", "tornado.application")
        stack.callback(quiet.restore)  # after the cluster has closed (an ExitStack unwinds in reverse)
        cluster = None
        if cfg.scheduler:
            client = stack.enter_context(Client(cfg.scheduler, timeout="30s"))
        else:
            workers = cfg.jobs or default_jobs()
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, dashboard_address=None, preload=[LOCAL_WORKER_PRELOAD]
                )
            )
            client = stack.enter_context(Client(cluster))
        log(f"dask: {len(todo)} partition(s) on {client.scheduler.address}")
        bag = db.from_sequence(todo, npartitions=len(todo)).map_partitions(
            score_partition, str(workdir.resolve()), fmt, spec
        )
        try:
            futures = client.compute(bag.to_delayed())
            for fut in as_completed(futures):
                for index, stats in fut.result():
                    on_done(index, stats)
        except BaseException:
            if cluster is not None:
                # the nannies' "still alive after 0.0 seconds, killing", the scheduler's "Removing worker ...
                # caused the cluster to lose already computed task(s)" and "Couldn't gather keys", the client's
                # "rescheduling": what stopping is meant to do
                quiet.quiet()
                stop_local_workers(cluster)
            raise


class _QuietLogs:
    """Loggers held above ERROR from :meth:`quiet` to :meth:`restore` (distributed logs a stopped run's lost
    tasks as errors)."""

    def __init__(self, *names: str) -> None:
        import logging

        self.loggers = [logging.getLogger(name) for name in names]
        self.levels: list[int] | None = None

    def quiet(self) -> None:
        import logging

        if self.levels is None:
            self.levels = [logger.level for logger in self.loggers]
            for logger in self.loggers:
                logger.setLevel(logging.CRITICAL)

    def restore(self) -> None:
        if self.levels is not None:
            for logger, level in zip(self.loggers, self.levels, strict=True):
                logger.setLevel(level)
            self.levels = None


#: Run by each worker process of the local cluster as it starts (:func:`serve.batch.dask_worker.dask_setup`).
LOCAL_WORKER_PRELOAD = "serve.batch.dask_worker"


def stop_local_workers(cluster: Any) -> None:
    """End the local cluster's worker processes now, mid-chunk, as :func:`stop_workers` does the pool's (and for
    the same reasons nothing ``--resume`` needs is lost). Closing the cluster asked each worker to finish its
    running task first and killed it only 4 s later, with a warning per worker. The cluster's own closing (the
    scheduler, the nannies' servers) follows as the ``with`` block ends."""
    import asyncio
    import signal

    nannies = list(cluster.workers.values())
    processes = [w.process for n in nannies if (w := getattr(n, "process", None)) is not None and w.process is not None]

    async def kill_all() -> None:
        # SIGKILL first: a worker asked to stop would cancel its running task and log that it did. Then, in the
        # same step of the event loop, each nanny starts closing, so that none restarts its worker on seeing it
        # end (that news reaches the loop only in a later step), and waits until each process is reaped (else
        # distributed reaps them at exit, saying so after the command's last line).
        for process in processes:
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGKILL)
        closing = asyncio.gather(*(n.close(timeout=0, reason="notecheck-stopped") for n in nannies),
                                 return_exceptions=True)  # fmt: skip
        await closing
        await asyncio.gather(*(p.join(30) for p in processes), return_exceptions=True)

    cluster.sync(kill_all)
