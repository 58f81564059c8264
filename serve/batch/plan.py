"""Step 1, plan: the input files (files, directories, globs) cut into :class:`Chunk` s of ``chunk_size`` rows,
each with its byte offset (or row offset) and first line number, by scanning every file once. The plan depends
only on the files and the options, so a resumed run plans the same chunks; a file that cannot be read at all is
one error chunk (one error row, ``line`` 0)."""

from __future__ import annotations

import csv
import glob
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from model.errors import InvalidParameterError
from model.notes import (
    EMPTY_CSV_HINT,
    EMPTY_FILE_HINT,
    HEADER_ONLY_HINT,
    MAX_ROW_BYTES,
    NOT_JSONL_HINT,
    SUPPORTED_SUFFIXES,
    NoteFileError,
    PhysicalLines,
    csv_field_limit,
    csv_header_hint,
    csv_reader,
    decode_line,
    file_format,
    no_text_column_hint,
    open_parquet,
    read_csv_header,
    read_line,
    skip_bom,
    sniff,
)

#: What a directory picks up: ``.json`` is left out because a directory of notes often holds JSON documents that are
#: not notes (keyword sets, configs); a ``.json`` note file is read when named or matched by a glob.
DIRECTORY_SUFFIXES = tuple(s for s in SUPPORTED_SUFFIXES if s != ".json")


#: Columns of what notecheck writes that no note file has: scored rows (``serve.scoring.OUTPUT_COLUMNS``), the
#: creator table (``creators``, ``score --report``) and the fan-overlap table; and the fields a note has.
_WRITTEN_COLUMNS = (
    frozenset({"decision", "ad_probability", "model_version"}),
    frozenset({"creator", "notes", "ad share"}),
    frozenset({"creator_a", "creator_b", "jaccard"}),
)
_NOTE_FIELDS = frozenset({"text", "title", "description"})


def _first_keys(path: Path) -> set[str] | None:
    """The field names of a file's first row (JSON Lines), header (CSV) or schema (Parquet); None if unreadable."""
    try:
        kind = file_format(path)
        if kind == "parquet":
            return set(open_parquet(path).schema_arrow.names)
        with path.open("rb") as fh:
            skip_bom(fh)
            line = b""
            while not line.strip():
                line, skipped = read_line(fh, 1 << 20)
                if not line or skipped:
                    return None
        text, problem = decode_line(line, None)
        if problem:
            return None
        if kind == "csv":
            return {h.strip() for h in next(csv.reader([text]))}
        data = json.loads(text)
        return set(data) if isinstance(data, dict) else None
    except (OSError, ValueError, RecursionError, csv.Error, NoteFileError):
        return None


def written_by_notecheck(path: Path, top: Path) -> bool:
    """Whether ``path`` (found below the input directory ``top``) is what notecheck wrote: a finished ``score``
    output (scored rows: a decision and no note text), a file of a run's directory (``OUTPUT.parts/`` or a Dask
    output, both holding a ``_manifest.jsonl``, ``manifest.jsonl`` before, that starts with the run's fingerprint),
    or a creator or fan-overlap table. Read as notes, such files would give every row again as an error row."""
    for d in [path.parent, *path.parent.parents]:
        for manifest in (d / "_manifest.jsonl", d / "manifest.jsonl"):  # the name before it began with "_" too
            if manifest.is_file() and "fingerprint" in (_first_keys(manifest) or ()):
                return True
        if d == top:
            break
    keys = _first_keys(path)
    return keys is not None and not keys & _NOTE_FIELDS and any(columns <= keys for columns in _WRITTEN_COLUMNS)


def expand_inputs(inputs: Iterable[str | Path], *, exclude: Iterable[Path] = ()) -> list[Path]:
    """Files, directories (every file below with a suffix of :data:`DIRECTORY_SUFFIXES`, sorted; the ``.json`` files
    left out are named in one line on stderr) and glob patterns, in the order given. ``exclude`` are the run's
    outputs: left out of directories and globs, refused when named as an input."""
    excluded = {p.resolve() for p in exclude}
    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            below = sorted(p for p in path.rglob("*") if p.is_file() and not _under(p, excluded))
            found = [p for p in below if p.suffix.lower() in DIRECTORY_SUFFIXES]
            scored = [p for p in found if written_by_notecheck(p, path)]
            if scored:
                names = ", ".join(str(p.relative_to(path)) for p in scored[:5]) + (" ..." if len(scored) > 5 else "")
                print(
                    f"note: {path}: skipped {len(scored)} file{'s' if len(scored) != 1 else ''} written by notecheck "
                    f"({names}); name one to read it",
                    file=sys.stderr,
                )
                found = [p for p in found if p not in scored]
            left_out = [p for p in below if p.suffix.lower() == ".json"]
            if left_out:
                names = ", ".join(str(p.relative_to(path)) for p in left_out)
                print(
                    f"note: {path}: skipped {len(left_out)} .json file{'s' if len(left_out) != 1 else ''} ({names}): "
                    f"a directory picks up {', '.join(DIRECTORY_SUFFIXES)}; name a .json note file to read it",
                    file=sys.stderr,
                )
            if not found:
                raise InvalidParameterError(
                    f"input directory {str(path)!r} has no note files (expected {', '.join(DIRECTORY_SUFFIXES)})."
                )
            out.extend(found)
        elif path.exists():
            if _under(path, excluded):
                raise InvalidParameterError(
                    f"input {str(path)!r} is where this run writes its output (-o/--output): it would replace the "
                    "notes it reads. Write the output to another path."
                )
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
    return each_once(out)


def each_once(files: list[Path], what: str = "input file") -> list[Path]:
    """``files`` with each file kept at its first place only: a file named twice, or both itself and through a
    directory or glob, is one input (read twice, its notes would be counted twice and every comment of theirs be
    a cross-note duplicate of itself); the repeats are named in one line on stderr, as ``what`` the files are."""
    first: dict[Path, Path] = {}
    repeated: list[str] = []
    for p in files:
        key = p.resolve()
        if key in first:
            repeated.append(str(p))
        else:
            first[key] = p
    if repeated:
        names = list(dict.fromkeys(repeated))
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
        print(
            f"note: {len(names)} {what}{'s are' if len(names) != 1 else ' is'} named more than once ({shown}); "
            "each is read once",
            file=sys.stderr,
        )
    return list(first.values())


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
                        notes.append(NOT_JSONL_HINT)
                    except (RecursionError, ValueError):
                        pass  # JSON nested too deeply or with a number too long to read: that row's own error
            if count == chunk_size:
                chunks.append({"start": start, "first_line": first, "count": count, "n_rows": rows})
                start, first, count, rows = fh.tell(), lineno + 1, 0, 0
        if count:
            chunks.append({"start": start, "first_line": first, "count": count, "n_rows": rows})
    if not any(c["n_rows"] for c in chunks):
        notes.append(EMPTY_FILE_HINT)
        chunks = []
    return chunks, notes


def _plan_csv(path: Path, chunk_size: int, encoding: str | None, limit: int) -> tuple[list[dict], list[str]]:
    csv_field_limit()
    notes: list[str] = []
    chunks: list[dict] = []
    with path.open("rb") as fh:
        skip_bom(fh)
        lines = PhysicalLines(fh, encoding, limit)
        reader = csv_reader(lines)
        header = read_csv_header(lines, reader, str(path))
        if header is None:
            return [], [EMPTY_CSV_HINT]
        if hint := csv_header_hint(header):
            notes.append(hint)
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
        notes.append(HEADER_ONLY_HINT)
    return [dict(c, header=tuple(header)) for c in chunks], notes


def _plan_parquet(path: Path, chunk_size: int) -> tuple[list[dict], list[str]]:
    pf = open_parquet(path)
    n = pf.metadata.num_rows
    notes = []
    if hint := no_text_column_hint(list(pf.schema_arrow.names)):
        notes.append(hint)
    if n == 0:
        return [], [*notes, EMPTY_FILE_HINT]
    chunks = [
        {"start": s, "first_line": s + 1, "count": min(chunk_size, n - s), "n_rows": min(chunk_size, n - s)}
        for s in range(0, n, chunk_size)
    ]
    return chunks, notes
