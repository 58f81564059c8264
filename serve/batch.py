"""Batch scoring of note archives: streaming, parallel, resumable, and on a Dask cluster.

How a run works
---------------
1. **Plan.** Every input file is scanned once (bytes only for JSON Lines, the CSV parser for CSV, the footer for
   Parquet) and cut into :class:`Chunk` s of ``chunk_size`` rows, each with its byte offset (or row offset) and
   first line number. The plan depends only on the files and the options, so a resumed run plans the same chunks.
   Files that cannot be read at all (not Parquet despite ``.parquet``, binary or compressed data, a JSON array,
   UTF-16) get one *file-level* error row (``line`` 0) instead of crashing the run.
2. **Score.** :func:`score_chunk` reads its rows from the file (streaming, bounded by the chunk), scores them with
   a :class:`serve.scoring.RowScorer` cached once per process (the model is loaded once per worker, not once per
   chunk) and writes ``part-NNNNNN.<ext>`` atomically (temporary file + rename) with the chunk's id hashes.
   ``--jobs N`` runs it in a process pool, ``--engine dask`` as one ``dask.bag`` partition per chunk on a cluster.
3. **Record.** The parent appends one line per finished chunk to ``manifest.jsonl`` (after a fingerprint line
   naming the inputs, sizes, modification times and options). ``--resume`` skips the chunks listed there whose
   part exists; a torn last line or a stray part without a manifest line is simply redone.
4. **Finish.** The local engine concatenates the parts in input order into the output file (atomically) and
   removes its ``OUTPUT.parts`` directory; the Dask engine leaves the partitioned directory ``OUTPUT/`` with
   ``part-NNNNNN.<ext>`` in input order. Both then report duplicated ids and write the per-creator report.

Memory is bounded by ``chunk_size`` rows per worker (and the plan: a few numbers per chunk), not by input size.

Defined behaviour for awkward input (each is tested in ``tests/test_batch.py``):

- reading: the rows, their line numbers and errors are those of :func:`model.notes.iter_records` (the reader of
  every command: decoding per line, CSV records numbered by the line they start on); chunks are read with the
  same code from their offsets. ``--encoding ENC`` decodes every line strictly with ENC.
- empty file: no rows, a note in the summary; a blank line is not a row.
- UTF-16/32 files are a file-level error (convert them).
- CRLF line ends are accepted everywhere.
- missing ``text`` column: a summary note naming the columns; each row without text (or title) is an error row.
- duplicated ids: every row is kept and scored (``file`` + ``line`` tell them apart); the summary counts them.
- huge rows: rows up to ``max_row_bytes`` (16 MiB) are read; title and text beyond
  :data:`serve.scoring.MAX_TEXT_CHARS` are scored on their beginning with a ``warning``; a longer row is an
  error row and is skipped over without being loaded into memory.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import glob
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import InvalidParameterError, ModelLoadError, NotecheckError
from model.notes import (
    MAX_ROW_BYTES,
    SUPPORTED_SUFFIXES,
    NoteFileError,
    PhysicalLines,
    Record,
    csv_field_limit,
    csv_records,
    decode_line,
    file_format,
    jsonl_records,
    open_parquet,
    parquet_records,
    read_csv_header,
    read_line,
    skip_bom,
    sniff,
)
from serve.scoring import OUTPUT_COLUMNS, ChunkStats, RowScorer, Summary

DEFAULT_CHUNK_SIZE = 2000
MANIFEST = "manifest.jsonl"
MANIFEST_VERSION = 1


# ---------------------------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScorerSpec:
    """What a worker needs to build its :class:`RowScorer` (picklable; the scorer itself is cached per process)."""

    model_dir: str | None = None
    allow_version_mismatch: bool = False
    keywords: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    comments: bool = True
    top: int = 3


@dataclass
class BatchConfig:
    """Options of one batch run (see ``notecheck score --help``)."""

    inputs: list[str]
    output: Path | None = None
    jobs: int | None = None
    resume: bool = False
    engine: str = "local"
    scheduler: str | None = None
    encoding: str | None = None
    keywords_file: Path | None = None
    report_dir: Path | None = None
    model_dir: Path | None = None
    allow_version_mismatch: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    max_row_bytes: int = MAX_ROW_BYTES
    progress: bool | None = None  # None: only when standard error is a terminal
    comments: bool = True

    def validate(self) -> None:
        if self.engine not in ("local", "dask"):
            raise InvalidParameterError(f"The 'engine' option must be 'local' or 'dask'. Got {self.engine!r} instead.")
        if self.jobs is not None and self.jobs < 1:
            raise InvalidParameterError(f"The 'jobs' option must be a positive integer. Got {self.jobs} instead.")
        if self.chunk_size < 1:
            raise InvalidParameterError(
                f"The 'chunk_size' option must be a positive integer. Got {self.chunk_size} instead."
            )
        if self.max_row_bytes < 1024:
            raise InvalidParameterError(
                f"The 'max_row_bytes' option must be at least 1024. Got {self.max_row_bytes} instead."
            )
        if self.encoding:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InvalidParameterError(
                    f"The 'encoding' option must name a text encoding such as 'gbk' or 'utf-8'. "
                    f"Got {self.encoding!r} instead."
                ) from None
        if self.output is not None and output_format(self.output) is None:
            raise InvalidParameterError(
                f"The output's extension must be one of .jsonl, .csv, .parquet. Got {self.output.suffix or '(none)'!r} "
                f"in {str(self.output)!r} instead."
            )
        if self.resume and self.output is None:
            raise InvalidParameterError("--resume needs the output path (-o) of the run to continue. Got none.")
        if self.scheduler and self.engine != "dask":
            raise InvalidParameterError(f"--scheduler needs --engine dask. Got --engine {self.engine}.")


def output_format(path: Path) -> str | None:
    return {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}.get(path.suffix.lower())


def read_keywords(path: Path) -> dict[str, list[str]]:
    """Keyword sets from a JSON file in the format of ``notecheck comments --keywords`` (``{set: [keywords]}``;
    see :func:`model.comments.read_keyword_file`)."""
    try:
        from model.comments import read_keyword_file
    except ImportError:
        raise InvalidParameterError(
            f"--keywords {path}: comment scoring (model.comments) is not available in this installation."
        ) from None
    return read_keyword_file(path)[0]


# ---------------------------------------------------------------------------------------------------------------
# Inputs and the plan
# ---------------------------------------------------------------------------------------------------------------
def expand_inputs(inputs: Iterable[str | Path], *, exclude: Iterable[Path] = ()) -> list[Path]:
    """Files, directories (every supported file below, sorted) and glob patterns, in the order given."""
    excluded = {p.resolve() for p in exclude}
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not _under(p, excluded)
            )
            if not found:
                raise InvalidParameterError(
                    f"input directory {str(path)!r} has no note files (expected {', '.join(SUPPORTED_SUFFIXES)})."
                )
            out.extend(found)
        elif path.exists():
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise InvalidParameterError(
                    f"input {str(path)!r}: unsupported file type {path.suffix or '(none)'!r}; expected one of "
                    f"{', '.join(SUPPORTED_SUFFIXES)}."
                )
            out.append(path)
        elif glob.has_magic(str(item)):
            found = sorted(
                Path(p)
                for p in glob.glob(str(item), recursive=True)
                if Path(p).is_file() and Path(p).suffix.lower() in SUPPORTED_SUFFIXES and not _under(Path(p), excluded)
            )
            if not found:
                raise InvalidParameterError(f"input pattern {str(item)!r} matches no note files.")
            out.extend(found)
        else:
            raise FileNotFoundError(2, "No such file or directory", str(item))
    return out


def _under(path: Path, excluded: set[Path]) -> bool:
    p = path.resolve()
    return any(p == e or e in p.parents for e in excluded)


@dataclass(frozen=True)
class Chunk:
    """A slice of one input file: what a worker reads, scores and writes as one part."""

    index: int
    path: str  # absolute path to read
    name: str  # the file as shown in output rows
    kind: str  # "jsonl" | "csv" | "parquet" | "error"
    start: int = 0  # byte offset (jsonl, csv) or row offset (parquet)
    first_line: int = 1  # jsonl: line number of the first line; csv: physical lines before ``start``
    count: int = 0  # jsonl: physical lines; csv: records; parquet: rows
    n_rows: int = 0  # output rows this chunk yields
    header: tuple[str, ...] = ()
    encoding: str | None = None
    max_row_bytes: int = MAX_ROW_BYTES
    error: str | None = None  # file-level error: the chunk yields one error row


@dataclass
class Plan:
    chunks: list[Chunk] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    file_errors: int = 0

    @property
    def n_rows(self) -> int:
        return sum(c.n_rows for c in self.chunks)


def make_plan(files: list[Path], *, chunk_size: int, encoding: str | None, max_row_bytes: int) -> Plan:
    plan = Plan()
    for path in files:
        name = str(path)
        plan.files.append(name)
        base = {"path": str(path.resolve()), "name": name, "encoding": encoding, "max_row_bytes": max_row_bytes}
        try:
            kind = file_format(path)
            error = sniff(path, kind)
            if error:
                raise NoteFileError(path, error)
            if kind == "jsonl":
                chunks, notes = _plan_jsonl(path, chunk_size, encoding, max_row_bytes)
            elif kind == "csv":
                chunks, notes = _plan_csv(path, chunk_size, encoding, max_row_bytes)
            else:
                chunks, notes = _plan_parquet(path, chunk_size)
        except (NoteFileError, OSError) as exc:
            msg = exc.reason if isinstance(exc, NoteFileError) else f"cannot read the file ({exc.strerror or exc})"
            chunk = Chunk(index=len(plan.chunks), kind="error", n_rows=1, error=msg, **base)
            plan.chunks.append(chunk)
            plan.file_errors += 1
            plan.notes.append(f"{name}: {msg}")
            continue
        for c in chunks:
            plan.chunks.append(Chunk(index=len(plan.chunks), kind=kind, **c, **base))
        plan.notes.extend(f"{name}: {n}" for n in notes)
    return plan


def _plan_jsonl(path: Path, chunk_size: int, encoding: str | None, limit: int) -> tuple[list[dict], list[str]]:
    chunks: list[dict] = []
    notes: list[str] = []
    with path.open("rb") as fh:
        skip_bom(fh)
        lineno = 0
        start, first, count, rows = fh.tell(), 1, 0, 0
        checked = False
        while True:
            line, skipped = read_line(fh, limit)
            if not line and not skipped:
                break
            lineno += 1
            count += 1
            if skipped or line.strip():
                rows += 1
                if not checked and not skipped:
                    checked = True
                    text, _ = decode_line(line, encoding)
                    try:
                        json.loads(text)
                    except json.JSONDecodeError:
                        notes.append(
                            "the first row is not JSON: is this really JSON Lines? Every row that is not JSON becomes "
                            "an error row"
                        )
            if count == chunk_size:
                chunks.append({"start": start, "first_line": first, "count": count, "n_rows": rows})
                start, first, count, rows = fh.tell(), lineno + 1, 0, 0
        if count:
            chunks.append({"start": start, "first_line": first, "count": count, "n_rows": rows})
    if not any(c["n_rows"] for c in chunks):
        notes.append("the file is empty (no rows)")
        chunks = []
    return chunks, notes


def _plan_csv(path: Path, chunk_size: int, encoding: str | None, limit: int) -> tuple[list[dict], list[str]]:
    csv_field_limit()
    notes: list[str] = []
    chunks: list[dict] = []
    with path.open("rb") as fh:
        skip_bom(fh)
        lines = PhysicalLines(fh, encoding, limit)
        reader = csv.reader(iter(lines))
        header = read_csv_header(lines, reader, str(path))
        if header is None:
            return [], ["the file is empty (no header, no rows)"]
        if header and header[0].startswith("{"):
            notes.append("the header looks like JSON: is this JSON Lines named .csv? Rows will lack a 'text' field")
        elif not {"text", "description"} & set(header):
            notes.append(
                f"no 'text' (or 'description') column; the columns are: {', '.join(header)}. Rows without a title "
                "are error rows"
            )
        start, before, count, rows = fh.tell(), lines.lines, 0, 0
        while True:
            try:
                rows += bool(next(reader))  # a blank line is a record but not a row
            except StopIteration:
                break
            except csv.Error:
                rows += 1  # the row becomes an error row when read again
            count += 1
            if count == chunk_size:
                chunks.append({"start": start, "first_line": before, "count": count, "n_rows": rows})
                start, before, count, rows = fh.tell(), lines.lines, 0, 0
        if count:
            chunks.append({"start": start, "first_line": before, "count": count, "n_rows": rows})
    if not any(c["n_rows"] for c in chunks):
        chunks = []
        notes.append("the file has a header but no rows")
    return [dict(c, header=tuple(header)) for c in chunks], notes


def _plan_parquet(path: Path, chunk_size: int) -> tuple[list[dict], list[str]]:
    pf = open_parquet(path)
    n = pf.metadata.num_rows
    notes = []
    names = set(pf.schema_arrow.names)
    if not {"text", "description"} & names:
        notes.append(
            f"no 'text' (or 'description') column; the columns are: {', '.join(pf.schema_arrow.names)}. Rows "
            "without a title are error rows"
        )
    if n == 0:
        return [], [*notes, "the file is empty (no rows)"]
    chunks = [
        {"start": s, "first_line": s + 1, "count": min(chunk_size, n - s), "n_rows": min(chunk_size, n - s)}
        for s in range(0, n, chunk_size)
    ]
    return chunks, notes


# ---------------------------------------------------------------------------------------------------------------
# Reading one chunk
# ---------------------------------------------------------------------------------------------------------------
def read_chunk(chunk: Chunk) -> Iterator[Record]:
    """The records of one chunk, in order: the records :func:`model.notes.iter_records` gives for those rows,
    read by the same code from the chunk's offset."""
    if chunk.kind == "error":
        yield Record(chunk.name, 0, None, chunk.error)
        return
    if chunk.kind == "parquet":
        yield from parquet_records(open_parquet(chunk.path), chunk.name, start=chunk.start, count=chunk.count)
        return
    with open(chunk.path, "rb") as fh:
        fh.seek(chunk.start)
        if chunk.kind == "jsonl":
            yield from jsonl_records(fh, chunk.name, first_line=chunk.first_line, count=chunk.count,
                                     encoding=chunk.encoding, limit=chunk.max_row_bytes)  # fmt: skip
            return
        csv_field_limit()
        lines = PhysicalLines(fh, chunk.encoding, chunk.max_row_bytes)
        yield from csv_records(lines, csv.reader(iter(lines)), list(chunk.header), chunk.name,
                               lines_before=chunk.first_line, count=chunk.count)  # fmt: skip


# ---------------------------------------------------------------------------------------------------------------
# Writing parts
# ---------------------------------------------------------------------------------------------------------------
def part_name(index: int, fmt: str) -> str:
    return f"part-{index:06d}.{fmt}"


def _arrow_schema() -> Any:
    import pyarrow as pa

    types = {"line": pa.int64(), "ad_probability": pa.float64(), "threshold": pa.float64()}
    types["review_threshold"] = pa.float64()
    types["reasons"] = pa.list_(pa.string())
    return pa.schema([(c, types.get(c, pa.string())) for c in OUTPUT_COLUMNS])


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def encode_rows(rows: list[dict[str, Any]], fmt: str, *, header: bool = True) -> bytes:
    """Rows as bytes of one output format (Parquet: a whole file)."""
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if fmt == "csv":
        import io

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if header:
            w.writerow(OUTPUT_COLUMNS)
        for r in rows:
            w.writerow(["" if r[c] is None else _cell(r[c]) for c in OUTPUT_COLUMNS])
        return buf.getvalue().encode("utf-8")
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {c: [r[c] for r in rows] for c in OUTPUT_COLUMNS}
    cols["comments"] = [None if v is None else _cell(v) for v in cols["comments"]]
    table = pa.Table.from_pydict(cols, schema=_arrow_schema())
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _id_hashes(rows: list[dict[str, Any]]) -> bytes:
    digests = [hashlib.blake2b(r["id"].encode("utf-8", "replace"), digest_size=8).digest() for r in rows if r["id"]]
    hashes = [int.from_bytes(d, "little", signed=True) for d in digests]
    return np.asarray(hashes, dtype="<i8").tobytes()


# ---------------------------------------------------------------------------------------------------------------
# The per-chunk scoring function (runs in workers: process pool or Dask)
# ---------------------------------------------------------------------------------------------------------------
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
            scorer = RowScorer(model, comment_scorer=_comment_scorer() if spec.comments else None,
                               keywords=keywords, top=spec.top)  # fmt: skip
            _SCORERS[spec] = scorer
        return scorer


@functools.lru_cache(maxsize=1)
def comment_scorer_status() -> tuple[Any, str | None]:
    """``(scorer, None)`` when :mod:`model.comments` and its shipped sentiment model load, else ``(None, why)``.
    Loaded once per process."""
    try:
        from model.comments import load_comment_scorer
    except ImportError as exc:
        return None, f"comment scoring is not available ({exc})"
    try:
        return load_comment_scorer(), None
    except NotecheckError as exc:
        return None, f"comment scoring is not available ({exc})"


def _comment_scorer() -> Any:
    return comment_scorer_status()[0]


def score_chunk(chunk: Chunk, workdir: str, fmt: str, spec: ScorerSpec) -> tuple[int, dict[str, Any]]:
    """Read, score and write one chunk as ``part-NNNNNN.<fmt>`` in ``workdir``; returns its index and stats."""
    rows = get_scorer(spec).score_records(read_chunk(chunk))
    out = Path(workdir)
    _atomic_write(out / f"part-{chunk.index:06d}.ids", _id_hashes(rows))
    _atomic_write(out / part_name(chunk.index, fmt), encode_rows(rows, fmt))
    return chunk.index, ChunkStats.of_rows(rows).to_dict()


def _score_partition(chunks: list[Chunk], workdir: str, fmt: str, spec: ScorerSpec) -> list[tuple[int, dict]]:
    return [score_chunk(c, workdir, fmt, spec) for c in chunks]


# ---------------------------------------------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------------------------------------------
def fingerprint(cfg: BatchConfig, files: list[Path], fmt: str, spec: ScorerSpec) -> dict[str, Any]:
    """What must not change between a run and its resumption."""
    inputs = []
    for p in files:
        st = p.stat()
        inputs.append([str(p), st.st_size, st.st_mtime_ns])
    model_dir = Path(spec.model_dir) if spec.model_dir else None
    return {
        "manifest_version": MANIFEST_VERSION,
        "inputs": inputs,
        "format": fmt,
        "engine": cfg.engine,
        "chunk_size": cfg.chunk_size,
        "max_row_bytes": cfg.max_row_bytes,
        "encoding": cfg.encoding,
        "model": _model_identity(model_dir),
        "keywords": spec.keywords,
        "comments": spec.comments and comment_scorer_status()[1] is None,
        "top": spec.top,
    }


def _model_identity(model_dir: Path | None) -> str:
    from model.artifacts import CARD_FILE, DEFAULT_MODEL_DIR

    card = (model_dir or DEFAULT_MODEL_DIR) / CARD_FILE
    if not card.is_file():
        raise ModelLoadError(f"{card.parent}: no {CARD_FILE}; expected a notecheck model directory.")
    data = json.loads(card.read_text(encoding="utf-8"))
    return f"{data.get('model_version', 'unversioned')} sha256:{hashlib.sha256(card.read_bytes()).hexdigest()[:16]}"


def _load_manifest(workdir: Path, fp: dict[str, Any]) -> dict[int, dict[str, Any]]:
    path = workdir / MANIFEST
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    entries: list[dict[str, Any]] = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line torn by a crash: everything after it is redone
    if not entries or "fingerprint" not in entries[0]:
        return {}
    old = json.loads(json.dumps(entries[0]["fingerprint"]))
    new = json.loads(json.dumps(fp))
    if old != new:
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        raise InvalidParameterError(
            f"--resume: the unfinished run in {workdir} was made with different {', '.join(changed)} "
            f"(recorded {json.dumps({k: old.get(k) for k in changed}, ensure_ascii=False)[:300]}); got "
            f"{json.dumps({k: new.get(k) for k in changed}, ensure_ascii=False)[:300]}. Run without --resume to "
            "start over."
        )
    return {e["chunk"]: e["stats"] for e in entries[1:] if "chunk" in e}


def _write_manifest(workdir: Path, fp: dict[str, Any], done: dict[int, dict[str, Any]]) -> None:
    lines = [json.dumps({"fingerprint": fp}, ensure_ascii=False)]
    lines += [json.dumps({"chunk": i, "stats": done[i]}, ensure_ascii=False) for i in sorted(done)]
    _atomic_write(workdir / MANIFEST, ("\n".join(lines) + "\n").encode("utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------------------------
class Interrupted(Exception):
    """The run was interrupted (Ctrl-C); the chunks finished so far are kept for ``--resume``."""


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


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
        spec = ScorerSpec(
            model_dir=None if cfg.model_dir is None else str(Path(cfg.model_dir).resolve()),
            allow_version_mismatch=cfg.allow_version_mismatch,
            keywords=None if keywords is None else tuple((k, tuple(v)) for k, v in keywords.items()),
            comments=cfg.comments,
        )
        fp = fingerprint(cfg, files, fmt, spec)
        plan = make_plan(files, chunk_size=cfg.chunk_size, encoding=cfg.encoding, max_row_bytes=cfg.max_row_bytes)
        summary = Summary(files=plan.files, output=None if tmpdir else str(output))
        summary.notes.extend(plan.notes)
        if cfg.comments and comment_scorer_status()[1]:
            summary.notes.append(f"{comment_scorer_status()[1]}; rows carry no comment scores")
        done = _prepare_workdir(workdir, fp, cfg, plan, fmt, log)
        for i in sorted(done):
            summary.add(ChunkStats.from_dict(done[i]))
        summary.resumed_rows = summary.read
        if done:
            summary.notes.append(f"resumed: {len(done)} of {len(plan.chunks)} chunk(s) were already done")
        todo = [c for c in plan.chunks if c.index not in done]
        jobs = min(cfg.jobs or default_jobs(), max(1, len(todo)))
        progress = _progress(cfg, plan.n_rows, summary.read)
        try:
            on_done = _recorder(workdir, fp, done, summary, progress, plan)
            if cfg.engine == "dask":
                _run_dask(todo, workdir, fmt, spec, cfg, on_done, log)
            elif jobs == 1:
                for chunk in todo:
                    on_done(*score_chunk(chunk, str(workdir), fmt, spec))
            else:
                _run_pool(todo, workdir, fmt, spec, jobs, on_done)
        except KeyboardInterrupt:
            raise Interrupted(
                f"interrupted after {len(done)} of {len(plan.chunks)} chunk(s); run the same command with --resume "
                "to continue"
            ) from None
        finally:
            if progress is not None:
                progress.close()
        dup = _duplicates(workdir, plan)
        if dup:
            summary.notes.append(
                f"{dup[0]} row(s) repeat an id seen earlier ({dup[1]} distinct id(s) occur more than once); every "
                "row was kept and scored, 'file' and 'line' tell them apart"
            )
        if cfg.engine == "local":
            _concatenate(workdir, plan, fmt, output)
            shutil.rmtree(workdir)
        else:
            (workdir / "_SUCCESS").write_text("", encoding="utf-8")
        summary.elapsed = time.perf_counter() - start
        summary.file_errors = plan.file_errors
        if cfg.report_dir is not None:
            paths = write_report(iter_output_rows(output, fmt, plan), cfg.report_dir)
            summary.notes.append(f"wrote the per-creator report: {', '.join(str(p) for p in paths)}")
        return summary
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _prepare_workdir(
    workdir: Path, fp: dict[str, Any], cfg: BatchConfig, plan: Plan, fmt: str, log: Callable[[str], None]
) -> dict[int, dict[str, Any]]:
    done: dict[int, dict[str, Any]] = {}
    if workdir.exists():
        if not (workdir / MANIFEST).is_file() and any(workdir.iterdir()):
            raise InvalidParameterError(
                f"{workdir} exists and is not a notecheck output directory (no {MANIFEST}); remove it or pick "
                "another output."
            )
        if cfg.resume:
            done = _load_manifest(workdir, fp)
            done = {i: s for i, s in done.items() if (workdir / part_name(i, fmt)).is_file()}
        else:
            if (workdir / MANIFEST).is_file():
                log(f"note: discarding the unfinished or previous run in {workdir} (use --resume to continue it)")
            shutil.rmtree(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    _write_manifest(workdir, fp, done)
    return done


def _progress(cfg: BatchConfig, total: int, initial: int) -> Any:
    show = cfg.progress if cfg.progress is not None else sys.stderr.isatty()
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="note", unit_scale=True, smoothing=0.1, file=sys.stderr)


def _recorder(
    workdir: Path, fp: dict[str, Any], done: dict[int, dict[str, Any]], summary: Summary, progress: Any, plan: Plan
) -> Callable[[int, dict[str, Any]], None]:
    manifest = workdir / MANIFEST

    def on_done(index: int, stats: dict[str, Any]) -> None:
        done[index] = stats
        with open(manifest, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"chunk": index, "stats": stats}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        summary.add(ChunkStats.from_dict(stats))
        if progress is not None:
            progress.update(plan.chunks[index].n_rows)

    return on_done


def _worker_context(spec: ScorerSpec) -> Any:
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
    :func:`serve.offload._die_with_parent`), and is named ``notecheck-score`` (``ps``, ``pgrep``). Ctrl-C, which
    reaches the whole process group, is left to the parent: it stops the run and shuts the pool down."""
    import signal

    from serve.offload import _die_with_parent

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent_pid, "notecheck-score")


def _run_pool(
    todo: list[Chunk], workdir: Path, fmt: str, spec: ScorerSpec, jobs: int, on_done: Callable[..., None]
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = _worker_context(spec)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)) as pool:
            _feed_pool(pool, todo, workdir, fmt, spec, jobs, on_done)
    finally:
        import gc

        gc.unfreeze()  # the parent's objects were frozen only for the workers' fork


def _feed_pool(
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
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _run_dask(
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
        if cfg.scheduler:
            client = stack.enter_context(Client(cfg.scheduler, timeout="30s"))
        else:
            cluster = stack.enter_context(
                LocalCluster(n_workers=cfg.jobs or default_jobs(), threads_per_worker=1, dashboard_address=None)
            )
            client = stack.enter_context(Client(cluster))
        log(f"dask: {len(todo)} partition(s) on {client.scheduler.address}")
        bag = db.from_sequence(todo, npartitions=len(todo)).map_partitions(
            _score_partition, str(workdir.resolve()), fmt, spec
        )
        futures = client.compute(bag.to_delayed())
        for fut in as_completed(futures):
            for index, stats in fut.result():
                on_done(index, stats)


def _duplicates(workdir: Path, plan: Plan) -> tuple[int, int] | None:
    arrays = []
    for c in plan.chunks:
        p = workdir / f"part-{c.index:06d}.ids"
        if p.is_file():
            arrays.append(np.frombuffer(p.read_bytes(), dtype="<i8"))
    if not arrays:
        return None
    ids = np.concatenate(arrays)
    _, counts = np.unique(ids, return_counts=True)
    repeated = counts[counts > 1]
    return (int((repeated - 1).sum()), len(repeated)) if len(repeated) else None


def _concatenate(workdir: Path, plan: Plan, fmt: str, output: Path) -> None:
    """Join the parts in input order into ``output`` (written to a temporary file, then renamed)."""
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    parts = [workdir / part_name(c.index, fmt) for c in plan.chunks]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetWriter(tmp, _arrow_schema()) as writer:
            for p in parts:
                writer.write_table(pq.read_table(p, schema=_arrow_schema()))
    else:
        with open(tmp, "wb") as out:
            if fmt == "csv":
                out.write(encode_rows([], "csv"))
            for p in parts:
                with open(p, "rb") as fh:
                    if fmt == "csv":
                        fh.readline()
                    shutil.copyfileobj(fh, out, 1 << 20)
    os.replace(tmp, output)


# ---------------------------------------------------------------------------------------------------------------
# Reading outputs back, and the per-creator report
# ---------------------------------------------------------------------------------------------------------------
def iter_output_rows(output: Path, fmt: str, plan: Plan | None = None) -> Iterator[dict[str, Any]]:
    """Rows of a finished output (a file, or a partitioned directory from the Dask engine), in order."""
    if output.is_dir():
        if plan is not None:
            parts = [output / part_name(c.index, fmt) for c in plan.chunks]
        else:
            parts = sorted(output.glob(f"part-*.{fmt}"))
        for p in parts:
            yield from _iter_file_rows(p, fmt)
    else:
        yield from _iter_file_rows(output, fmt)


def _iter_file_rows(path: Path, fmt: str) -> Iterator[dict[str, Any]]:
    if fmt == "jsonl":
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
    elif fmt == "csv":
        with open(path, encoding="utf-8", newline="") as fh:
            for raw in csv.DictReader(fh):
                row: dict[str, Any] = {k: (v if v != "" else None) for k, v in raw.items()}
                row["line"] = int(row["line"])
                for k in ("ad_probability", "threshold", "review_threshold"):
                    row[k] = None if row[k] is None else float(row[k])
                for k in ("reasons", "comments"):
                    row[k] = None if row[k] is None else json.loads(row[k])
                row["reasons"] = row["reasons"] or []
                yield row
    else:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
            for row in batch.to_pylist():
                if row["comments"] is not None:
                    row["comments"] = json.loads(row["comments"])
                yield row


def creator_table(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per author: notes, ad/review counts, ad share, mean ad probability, and (from the comment scores, with
    :func:`model.comments.aggregate_creators`) keyword ratio per set and positive share. Most-flagged first.

    Streams the rows: one accumulator per author, never the rows themselves.
    """
    acc: dict[str, dict[str, Any]] = {}

    def tap(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            c = acc.setdefault(row.get("author") or "", {"ad": 0, "review": 0, "errored": 0, "p": 0.0, "scored": 0})
            if row.get("error"):
                c["errored"] += 1
            else:
                c["scored"] += 1
                c["ad"] += row["decision"] == "ad"
                c["review"] += row["decision"] == "review"
                c["p"] += row["ad_probability"] or 0.0
            yield row

    try:
        from model.comments import aggregate_creators
    except ImportError:  # comment scoring not installed: notes and decisions only
        aggregate_creators = None
    if aggregate_creators is not None:
        base = {(r["author"] or ""): r for r in aggregate_creators(tap(rows))}
    else:
        for _ in tap(rows):
            pass
        base = {a: {"keyword_ratio": {}, "positive_share": None, "comments": 0} for a in acc}
    out = []
    for author, c in acc.items():
        b = base[author]
        out.append(
            {
                "author": author or "(no author)",
                "notes": c["scored"] + c["errored"],
                "scored": c["scored"],
                "errored": c["errored"],
                "ad": c["ad"],
                "review": c["review"],
                "ad_share": round(c["ad"] / c["scored"], 4) if c["scored"] else None,
                "mean_ad_probability": round(c["p"] / c["scored"], 4) if c["scored"] else None,
                "comments": b.get("comments", 0),
                "keyword_ratio": {k: v for k, v in sorted((b.get("keyword_ratio") or {}).items())},
                "positive_share": b.get("positive_share"),
            }
        )
    out.sort(key=lambda r: (-r["ad"], -(r["ad_share"] or 0.0), r["author"]))
    return out


def write_report(rows: Iterable[dict[str, Any]], directory: Path, *, top: int = 20) -> list[Path]:
    """``creators.csv``, ``creators.md`` and ``creators.png`` (the most-flagged creators) in ``directory``."""
    table = creator_table(rows)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sets = sorted({k for r in table for k in r["keyword_ratio"]})
    columns = ["author", "notes", "scored", "errored", "ad", "review", "ad_share", "mean_ad_probability", "comments"]
    columns += [f"keyword_ratio:{s}" for s in sets] + ["positive_share"]

    def flat(r: dict[str, Any]) -> dict[str, Any]:
        d = {k: r[k] for k in columns if k in r}
        d.update({f"keyword_ratio:{s}": r["keyword_ratio"].get(s) for s in sets})
        return d

    csv_path = directory / "creators.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in table:
            w.writerow({k: ("" if v is None else v) for k, v in flat(r).items()})

    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:.1%}" if v <= 1 else f"{v:.3f}"
        return str(v).replace("|", "\\|")

    md = [f"# Creators ({len(table)}), most flagged first", ""]
    md.append("| " + " | ".join(columns) + " |")
    md.append("|" + "---|" * len(columns))
    for r in table:
        md.append("| " + " | ".join(fmt(v) for v in flat(r).values()) + " |")
    md_path = directory / "creators.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    png_path = directory / "creators.png"
    _plot_creators(table[:top], png_path)
    return [csv_path, md_path, png_path]


def _plot_creators(table: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = [f.name for f in font_manager.fontManager.ttflist if any(s in f.name for s in ("CJK", "Hei", "WenQuanYi"))]
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk[0], *plt.rcParams["font.sans-serif"]]
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.35 * len(table) + 1)))
    names = [r["author"] for r in table][::-1]
    ads = [r["ad"] for r in table][::-1]
    review = [r["review"] for r in table][::-1]
    genuine = [r["scored"] - r["ad"] - r["review"] for r in table][::-1]
    y = np.arange(len(names))
    ax.barh(y, ads, color="#d62728", label="ad")
    ax.barh(y, review, left=ads, color="#ff7f0e", label="review")
    ax.barh(y, genuine, left=np.add(ads, review), color="#9ecae1", label="genuine")
    ax.set_yticks(y, names if cjk else [n.encode("ascii", "replace").decode() if not n.isascii() else n for n in names])
    ax.set_xlabel("notes")
    ax.set_title(f"Most-flagged creators (top {len(table)})")
    ax.legend(loc="lower right")
    fig.tight_layout()
    with warnings_silenced():
        fig.savefig(path, dpi=110)
    plt.close(fig)


@contextlib.contextmanager
def warnings_silenced() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs for CJK names when no CJK font is installed
        yield


__all__ = [
    "BatchConfig",
    "Chunk",
    "Interrupted",
    "Plan",
    "ScorerSpec",
    "creator_table",
    "encode_rows",
    "expand_inputs",
    "iter_output_rows",
    "make_plan",
    "read_chunk",
    "run_batch",
    "score_chunk",
    "write_report",
]
