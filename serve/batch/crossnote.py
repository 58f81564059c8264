"""Before scoring: a first pass over every chunk that gathers what water detection must know about all of a
creator's notes (:mod:`model.comments.crossnote`), so that chunks flag cross-note duplicates, template families
and repeat commenters exactly as ``notecheck comments`` does on the whole input, whatever the chunk size.

The answers are written to ``_crossnote-<digest>.npz`` in the run's work directory and workers load them once per
process (:func:`serve.batch.score.get_scorer`, which caches scorers by the file's name: the digest keeps a scorer
of another run's answers from being reused). They depend only on the input, so a resumed run reuses the file.
"""

from __future__ import annotations

import hashlib
import math
import mmap
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.comments.crossnote import CrossNoteIndex
from model.comments.water import WaterDetector
from model.errors import InvalidNoteError
from model.notes import open_parquet
from model.schema import Note, author_or_none, parse_note
from serve.batch.plan import Chunk, Plan
from serve.batch.readers import read_chunk
from serve.batch.writers import atomic_write, writing

_BUCKET_BYTES = 64 << 20  # input bytes per temporary bucket of the first pass


def _has_comments(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    try:
        return len(value) > 0
    except TypeError:
        return True  # not a list: parsing says what is wrong with it


def _author(value: Any) -> str | None:
    """The author as :func:`model.schema.parse_note` reads it (None when it would not be a valid one)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return author_or_none(str(value))


def _may_have_comments(chunk: Chunk) -> bool:
    """False when the chunk's file surely has no ``comments`` (no such column, or not the bytes in JSON Lines)."""
    if chunk.kind == "csv":
        return "comments" in chunk.header
    if chunk.kind == "parquet":
        return "comments" in open_parquet(Path(chunk.path)).schema_arrow.names
    if chunk.kind != "jsonl":
        return False
    with open(chunk.path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            # the key, however the file is encoded (GB18030 and UTF-8 agree on ASCII)
            return data.find(b"comments") >= 0


def gather(
    plan: Plan,
    workdir: Path,
    water: WaterDetector,
    *,
    reuse: bool,
    progress: Callable[[int], Any] | None = None,
    bucket_bytes: int = _BUCKET_BYTES,
) -> tuple[Path | None, str | None]:
    """Run the first pass over ``plan`` unless ``reuse`` and a previous run left its file. Returns the file (None
    when no note has both an author and comments: then there is nothing to share between chunks) and a line
    for the run's summary. ``progress(total)`` makes a bar (tqdm, or None) for the rows read; the temporary buckets
    hold about ``bucket_bytes`` of input each."""
    previous = sorted(workdir.glob("_crossnote-*.npz"))
    if reuse and previous:
        return previous[0], None
    first = {c.path: c for c in reversed(plan.chunks) if c.kind != "error"}  # one chunk per file
    keep = {path for path, chunk in first.items() if _may_have_comments(chunk)}
    chunks = [c for c in plan.chunks if c.path in keep]
    if not chunks:
        return None, None  # inputs without comments pay one byte scan per file
    size = sum(Path(f).stat().st_size for f in {c.path for c in chunks})
    index = CrossNoteIndex(water, buckets=min(128, max(1, size // bucket_bytes)), directory=workdir)
    notes = with_comments = 0
    bar = progress(sum(c.n_rows for c in chunks)) if progress is not None else None
    try:
        for chunk in chunks:
            for rec in read_chunk(chunk):
                data = rec.data
                if rec.error is not None or not isinstance(data, dict):
                    continue
                author = _author(data.get("author"))
                if author is None:
                    continue  # judged on its own note, within its chunk
                notes += 1
                if not _has_comments(data.get("comments")):
                    index.add(Note(text="", author=author))  # writes nothing: a note count
                    continue
                try:
                    # as `notecheck comments` reads it: a note without text still counts, with its comments
                    note = parse_note(data, where=rec.where, require_text=False)
                except InvalidNoteError:
                    continue
                with_comments += 1
                with writing(workdir):  # a bucket on a full disk: one line naming it, like the output's
                    index.add(note)
            if bar is not None:
                bar.update(chunk.n_rows)
        if not with_comments:
            return None, None
        with writing(workdir):
            flags = index.finish()
    finally:
        index.close()
        if bar is not None:
            bar.close()
    data = flags.to_bytes()
    path = workdir / f"_crossnote-{hashlib.blake2b(data, digest_size=8).hexdigest()}.npz"
    atomic_write(path, data)
    return path, (
        f"cross-note water detection: first pass over {notes} notes with an author ({with_comments} with comments): "
        f"{len(flags.duplicates)} duplicate comment text(s), {len(flags.template_creators)} creator(s) with a "
        f"template family, {len(flags.repeat_commenters)} repeat commenter(s)"
    )
