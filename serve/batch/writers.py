"""Writing rows: output rows encoded as JSON Lines, CSV or Parquet, parts written atomically (temporary file +
rename), the id hashes of a part, and the parts joined into the output in input order."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import OutputError
from serve.batch.plan import Plan
from serve.scoring import OUTPUT_COLUMNS


def part_name(index: int, fmt: str) -> str:
    return f"part-{index:06d}.{fmt}"


def ids_name(index: int) -> str:
    """The row ids of part ``index`` (for the duplicate count): bookkeeping, so "_" first, which dataset readers
    skip."""
    return f"_part-{index:06d}.ids"


def comments_type() -> Any:
    """The Arrow type of the ``comments`` column, null for a note without comments: a struct with the keys of
    ``CommentReport.to_dict()`` that a row keeps (the per-comment list is left out of rows, see
    :meth:`serve.scoring.RowScorer._comment_scores`). Objects keyed by data (keyword set, keyword, sentiment label,
    water reason) are maps, so every run, whatever its keyword sets, and every part of it has the same schema."""
    import pyarrow as pa

    count, ratio = pa.int64(), pa.float64()

    def keyed(value: Any) -> Any:
        return pa.map_(pa.string(), value)

    return pa.struct([
        ("n_comments", count),
        ("keyword_ratio", keyed(ratio)),
        ("keyword_ratio_weighted", keyed(ratio)),  # a null value: no comment of the note carries likes
        ("keyword_hits", keyed(keyed(count))),  # set -> keyword -> comments containing it
        ("matched_comments", keyed(pa.list_(count))),  # set -> indices of the comments hitting it
        ("label_counts", keyed(count)),
        ("positive_share", ratio),
        ("positive_share_weighted", ratio),
        ("n_truncated", count),
        ("n_empty", count),
        ("water_ratio", ratio),
        ("suspect_reasons", keyed(count)),
        ("keyword_ratio_clean", keyed(ratio)),
        ("label_counts_clean", keyed(count)),
        ("positive_share_clean", ratio),
        ("n_creator_replies", count),
    ])  # fmt: skip


def arrow_schema() -> Any:
    """The schema of every Parquet part and output: the same whatever the rows hold, so parts join and a resumed
    run matches an uninterrupted one."""
    import pyarrow as pa

    types = {"line": pa.int64(), "ad_probability": pa.float64(), "threshold": pa.float64()}
    types["review_threshold"] = pa.float64()
    types["reasons"] = pa.list_(pa.string())
    types["comments"] = comments_type()
    types["declared"] = pa.struct([("field", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                                   ("text", pa.string())])  # fmt: skip
    return pa.schema([(c, types.get(c, pa.string())) for c in OUTPUT_COLUMNS])


def schema_identity() -> str:
    """A short digest of :func:`arrow_schema`; part of a Parquet run's fingerprint, so ``--resume`` refuses parts
    written with another schema instead of failing while joining them."""
    return hashlib.sha256(str(arrow_schema()).encode("utf-8")).hexdigest()[:16]


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
    table = pa.Table.from_pydict(cols, schema=arrow_schema())
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


@contextlib.contextmanager
def writing(path: Path, tmp: Path | None = None) -> Iterator[None]:
    """Turn a failure to write ``path`` (disk full, no permission, read-only file system) into one
    :class:`~model.errors.OutputError` naming it, removing the temporary file ``tmp`` if one was started."""
    try:
        yield
    except BaseException as exc:  # Ctrl-C or SIGTERM mid-write too: the temporary file goes, as the README promises
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {exc.filename or path}: {exc.strerror or exc}") from None
        raise


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    with writing(path, tmp), open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
        os.replace(tmp, path)


def id_hashes(rows: list[dict[str, Any]]) -> bytes:
    digests = [hashlib.blake2b(r["id"].encode("utf-8", "replace"), digest_size=8).digest() for r in rows if r["id"]]
    hashes = [int.from_bytes(d, "little", signed=True) for d in digests]
    return np.asarray(hashes, dtype="<i8").tobytes()


def concatenate(workdir: Path, plan: Plan, fmt: str, output: Path) -> None:
    """Join the parts in input order into ``output`` (written to a temporary file, then renamed)."""
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    with writing(output, tmp):
        _join(tmp, [workdir / part_name(c.index, fmt) for c in plan.chunks], fmt)
        os.replace(tmp, output)


def _join(tmp: Path, parts: list[Path], fmt: str) -> None:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetWriter(tmp, arrow_schema()) as writer:
            for p in parts:
                writer.write_table(pq.read_table(p, schema=arrow_schema()))
    else:
        with open(tmp, "wb") as out:
            if fmt == "csv":
                out.write(encode_rows([], "csv"))
            for p in parts:
                with open(p, "rb") as fh:
                    if fmt == "csv":
                        fh.readline()
                    shutil.copyfileobj(fh, out, 1 << 20)
