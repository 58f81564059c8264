"""Labelled data for training: loading datasets from a config, de-duplication, grouped stratified splits."""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import numpy as np

from model.artifacts import sha256_file
from model.errors import InvalidNoteError, InvalidParameterError
from model.notes import Note, iter_records, parse_label, parse_note
from model.schema import got
from model.training_rows import row_key
from training.config import DatasetSpec, TrainConfig

#: Notes whose ``annotators`` field has this value form the "hard pool": double-annotated, the pool the held-out
#: test is drawn from, oversampling notes with commercial words (see the data README).
HARD_POOL_FIELD = "annotators"
HARD_POOL_VALUE = 2


@dataclass(frozen=True)
class Example:
    note: Note
    label: int
    weight: float
    source: str
    dataset: str
    role: str = "train"
    #: (title, text) as the file writes them, when reading changed them (un-masked digits); else None. The model
    #: ships hashes of both forms, so ``notecheck evaluate`` on the file as written still sees its training rows.
    written: tuple[str, str] | None = None


@dataclass
class DatasetInfo:
    name: str
    files: list[dict]
    rows: int
    used: int
    skipped: list[str]
    labels: dict[str, int]
    unlabelled: int = 0  # rows of a feedback dataset still waiting for a label (left out)


def is_hard_pool(example: Example) -> bool:
    """Whether the note is double-annotated: ``annotators`` 2 as JSON writes it, or "2" as a CSV cell reads."""
    value = example.note.extra.get(HARD_POOL_FIELD)
    if isinstance(value, bool):
        return False
    try:
        return float(value) == HARD_POOL_VALUE
    except (TypeError, ValueError):
        return False


#: How rows are read into notes, beyond what the files and the config say (today: how masked digits are written).
#: Part of the ad model's name (:func:`training.train.model_version`): reading the same files another way trains
#: another model, which must not keep the old name. 2: an 11-digit masked run reads as a mobile number.
READ_VERSION = 2

#: How an 11-digit masked run is un-masked: with the shape of a Chinese mobile number (1, then 3-9, then nine
#: digits). The masking kept each digit run's length, and a run of eleven is a mobile number: 40 drawn at random
#: from the SMS corpus's 1,059 all stand after 电话/手机/联系/来电 or a contact's name. As "00000000000" the
#: phone cue could not read it, so the model saw a promotional SMS's phone number as a plain number while it reads
#: the same number in a note as contact details.
MASKED_MOBILE = "13" + "0" * 9


def _masked_run(run: re.Match[str]) -> str:
    n = len(run.group(0))
    return MASKED_MOBILE if n == len(MASKED_MOBILE) else "0" * n


def _unmask_digits(text: str, mask: str) -> str:
    """``text`` with each run of the digit ``mask`` (not inside a Latin word) written as digits: a run of eleven as
    :data:`MASKED_MOBILE`, any other as that many zeros (the masked digits are not known)."""
    if not mask:
        return text
    return re.sub(rf"(?<![a-zA-Z]){re.escape(mask)}+(?![a-zA-Z])", _masked_run, text)


#: Label words of a sentiment training row (as ``notecheck evaluate --task sentiment`` reads them): 1 = positive.
SENTIMENT_LABELS = {"positive": 1, "negative": 0}


def sentiment_row(data: dict, where: str) -> dict:
    """A sentiment training row with its ``label`` as 1/0: 1/0 (in any form the ad task accepts) or
    "positive"/"negative". The ad task's words ("ad", "genuine", ...) and "neutral" (three-class rows, for
    ``notecheck evaluate --task sentiment`` only) are refused naming what a sentiment label must be."""
    expected = '1/0 or "positive"/"negative" (1 = positive)'
    if "label" not in data or data["label"] is None:
        raise InvalidNoteError(
            f"{where}field 'label' of a sentiment training row is required ({expected}). Got nothing."
        )
    value = data["label"]
    key = value.strip().lower() if isinstance(value, str) else value
    if isinstance(key, str) and key in SENTIMENT_LABELS:
        return {**data, "label": SENTIMENT_LABELS[key]}
    why = (
        " (three-class rows are for notecheck evaluate --task sentiment; training needs polar labels)"
        if key == "neutral"
        else ""
    )
    if isinstance(key, str) and not key.replace(".", "").isdigit() and key not in ("true", "false"):
        raise InvalidNoteError(
            f"{where}field 'label' of a sentiment training row must be {expected}{why}. Got {got(value)}."
        )
    try:
        return {**data, "label": parse_label(value)}
    except InvalidNoteError:
        raise InvalidNoteError(
            f"{where}field 'label' of a sentiment training row must be {expected}. Got {got(value)}."
        ) from None


def load_dataset(
    spec: DatasetSpec, *, seed: int, skip_bad_rows: bool = False, task: str = "ad"
) -> tuple[list[Example], DatasetInfo]:
    """Read every file of a dataset. Bad rows raise (file, line, reason) unless ``skip_bad_rows``, in which
    case each one is listed in the returned info: nothing is dropped silently. ``task`` "sentiment" reads labels
    as :func:`sentiment_row` does."""
    examples: list[Example] = []
    skipped: list[str] = []
    files = []
    rows = 0
    unlabelled = 0
    need_label = spec.label == "from_file"
    for path in spec.paths:
        files.append({"path": str(path), "sha256": sha256_file(path), "rows": 0})
        for rec in iter_records(path, encoding=spec.encoding or None):
            rows += 1
            files[-1]["rows"] += 1
            try:
                if rec.error is not None:
                    raise InvalidNoteError(rec.where + rec.error)
                if spec.feedback and _unlabelled(rec.data):
                    unlabelled += 1
                    continue
                data = rec.data
                if task == "sentiment" and need_label and isinstance(data, dict):
                    data = sentiment_row(data, rec.where)
                note = parse_note(data, where=rec.where, require_label=need_label)
            except InvalidNoteError as exc:
                if not skip_bad_rows:
                    raise
                skipped.append(str(exc))
                continue
            written = None
            if spec.digit_mask:
                unmasked = replace(
                    note,
                    text=_unmask_digits(note.text, spec.digit_mask),
                    title=_unmask_digits(note.title, spec.digit_mask),
                )
                if unmasked != note:
                    written = (note.title, note.text)
                note = unmasked
            label = note.label if need_label else (1 if spec.label == "ad" else 0)
            if spec.keep_label and label != (1 if spec.keep_label == "ad" else 0):
                continue  # a documented filter of the config (counted in `rows`, not in `used`)
            source = spec.source or note.source or spec.name
            examples.append(Example(note, int(label), spec.weight, source, spec.name, spec.role, written))
    if spec.max_rows and len(examples) > spec.max_rows:
        rng = np.random.default_rng(seed + int(hashlib.sha256(spec.name.encode()).hexdigest()[:8], 16) % 10_000)
        keep = np.sort(rng.choice(len(examples), size=spec.max_rows, replace=False))
        examples = [examples[i] for i in keep]
    labels = Counter("ad" if e.label else "genuine" for e in examples)
    return examples, DatasetInfo(spec.name, files, rows, len(examples), skipped, dict(labels), unlabelled)


def _unlabelled(row: dict | None) -> bool:
    """A row of a review queue nobody has labelled yet: label missing, null or blank."""
    label = (row or {}).get("label")
    return (
        label is None or (isinstance(label, float) and label != label) or (isinstance(label, str) and not label.strip())
    )


def dedup_key(note: Note, policy: str = "normalized") -> str:
    if policy == "exact":
        return f"{note.title}\n{note.text}"
    return row_key(note.title, note.text)  # the key evaluate's training-overlap check uses too


def deduplicate(
    examples: list[Example], policy: str, feedback: Collection[str] = (), *, report: TextIO | None = None
) -> tuple[list[Example], int, int]:
    """Drop repeated texts (keeping the first) and texts seen with both labels. Returns (kept, n_duplicates,
    n_conflicting). With ``report`` (a training run's stderr) each kind of row dropped is also said there in one
    ``note:`` line (:func:`report_dropped`): the model card counts them, but the user is looking at the terminal.

    Rows of the ``feedback`` datasets (exported appeals, reviewed queues) are a person's later word on a note: where
    such rows share a text and agree, the first of them is kept and every other row of that text is dropped, as a
    duplicate (same label) or conflicting (the other label). Treated as any row, a moderator who overturned the
    label of a note that is also in the corpus (an appeal, or `review --include-labelled` re-checking labels) had
    the decision dropped together with the label it corrected, both as "conflicting", and nothing said so. Rows of
    feedback datasets that disagree with each other are all dropped, as before."""
    if policy == "none":
        return examples, 0, 0
    keys = [dedup_key(e.note, policy) for e in examples]  # once each: "normalized" prepares every note
    labels: dict[str, set[int]] = {}
    decided: dict[str, set[int]] = {}  # the labels feedback rows give each text
    for e, key in zip(examples, keys, strict=True):
        labels.setdefault(key, set()).add(e.label)
        if e.dataset in feedback:
            decided.setdefault(key, set()).add(e.label)
    seen: set[str] = set()
    kept: list[Example] = []
    # the datasets the dropped rows came from, per kind: what the note on stderr names
    dropped: dict[str, Counter[str]] = {"duplicate": Counter(), "conflicting": Counter()}
    for e, key in zip(examples, keys, strict=True):
        if key in decided and len(decided[key]) == 1:
            if e.dataset not in feedback:  # the feedback row stands for the note
                dropped["duplicate" if e.label in decided[key] else "conflicting"][e.dataset] += 1
                continue
        elif len(labels[key]) > 1:
            dropped["conflicting"][e.dataset] += 1
            continue
        if key in seen:
            dropped["duplicate"][e.dataset] += 1
            continue
        seen.add(key)
        kept.append(e)
    if report is not None:
        report_dropped(dropped, policy, report)
    return kept, sum(dropped["duplicate"].values()), sum(dropped["conflicting"].values())


#: What each kind of dropped row is, in the note that reports them.
_DROPPED = {
    "duplicate": "repeating a text kept once",
    "conflicting": "of texts seen with both labels",
}


def report_dropped(dropped: dict[str, Counter[str]], policy: str, stream: TextIO) -> None:
    """One ``note:`` line per kind of row :func:`deduplicate` dropped (none when it dropped nothing), with the
    count from each dataset, e.g. ``note: dedup 'normalized' dropped 11 duplicate rows (repeating a text kept
    once) from datasets 'more': 10, 'flipped': 1`` (a trained model's card counts them too)."""
    for kind, per_dataset in dropped.items():
        n = sum(per_dataset.values())
        if not n:
            continue
        names = ", ".join(f"{name!r}: {count}" for name, count in per_dataset.most_common())
        print(
            f"note: dedup {policy!r} dropped {n} {kind} row{'s' if n > 1 else ''} ({_DROPPED[kind]}) from "
            f"dataset{'s' if len(per_dataset) > 1 else ''} {names}",
            file=stream,
        )


def source_counts(examples: list[Example]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for e in examples:
        d = out.setdefault(e.source, {"ad": 0, "genuine": 0})
        d["ad" if e.label else "genuine"] += 1
    return out


def load_all(
    config: TrainConfig, *, skip_bad_rows: bool = False, stderr: TextIO | None = None, task: str = "ad"
) -> tuple[list[Example], list[DatasetInfo]]:
    """Every configured dataset. Rows skipped as bad (``skip_bad_rows``) are listed on ``stderr`` (default
    ``sys.stderr``) as they are by ``notecheck evaluate``, with a count per dataset: the model card keeps them too,
    but a run that drops rows must say so where the user is looking."""
    examples: list[Example] = []
    infos: list[DatasetInfo] = []
    for spec in config.datasets:
        ex, info = load_dataset(spec, seed=config.seed, skip_bad_rows=skip_bad_rows, task=task)
        if not ex and not spec.feedback:  # a review queue may wait for its labels; any other dataset is data
            _no_rows(spec, info, config)
        if config.hard_pool_weight != 1.0:  # the double-annotated rows: the pool the held-out test is drawn from
            ex = [replace(e, weight=e.weight * config.hard_pool_weight) if is_hard_pool(e) else e for e in ex]
        examples.extend(ex)
        infos.append(info)
    report_skipped(infos, sys.stderr if stderr is None else stderr)
    return examples, infos


def _no_rows(spec: DatasetSpec, info: DatasetInfo, config: TrainConfig) -> None:
    """A configured dataset that gives no row at all: say why, instead of training without it."""
    files = ", ".join(str(p) for p in spec.paths)
    if info.rows == 0:
        why = f"its file{'s' if len(spec.paths) > 1 else ''} ({files}) hold{'' if len(spec.paths) > 1 else 's'} no rows"
    elif len(info.skipped) == info.rows:
        why = f"all {info.rows} rows of {files} were skipped as bad (--skip-bad-rows)"
    else:
        why = f"none of the {info.rows} rows of {files} has the label keep_label = {spec.keep_label!r} keeps"
    raise InvalidParameterError(f"dataset {spec.name!r} of the training config {config.path} gives no rows: {why}.")


def report_skipped(infos: list[DatasetInfo], stream: TextIO) -> None:
    """One ``skipped:`` line per bad row left out, then a count per dataset that lost rows, and per feedback
    dataset the rows left out because nobody has labelled them yet."""
    for info in infos:
        for line in info.skipped:
            print(f"skipped: {line}", file=stream)
    for info in infos:
        if info.skipped:
            n = len(info.skipped)
            print(
                f"warning: dataset {info.name!r}: {n} bad row{'s' if n > 1 else ''} of {info.rows} skipped "
                "(--skip-bad-rows); the rows above say which and why",
                file=stream,
            )
        if info.unlabelled:
            print(
                f"note: dataset {info.name!r}: {info.unlabelled} of {info.rows} rows have no label yet and were left "
                "out (a feedback dataset; 'unlabelled' in the model card)",
                file=stream,
            )


def relpath(path: str | Path, base: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
