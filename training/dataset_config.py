"""The ``[[dataset]]`` tables of a training config, validated into :class:`DatasetSpec` (which files, how their
rows are labelled, weighted, sampled and decoded). :func:`training.config.load_config` reads the rest."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from model.notes.files import ENCODING_EXAMPLES, encoding_problem
from training.config_checks import check, is_int, is_number


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    paths: tuple[Path, ...]
    label: str = "from_file"  # "from_file", "ad" (every row is an ad) or "genuine" (every row is genuine)
    weight: float = 1.0
    digit_mask: str = ""  # a character the corpus used to mask digits ("x" for the SMS corpus)
    max_rows: int = 0  # 0 = all; else a seeded random subsample
    source: str = ""  # overrides the rows' own `source` when set
    role: str = "train"  # "train": split into train/test; "eval": only evaluated, never trained on
    keep_label: str = ""  # "ad" or "genuine": keep only rows with that label (e.g. one side of a mixed corpus)
    #: exported appeals / reviewed queues (training.feedback): rows still without a label are left out and counted,
    #: and the report compares the model with a model trained without these datasets
    feedback: bool = False
    encoding: str = ""  # the files' codec (e.g. "big5"), every line decoded strictly; "": UTF-8, else GB18030
    #: whom the model card credits for the rows (a licence may require it, as CC BY does); no part of the model
    credit: str = ""


#: The keys of a ``[[dataset]]`` table.
DATASET_KEYS = frozenset({
    "name", "path", "label", "weight", "role", "keep_label", "feedback", "max_rows", "digit_mask", "source", "encoding",
    "credit",
})  # fmt: skip


def _resolve(base: Path, pattern: str, name: str) -> tuple[Path, ...]:
    full = base / pattern
    matches = sorted(Path(p) for p in glob.glob(str(full), recursive=True))
    if not matches:
        raise InvalidParameterError(f"dataset {name!r}: no file matches {pattern!r} (looked for {full}).")
    folders = [m for m in matches if m.is_dir()]
    if folders:  # read later, a folder ended as "…/data: Is a directory", naming no dataset
        raise InvalidParameterError(
            f"dataset {name!r}: path {pattern!r} names a directory ({folders[0]}); name its files, e.g. "
            f"{(Path(pattern) / '*.jsonl').as_posix()!r}."
        )
    return tuple(matches)


def read_datasets(tables: list[dict[str, Any]], base: Path) -> list[DatasetSpec]:
    """Each ``[[dataset]]`` table (``tables``, in file order) as a :class:`DatasetSpec`, its paths and globs
    resolved against ``base`` (the config's directory); the first bad key or value raises
    :class:`InvalidParameterError` naming ``dataset[i].key``."""
    datasets: list[DatasetSpec] = []
    for i, d in enumerate(tables):
        unknown = sorted(set(d) - DATASET_KEYS)
        check(not unknown, f"dataset[{i}]", f"a table with keys among {sorted(DATASET_KEYS)}", unknown)
        paths = d.get("path")
        paths = [paths] if isinstance(paths, str) else paths
        check(
            isinstance(paths, list) and bool(paths) and all(isinstance(x, str) and x for x in paths),
            f"dataset[{i}].path",
            "a path or glob, or a non-empty list of them (relative to the config)",
            d.get("path"),
        )
        name = d.get("name", Path(paths[0]).stem)
        check(isinstance(name, str) and bool(name.strip()), f"dataset[{i}].name", "a non-empty string", name)
        check(
            name not in {s.name for s in datasets},
            f"dataset[{i}].name",
            "unique among the datasets (the report, the data card and ablation variants tell datasets apart by it)",
            name,
        )
        resolved = tuple(p for pat in paths for p in _resolve(base, pat, name))
        label = d.get("label", "from_file")
        check(
            label in ("from_file", "ad", "genuine"),
            f"dataset[{i}].label",
            '"from_file", "ad" or "genuine"',
            label,
        )
        weight = d.get("weight", 1.0)
        check(is_number(weight) and weight >= 0, f"dataset[{i}].weight", "a number >= 0", weight)
        role = d.get("role", "train")
        check(role in ("train", "eval"), f"dataset[{i}].role", '"train" or "eval"', role)
        keep = d.get("keep_label", "")
        check(keep in ("", "ad", "genuine"), f"dataset[{i}].keep_label", '"ad" or "genuine"', keep)
        check(
            not keep or label in ("from_file", keep),
            f"dataset[{i}].keep_label",
            f"left out or {label!r}: label = {label!r} makes every row {label}, so keep_label = {keep!r} keeps none",
            keep,
        )
        feedback = d.get("feedback", False)
        check(isinstance(feedback, bool), f"dataset[{i}].feedback", "true or false", feedback)
        check(
            not feedback or label == "from_file",
            f"dataset[{i}].label",
            '"from_file" for a feedback dataset (its rows carry the label a person gave; rows without one are not '
            "labelled yet)",
            label,
        )
        max_rows = d.get("max_rows", 0)
        check(is_int(max_rows) and max_rows >= 0, f"dataset[{i}].max_rows", "an integer >= 0", max_rows)
        mask = d.get("digit_mask", "")
        check(isinstance(mask, str) and len(mask) <= 1, f"dataset[{i}].digit_mask",
              'one character (the corpus\'s digit mask, e.g. "x"), or "" for none', mask)  # fmt: skip
        source = d.get("source", "")
        check(isinstance(source, str), f"dataset[{i}].source", "a string", source)
        encoding = d.get("encoding", "")
        check(
            isinstance(encoding, str), f"dataset[{i}].encoding", f"a codec name such as {ENCODING_EXAMPLES}", encoding
        )
        if encoding and (why := encoding_problem(encoding)):  # before any file is read, as --encoding is checked
            raise InvalidParameterError(f"The 'dataset[{i}].encoding' parameter of the training config: {why}.")
        credit = d.get("credit", "")
        check(isinstance(credit, str), f"dataset[{i}].credit", "a string (whom the model card credits)", credit)
        datasets.append(
            DatasetSpec(
                name=name,
                paths=resolved,
                label=label,
                weight=float(weight),
                digit_mask=mask,
                max_rows=max_rows,
                source=source,
                role=role,
                keep_label=keep,
                feedback=feedback,
                encoding=encoding,
                credit=credit.strip(),
            )
        )
    return datasets
