"""Running a batch: plan, score, record, finish (see :mod:`serve.batch`)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from model.errors import NotecheckError
from serve.batch import score as scoring
from serve.batch.config import BatchConfig, ScorerSpec, output_format, read_keywords
from serve.batch.engines import default_jobs, run_dask, run_pool
from serve.batch.finish import finish
from serve.batch.plan import expand_inputs, make_plan
from serve.batch.record import check_resumable, fingerprint, prepare_workdir, recorder, remove_stray_parts
from serve.scoring import ChunkStats, Summary
from serve.sigterm import INTERRUPTED_STATUS, TERMINATED_STATUS, Terminated
from serve.sigterm import received as sigterm_received


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C, or SIGTERM: ``terminated``); the chunks finished so far are kept for
    ``--resume``. ``status`` is the exit status to end with (130 or 143, :mod:`serve.sigterm`)."""

    def __init__(self, message: str, *, terminated: bool = False) -> None:
        super().__init__(message)
        self.terminated = terminated
        self.status = TERMINATED_STATUS if terminated else INTERRUPTED_STATUS


def _interrupted(done: int, chunks: int, *, terminated: bool) -> Interrupted:
    how = "terminated (SIGTERM)" if terminated else "interrupted"
    return Interrupted(
        f"{how}: stopped after {done} of {chunks} chunk(s); run the same command with --resume to continue",
        terminated=terminated,
    )


class WorkerLost(NotecheckError):
    """A worker process died mid-chunk (``kill -9``, the out-of-memory killer): the run stops with the chunks
    finished so far kept for ``--resume``. Not exit status 1, which says the output is complete."""


def run_batch(cfg: BatchConfig, *, log: Callable[[str], None] | None = None) -> Summary:
    """Score every input row into ``cfg.output`` (see the module docstring); returns the run's summary."""
    cfg.validate()
    log = log or (lambda msg: print(msg, file=sys.stderr))
    start = time.perf_counter()
    tmpdir = None
    output = cfg.output
    if output is None:
        tmpdir = tempfile.mkdtemp(prefix="notecheck-score-")
        output = Path(tmpdir) / "scored.jsonl"
    fmt = output_format(output)
    assert fmt is not None
    workdir = output if cfg.engine == "dask" else output.with_name(output.name + ".parts")
    try:
        files = expand_inputs(cfg.inputs, exclude=[output, workdir])
        keywords = read_keywords(cfg.keywords_file) if cfg.keywords_file else None
        no_comments = scoring.comment_scorer_status()[1] if cfg.comments else None
        spec = ScorerSpec(
            model_dir=None if cfg.model_dir is None else str(Path(cfg.model_dir).resolve()),
            allow_version_mismatch=cfg.allow_version_mismatch,
            keywords=None if keywords is None else _frozen(keywords.sets),
            keyword_exclude=None if keywords is None else _frozen(keywords.exclude) or None,
            keyword_negation=None if keywords is None else tuple(keywords.negation.items()) or None,
            comments=cfg.comments and no_comments is None,
        )
        fp = fingerprint(cfg, files, fmt, spec)
        plan = make_plan(files, chunk_size=cfg.chunk_size, encoding=cfg.encoding, max_row_bytes=cfg.max_row_bytes)
        summary = Summary(files=plan.files, output=None if tmpdir else str(output))
        summary.notes.extend(plan.notes)
        if no_comments:
            summary.notes.append(f"{no_comments}; rows carry no comment scores")
        check_resumable(cfg, output, workdir, log)
        if cfg.engine == "local" and output.is_file() and not tmpdir:
            log(f"note: {output} exists ({output.stat().st_size:,} bytes); this run replaces it when it finishes")
        done = prepare_workdir(workdir, fp, cfg, plan, fmt, log)
        for i in sorted(done):
            summary.add(ChunkStats.from_dict(done[i]))
        summary.resumed_rows = summary.read
        if done:
            summary.notes.append(f"resumed: {len(done)} of {len(plan.chunks)} chunk(s) were already done")
        todo = [c for c in plan.chunks if c.index not in done]
        water = scoring.comment_scorer_status()[0].water if spec.comments else None
        if todo and water is not None:
            from dataclasses import replace

            from serve.batch.crossnote import gather

            def bar(total: int) -> Any:
                return _progress(cfg, total, 0, desc="first pass (water across notes)")

            path, note = gather(plan, workdir, water, reuse=cfg.resume, progress=bar)
            if path is not None:
                spec = replace(spec, cross_note=str(path.resolve()))
            if note:
                summary.notes.append(note)
        jobs = min(cfg.jobs or default_jobs(), max(1, len(todo)))
        progress = _progress(cfg, plan.n_rows, summary.read)
        try:
            on_done = recorder(workdir, fp, done, summary, progress, plan)
            if cfg.engine == "dask":
                run_dask(todo, workdir, fmt, spec, cfg, on_done, log)
            elif jobs == 1:
                for chunk in todo:
                    on_done(*scoring.score_chunk(chunk, str(workdir), fmt, spec))
            else:
                run_pool(todo, workdir, fmt, spec, jobs, on_done)
        except KeyboardInterrupt as exc:
            remove_stray_parts(workdir)  # the workers are stopped: what they were writing is no part
            raise _interrupted(len(done), len(plan.chunks), terminated=isinstance(exc, Terminated)) from None
        except BrokenProcessPool:
            remove_stray_parts(workdir)
            if sigterm_received():  # SIGTERM to the whole process group ended the workers too: not a crash
                raise _interrupted(len(done), len(plan.chunks), terminated=True) from None
            raise WorkerLost(
                f"a scoring worker process ended abruptly (killed, or out of memory?) after {len(done)} of "
                f"{len(plan.chunks)} chunk(s); the finished ones are kept: run the same command with --resume to "
                "continue"
            ) from None
        finally:
            if progress is not None:
                progress.close()
        finish(cfg, plan, workdir, output, fmt, summary)
        summary.elapsed = time.perf_counter() - start
        summary.file_errors = plan.file_errors
        return summary
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _progress(cfg: BatchConfig, total: int, initial: int, desc: str | None = None) -> Any:
    show = cfg.progress if cfg.progress is not None else sys.stderr.isatty()
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="note", unit_scale=True, smoothing=0.1, file=sys.stderr, desc=desc)


def _frozen(sets: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A keyword mapping as nested tuples (a ScorerSpec is hashed and pickled)."""
    return tuple((k, tuple(v)) for k, v in sets.items())
