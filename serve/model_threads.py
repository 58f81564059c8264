"""Running model code off the event loop: :func:`run_model` for one call, :class:`ModelQueue` for single-note
checks, which it coalesces into one call on a list. Both hold one of the app's ``model_threads`` tokens (its
``model_limiter``) while the model runs, so at most that many model calls run at once.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import anyio
from fastapi import HTTPException, Request

T = TypeVar("T")
R = TypeVar("R")


async def run_model(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-bound model code in a worker thread (never on the event loop), at most ``model_threads`` at once."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=request.app.state.model_limiter)


class _Job:
    __slots__ = ("abandoned", "done", "error", "item", "result")

    def __init__(self, item: Any) -> None:
        self.item = item
        self.done = anyio.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.abandoned = False


def _running_loop() -> object | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # another async library than asyncio
        return None


class ModelQueue(Generic[T, R]):
    """Coalesces concurrent single-item model calls into one worker-thread call on a list of items.

    :meth:`submit` (on the event loop) queues an item and waits for its result. :meth:`serve`, one task for the
    app's lifetime (started in the lifespan), waits for a model-thread token of ``limiter`` (the one
    :func:`run_model` uses), then takes every item queued by then, up to ``max_batch``, and runs
    ``run_batch(items)`` in a worker thread; ``run_batch`` returns one result per item, in order. Nothing waits for
    company: with one request in flight a batch is that one item. Under load, the requests that queued while the
    model thread was busy share one vectorised call instead of paying for one call (and one thread hop) each.
    An exception from ``run_batch`` is retried item by item, so one bad item fails only its own request.
    """

    def __init__(self, run_batch: Callable[[list[T]], list[R]], limiter: anyio.CapacityLimiter, max_batch: int) -> None:
        self._run_batch = run_batch
        self._limiter = limiter
        self.max_batch = max_batch
        self._send, self._receive = anyio.create_memory_object_stream[_Job](math.inf)
        self._loop: object | None = None  # the event loop serve() runs in
        self.batches = 0  # worker-thread calls made and items checked (for tests and benchmarks)
        self.items = 0

    async def submit(self, item: T) -> R:
        if self._loop is None or _running_loop() is not self._loop:
            # Not served, or called from another event loop than the lifespan's (a test or benchmark driving the
            # ASGI app directly): the queue's primitives belong to that loop, so run this one item on its own.
            self.batches += 1
            self.items += 1
            ((result, error),) = await anyio.to_thread.run_sync(self._compute, [item], limiter=self._limiter)
            if error is not None:
                raise error
            return result
        job = _Job(item)
        try:
            self._send.send_nowait(job)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise _shutting_down() from None
        try:
            await job.done.wait()
        except BaseException:  # cancelled (client gone, shutdown): nobody wants the result any more
            job.abandoned = True
            raise
        if job.error is not None:
            raise job.error
        return job.result

    async def serve(self, *, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
        """Take batches off the queue until cancelled; jobs still queued then fail with a 503."""
        self._loop = _running_loop()
        try:
            async with anyio.create_task_group() as tg:
                task_status.started()
                async for first in self._receive:
                    token = object()
                    try:
                        await self._limiter.acquire_on_behalf_of(token)
                    except BaseException:  # cancelled (shutdown) while waiting for a model thread
                        first.error = _shutting_down()
                        first.done.set()
                        raise
                    batch = [first]
                    while len(batch) < self.max_batch:
                        try:
                            batch.append(self._receive.receive_nowait())
                        except (anyio.WouldBlock, anyio.EndOfStream):
                            break
                    tg.start_soon(self._run, batch, token)
        finally:
            self._loop = None
            self._send.close()
            while True:
                try:
                    job = self._receive.receive_nowait()
                except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                    break
                job.error = _shutting_down()
                job.done.set()
            self._receive.close()

    async def _run(self, batch: list[_Job], token: object) -> None:
        live = [job for job in batch if not job.abandoned]
        outcomes = None
        try:
            if live:
                self.batches += 1
                self.items += len(live)
                # No limiter here: the token taken in serve() is this batch's place among the model threads.
                outcomes = await anyio.to_thread.run_sync(self._compute, [job.item for job in live])
        finally:
            self._limiter.release_on_behalf_of(token)
            if outcomes is None:  # cancelled (shutdown) before the batch ran
                for job in live:
                    job.error = _shutting_down()
            else:
                for job, (result, error) in zip(live, outcomes, strict=True):
                    job.result, job.error = result, error
            for job in batch:
                job.done.set()

    def _compute(self, items: list[T]) -> list[tuple[R | None, Exception | None]]:
        """(result, None) or (None, exception) per item; runs in a worker thread."""
        try:
            results = self._run_batch(items)
            if len(results) != len(items):
                raise RuntimeError(f"run_batch returned {len(results)} results for {len(items)} items")
            return [(r, None) for r in results]
        except Exception as exc:
            if len(items) == 1:
                return [(None, exc)]
        outcomes: list[tuple[R | None, Exception | None]] = []
        for item in items:  # one bad item must not fail the others
            try:
                outcomes.append((self._run_batch([item])[0], None))
            except Exception as exc:
                outcomes.append((None, exc))
        return outcomes


def _shutting_down() -> HTTPException:
    return HTTPException(status_code=503, detail="The server is shutting down; retry on another instance.")
