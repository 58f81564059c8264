"""Step 3, record: the run's ``_manifest.jsonl`` (a fingerprint line naming the inputs and options, then one line
per finished chunk, appended and synced by the parent). ``--resume`` keeps the chunks listed there whose part
exists; a torn last line or a stray part without a manifest line is simply redone."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError, ModelLoadError
from serve.batch.config import BatchConfig, ScorerSpec
from serve.batch.plan import Plan
from serve.batch.writers import atomic_write, part_name, schema_identity, writing
from serve.scoring import OUTPUT_COLUMNS, ChunkStats, Summary

#: The run's record. It and the other bookkeeping files of a run directory (``_part-NNNNNN.ids``,
#: ``_crossnote-*.npz``) start with "_", which Parquet and dataset readers (pyarrow, pandas, Spark, dask) skip, so a
#: Dask run's output directory reads as one dataset of its parts, as ``_SUCCESS`` does.
MANIFEST = "_manifest.jsonl"
#: The record's name before notecheck 0.1 wrote it with "_": such a directory is known as notecheck's, and refused
#: for --resume with what to do.
OLD_MANIFEST = "manifest.jsonl"


MANIFEST_VERSION = 1


def fingerprint(cfg: BatchConfig, files: list[Path], fmt: str, spec: ScorerSpec) -> dict[str, Any]:
    """What must not change between a run and its resumption."""
    inputs = []
    for p in files:
        st = p.stat()
        inputs.append([str(p), st.st_size, st.st_mtime_ns])
    model_dir = Path(spec.model_dir) if spec.model_dir else None
    out = {
        "manifest_version": MANIFEST_VERSION,
        "inputs": inputs,
        "format": fmt,
        "engine": cfg.engine,
        "chunk_size": cfg.chunk_size,
        "max_row_bytes": cfg.max_row_bytes,
        "encoding": cfg.encoding,
        "model": _model_identity(model_dir),
        "keywords": spec.keywords,
        "comments": spec.comments,
        "top": spec.top,
        # A run recorded with other columns (before `declared`) has parts that would not join with new ones.
        "columns": list(OUTPUT_COLUMNS),
    }
    # Only when the keyword file has them, so runs recorded before these fields existed still resume.
    if spec.keyword_exclude:
        out["keyword_exclude"] = spec.keyword_exclude
    if spec.keyword_negation:
        out["keyword_negation"] = spec.keyword_negation
    if fmt == "parquet":  # parts of another schema would not join
        out["parquet_schema"] = schema_identity()
    if spec.comments:
        out["comment_rules"] = comment_rules_identity()
    return out


def comment_rules_identity(paths: list[Path] | None = None) -> str:
    """A digest of what decides a comment report besides the keyword file: the comment-scoring code, its
    resources (shipped keyword sets, sentiment lexicon) and the shipped sentiment model's card. An upgrade
    between a crash and ``--resume`` would otherwise join parts scored by two sets of rules."""
    if paths is None:
        from model.artifacts import CARD_FILE
        from model.comments import DEFAULT_SENTIMENT_DIR

        package = DEFAULT_SENTIMENT_DIR.parent
        paths = sorted((package / "comments").glob("*.py")) + sorted((package / "resources").glob("*.json"))
        paths.append(DEFAULT_SENTIMENT_DIR / CARD_FILE)
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return f"sha256:{digest.hexdigest()[:16]}"


def _model_identity(model_dir: Path | None) -> str:
    from model.artifacts import CARD_FILE, DEFAULT_MODEL_DIR

    card = (model_dir or DEFAULT_MODEL_DIR) / CARD_FILE
    if not card.is_file():
        raise ModelLoadError(f"{card.parent}: no {CARD_FILE}; expected a notecheck model directory.")
    data = json.loads(card.read_text(encoding="utf-8"))
    return f"{data.get('model_version', 'unversioned')} sha256:{hashlib.sha256(card.read_bytes()).hexdigest()[:16]}"


def load_manifest(workdir: Path, fp: dict[str, Any]) -> dict[int, dict[str, Any]]:
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
        details = "; ".join(_describe_change(k, old.get(k), new.get(k)) for k in changed)
        raise InvalidParameterError(
            f"--resume: the unfinished run in {workdir} was made with different {', '.join(changed)}: {details}. "
            "Run without --resume to start over."
        )
    return {e["chunk"]: e["stats"] for e in entries[1:] if "chunk" in e}


def _describe_change(key: str, old: Any, new: Any) -> str:
    """One fingerprint entry's change in words: each input file that changed, came or went; else both values."""
    if key == "inputs" and isinstance(old, list) and isinstance(new, list):
        then = {str(entry[0]): entry[1:] for entry in old if isinstance(entry, list) and entry}
        now = {str(entry[0]): entry[1:] for entry in new if isinstance(entry, list) and entry}
        out = []
        # One file named another way (relative, then absolute from another directory): the output's `file`
        # column keeps each path as given, so the parts would not match, but "X was not an input then; Y is not
        # an input now" about one file read as a contradiction. Say it is the same file, spelt otherwise.
        spelt = {
            new_path: old_path
            for new_path, old_path in _same_files(set(now) - set(then), set(then) - set(now)).items()
            if then[old_path] == now[new_path]  # and unchanged: a relative path then may be another file from here
        }
        for new_path, old_path in spelt.items():
            out.append(f"{new_path} is {old_path} named another way (rows give each file as named: name it as then)")
        for path in [*now, *(p for p in then if p not in now)]:
            if path in spelt or path in spelt.values():
                continue
            if path not in then:
                out.append(f"{path} was not an input then")
            elif path not in now:
                out.append(f"{path} is not an input now")
            elif then[path] != now[path]:
                size_then, size_now = then[path][0], now[path][0]
                out.append(
                    f"{path} changed since the run started ({size_then:,} bytes then, {size_now:,} now)"
                    if size_then != size_now and isinstance(size_then, int) and isinstance(size_now, int)
                    else f"{path} changed since the run started (modified since)"
                )
        if out:
            return "; ".join(out)
        return "the same input files in another order"

    def shown(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 80 else text[:79] + "…"

    return f"{key} {shown(old)} then, {shown(new)} now"


def _same_files(added: set[str], gone: set[str]) -> dict[str, str]:
    """``{path now: path then}`` for the paths that name one existing file both ways."""

    def key(path: str) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    before = {k: p for p in gone if (k := key(p)) is not None}
    return {p: before[k] for p in sorted(added) if (k := key(p)) is not None and k in before}


def write_manifest(workdir: Path, fp: dict[str, Any], done: dict[int, dict[str, Any]]) -> None:
    lines = [json.dumps({"fingerprint": fp}, ensure_ascii=False)]
    lines += [json.dumps({"chunk": i, "stats": done[i]}, ensure_ascii=False) for i in sorted(done)]
    atomic_write(workdir / MANIFEST, ("\n".join(lines) + "\n").encode("utf-8"))


def check_resumable(cfg: BatchConfig, output: Path, workdir: Path, log: Callable[[str], None]) -> None:
    """What ``--resume`` does when there is no unfinished run to continue (the local engine; the Dask engine's
    output directory keeps its manifest, so a finished run resumes as all chunks done).

    A finished run removed its ``OUTPUT.parts`` and with it the record of its inputs and options, so its output
    cannot be told to match this command's: refused (exit 2), rather than rescored silently or called complete.
    With no output either (a run that stopped before its first chunk), the run starts, saying so."""
    if not cfg.resume or cfg.engine != "local" or workdir.exists():
        return
    if output.exists():
        raise InvalidParameterError(
            f"--resume: there is no unfinished run to continue: {workdir} does not exist and {output} does, as "
            "after a finished run, which removes its parts and with them the record of how it was made. Run "
            f"without --resume to score again (it replaces {output}), or pick another -o."
        )
    log(f"note: --resume: no unfinished run to continue ({workdir} does not exist); scoring from the start")


def prepare_workdir(
    workdir: Path, fp: dict[str, Any], cfg: BatchConfig, plan: Plan, fmt: str, log: Callable[[str], None]
) -> dict[int, dict[str, Any]]:
    done: dict[int, dict[str, Any]] = {}
    if workdir.exists():
        record = workdir / MANIFEST if (workdir / MANIFEST).is_file() else workdir / OLD_MANIFEST
        if not record.is_file() and any(workdir.iterdir()):
            raise InvalidParameterError(
                f"{workdir} exists and is not a notecheck output directory (no {MANIFEST}); remove it or pick "
                "another output."
            )
        if cfg.resume and record.name == OLD_MANIFEST and record.is_file():
            raise InvalidParameterError(
                f"--resume: {workdir} holds a run of an earlier notecheck ({OLD_MANIFEST}), which this one cannot "
                "continue; run without --resume to score from the start."
            )
        if cfg.resume:
            done = load_manifest(workdir, fp)
            done = {i: s for i, s in done.items() if (workdir / part_name(i, fmt)).is_file()}
            remove_stray_parts(workdir)
        else:
            if record.is_file():
                lines = record.read_text(encoding="utf-8", errors="replace").count("\n")
                log(f"note: discarding the run in {workdir} ({max(0, lines - 1)} chunk(s) of it were done; without "
                    "this it could have been continued with --resume)")  # fmt: skip
            shutil.rmtree(workdir)
    with writing(workdir):
        workdir.mkdir(parents=True, exist_ok=True)
    write_manifest(workdir, fp, done)
    return done


def recorder(
    workdir: Path, fp: dict[str, Any], done: dict[int, dict[str, Any]], summary: Summary, progress: Any, plan: Plan
) -> Callable[[int, dict[str, Any]], None]:
    manifest = workdir / MANIFEST

    def on_done(index: int, stats: dict[str, Any]) -> None:
        done[index] = stats
        with writing(manifest), open(manifest, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"chunk": index, "stats": stats}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        summary.add(ChunkStats.from_dict(stats))
        if progress is not None:
            progress.update(plan.chunks[index].n_rows)

    return on_done


def remove_stray_parts(workdir: Path) -> None:
    """Delete the temporary files of parts a worker was writing when it was stopped (its chunk is not in the
    manifest, so ``--resume`` redoes it): after an interrupted run and before a resumed one."""
    for stray in workdir.glob(".*part-*.tmp-*"):
        stray.unlink(missing_ok=True)
