"""Grouped, stratified folds and train/test splits that stay put when the data changes a little.

Near-duplicates (a shared normalised title or body opening, or one text) form one group, and a group is always
on one side. Within each stratum (source and label) the groups are put in an order fixed by a seeded hash of
their *raw* text, and a group's fold is where its rows fall along that order. Adding, dropping or re-normalising
a few notes therefore moves only the groups beside a fold boundary; scikit-learn's shuffled
``StratifiedGroupKFold`` instead deals every group anew when one row goes, so a change of normalisation that
merges two twin notes moved a tenth of the test split and its figures with it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import numpy as np

from model.notes import Note
from model.text import normalize_text
from model.training_rows import row_key

if TYPE_CHECKING:
    from training.data import Example

#: How rows are dealt into the test split and folds. Part of a model's name: a model fitted on other rows, or
#: with its threshold chosen on other folds, is another model.
FOLDS_VERSION = 2

_KEY_STRIP = re.compile(r"[\W\d_]+")
_TAG = re.compile(r"#[^#]{1,40}#")


def near_duplicate_groups(notes: list[Note]) -> np.ndarray:
    """Group ids such that notes sharing a normalised title or the same opening of the body (hashtags
    removed) are in one group, so near-duplicates never straddle a split (union-find)."""
    parent = list(range(len(notes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, note in enumerate(notes):
        keys = []
        title = _KEY_STRIP.sub("", normalize_text(note.title))
        if len(title) >= 6:
            keys.append("t:" + title)
        body = _KEY_STRIP.sub("", _TAG.sub("", normalize_text(note.text)))
        if len(body) >= 20:
            keys.append("b:" + body[:30])
        keys.append("f:" + row_key(note.title, note.text))
        for key in keys:
            j = first.setdefault(key, i)
            if j != i:
                parent[find(i)] = find(j)
    return np.array([find(i) for i in range(len(notes))])


def _positions(examples: list[Example], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's stratum (as an int) and the position in (0, 1) of its group's middle along its stratum's
    hashed order of groups, weighted by rows. A group's stratum is that of its member with the smallest hash."""
    groups = near_duplicate_groups([e.note for e in examples])
    digests = [hashlib.sha256(f"{seed}\x00{e.note.title}\x00{e.note.text}".encode()).hexdigest() for e in examples]
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups.tolist()):
        members[g].append(i)
    strata_names = [f"{e.source}|{e.label}" for e in examples]
    by_stratum: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for g, rows in members.items():
        first = min(rows, key=lambda i: digests[i])
        by_stratum[strata_names[first]].append((digests[first], g))
    position = np.zeros(len(examples))
    stratum = np.zeros(len(examples), dtype=np.int64)
    for s, (_name, ordered) in enumerate(sorted(by_stratum.items())):
        ordered.sort()
        total = sum(len(members[g]) for _, g in ordered)
        before = 0
        for _, g in ordered:
            size = len(members[g])
            rows = members[g]
            position[rows] = (before + size / 2) / total
            stratum[rows] = s
            before += size
    return stratum, position


def split_train_test(examples: list[Example], *, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) of a seeded split, stratified by source and label, with near-duplicate groups kept
    whole: the first ``test_size`` of each stratum's hashed order of groups is the test side. Strata with fewer
    than ``round(1 / test_size)`` rows stay in training. Datasets with role "eval" always go to the test side."""
    idx = np.arange(len(examples))
    train_side = np.array([e.role == "train" for e in examples], dtype=bool)
    cand = idx[train_side]
    stratum, position = _positions([examples[i] for i in cand], seed)
    counts = Counter(stratum.tolist())
    big = np.array([counts[s] >= max(2, round(1 / test_size)) for s in stratum.tolist()], dtype=bool)
    chosen = cand[big & (position < test_size)]
    test = np.sort(np.concatenate([chosen, idx[~train_side]])).astype(np.int64)
    train = np.setdiff1d(idx, test)
    return train, test


def cv_folds(examples: list[Example], *, n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, validation) indices of ``n_splits`` grouped folds stratified by source and label: fold k holds
    the groups whose middle falls in the k-th ``1 / n_splits`` of their stratum's hashed order."""
    _, position = _positions(examples, seed)
    fold = np.minimum((position * n_splits).astype(np.int64), n_splits - 1)
    idx = np.arange(len(examples))
    return [(idx[fold != k], idx[fold == k]) for k in range(n_splits)]
