"""Step 2, score: the per-chunk function that runs in workers (process pool or Dask). It reads its chunk, scores
it with a :class:`serve.scoring.RowScorer` built once per process and writes the part and its id hashes."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from model.errors import NotecheckError
from serve.batch.config import ScorerSpec
from serve.batch.plan import Chunk
from serve.batch.readers import read_chunk
from serve.batch.writers import atomic_write, encode_rows, id_hashes, ids_name, part_name
from serve.scoring import ChunkStats, RowScorer

_SCORERS: dict[ScorerSpec, RowScorer] = {}


_SCORERS_LOCK = threading.Lock()


def get_scorer(spec: ScorerSpec) -> RowScorer:
    """The :class:`RowScorer` for ``spec``, built once per process (a worker loads the model once)."""
    with _SCORERS_LOCK:
        scorer = _SCORERS.get(spec)
        if scorer is None:
            from model.artifacts import load_model

            model = load_model(spec.model_dir, allow_version_mismatch=spec.allow_version_mismatch)
            keywords = None if spec.keywords is None else {k: list(v) for k, v in spec.keywords}
            cross_note = None
            if spec.cross_note is not None:
                from model.comments.crossnote import CrossNoteFlags

                cross_note = CrossNoteFlags.load(spec.cross_note)
            comment_scorer = _comment_scorer() if spec.comments else None
            if comment_scorer is not None and (spec.keyword_exclude or spec.keyword_negation):
                # The keyword file's exclude phrases and negation modes need its sets in the scorer itself.
                comment_scorer = comment_scorer.with_keywords(
                    keywords or {}, exclude=dict(spec.keyword_exclude or ()), negation=dict(spec.keyword_negation or ())
                )
                keywords = None
            scorer = RowScorer(model, comment_scorer=comment_scorer, keywords=keywords, top=spec.top,
                               cross_note=cross_note)  # fmt: skip
            _SCORERS[spec] = scorer
        return scorer


@functools.lru_cache(maxsize=1)
def comment_scorer_status() -> tuple[Any, str | None]:
    """``(scorer, None)`` when the shipped sentiment model loads, else ``(None, why)``.
    Loaded once per process."""
    from model.comments import load_comment_scorer

    try:
        return load_comment_scorer(), None
    except NotecheckError as exc:
        return None, f"comment scoring is not available ({exc})"


def _comment_scorer() -> Any:
    return comment_scorer_status()[0]


def score_chunk(chunk: Chunk, workdir: str, fmt: str, spec: ScorerSpec) -> tuple[int, dict[str, Any]]:
    """Read, score and write one chunk as ``part-NNNNNN.<fmt>`` (and its row ids as ``_part-NNNNNN.ids``) in
    ``workdir``; returns its index and stats."""
    rows = get_scorer(spec).score_records(read_chunk(chunk))
    out = Path(workdir)
    atomic_write(out / ids_name(chunk.index), id_hashes(rows))
    atomic_write(out / part_name(chunk.index, fmt), encode_rows(rows, fmt))
    return chunk.index, ChunkStats.of_rows(rows).to_dict()


def score_partition(chunks: list[Chunk], workdir: str, fmt: str, spec: ScorerSpec) -> list[tuple[int, dict]]:
    return [score_chunk(c, workdir, fmt, spec) for c in chunks]
