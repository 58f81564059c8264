"""Step 4, finish: the local engine joins the parts in input order into the output file (atomically) and removes
``OUTPUT.parts``; the Dask engine leaves ``OUTPUT/part-NNNNNN.<ext>`` and marks it ``_SUCCESS``. Both then count
duplicated ids and write the per-creator report."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from serve.batch.config import BatchConfig
from serve.batch.plan import Plan
from serve.batch.readers import iter_output_rows
from serve.batch.report import write_report
from serve.batch.writers import concatenate, ids_name, writing
from serve.scoring import Summary


def duplicates(workdir: Path, plan: Plan) -> tuple[int, int] | None:
    arrays = []
    for c in plan.chunks:
        p = workdir / ids_name(c.index)
        if p.is_file():
            arrays.append(np.frombuffer(p.read_bytes(), dtype="<i8"))
    if not arrays:
        return None
    ids = np.concatenate(arrays)
    _, counts = np.unique(ids, return_counts=True)
    repeated = counts[counts > 1]
    return (int((repeated - 1).sum()), len(repeated)) if len(repeated) else None


def finish(cfg: BatchConfig, plan: Plan, workdir: Path, output: Path, fmt: str, summary: Summary) -> None:
    """Count duplicated ids, put the output in place and write the per-creator report (notes in ``summary``)."""
    dup = duplicates(workdir, plan)
    if dup:
        summary.notes.append(
            f"{dup[0]} row(s) repeat an id seen earlier ({dup[1]} distinct id(s) occur more than once); every "
            "row was kept and scored, 'file' and 'line' tell them apart"
        )
    if cfg.engine == "local":
        concatenate(workdir, plan, fmt, output)
        shutil.rmtree(workdir)
    else:
        with writing(workdir / "_SUCCESS"):
            (workdir / "_SUCCESS").write_text("", encoding="utf-8")
    if cfg.report_dir is not None:
        with writing(cfg.report_dir):
            paths, font_note = write_report(iter_output_rows(output, fmt, plan), cfg.report_dir)
        summary.notes.append(f"wrote the per-creator report: {', '.join(str(p) for p in paths)}")
        if font_note:
            summary.notes.append(f"creators.png: {font_note}")
