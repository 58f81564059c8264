"""Splits and folds: grouped, stratified, seeded, and stable when a few notes come or go."""

import numpy as np
import pytest

from model import Note
from training.data import Example
from training.folds import cv_folds, near_duplicate_groups, split_train_test

_RNG = np.random.default_rng(0)
# 400 unrelated notes in 4 strata (two sources, two labels), random ideographs so that no two share an opening.
CORPUS = [
    Example(
        note=Note(text="".join(chr(0x4E00 + int(c)) for c in _RNG.integers(0, 20000, 40))),
        label=int(i % 4 == 0),
        weight=1.0,
        source="xhs" if i % 3 else "weibo",
        dataset="d",
    )
    for i in range(400)
]


def _text_sides(examples, test):
    return {examples[i].note.text for i in test}


def _moved(examples, removed, test_before, test_after):
    kept = [e for j, e in enumerate(examples) if j not in removed]
    before = _text_sides(examples, test_before) - {examples[j].note.text for j in removed}
    return len(before ^ _text_sides(kept, test_after))


@pytest.mark.parametrize("removed", [{0}, {5}, {17, 230}, {399}])
def test_dropping_a_note_moves_few_others_across_the_split(removed):
    # Dropping a note (de-duplication after a normalisation change does that) must not re-deal the split:
    # at most the groups beside each stratum's boundary change side.
    _, test = split_train_test(CORPUS, test_size=0.2, seed=3)
    kept = [e for j, e in enumerate(CORPUS) if j not in removed]
    _, test_after = split_train_test(kept, test_size=0.2, seed=3)
    assert _moved(CORPUS, removed, test, test_after) <= 2 * len(removed)


@pytest.mark.parametrize("removed", [{0}, {123}, {7, 300}])
def test_dropping_a_note_moves_few_others_between_folds(removed):
    fold_of = {}
    for k, (_, va) in enumerate(cv_folds(CORPUS, n_splits=5, seed=3)):
        fold_of.update({CORPUS[i].note.text: k for i in va})
    kept = [e for j, e in enumerate(CORPUS) if j not in removed]
    after = {}
    for k, (_, va) in enumerate(cv_folds(kept, n_splits=5, seed=3)):
        after.update({kept[i].note.text: k for i in va})
    assert len(after) == len(kept)
    assert sum(after[t] != fold_of[t] for t in after) <= 4 * 2 * len(removed)  # 4 boundaries per stratum


def test_folds_partition_the_rows_and_keep_each_stratum_balanced():
    folds = cv_folds(CORPUS, n_splits=5, seed=3)
    validation = np.concatenate([va for _, va in folds])
    assert sorted(validation.tolist()) == list(range(len(CORPUS)))
    for tr, va in folds:
        assert not set(tr) & set(va) and len(tr) + len(va) == len(CORPUS)
        for stratum in {(e.source, e.label) for e in CORPUS}:
            total = sum((e.source, e.label) == stratum for e in CORPUS)
            here = sum((CORPUS[i].source, CORPUS[i].label) == stratum for i in va)
            assert abs(here - total / 5) <= 1


def test_split_depends_on_the_seed_and_only_on_it():
    a = split_train_test(CORPUS, test_size=0.2, seed=1)[1]
    assert np.array_equal(a, split_train_test(CORPUS, test_size=0.2, seed=1)[1])
    assert not np.array_equal(a, split_train_test(CORPUS, test_size=0.2, seed=2)[1])


def test_a_group_of_near_duplicates_is_never_split():
    twins = [
        Example(note=Note(title="同一个标题的两条笔记", text=f"正文{i}" + e.note.text), label=e.label, weight=1.0,
                source=e.source, dataset="d")
        for i, e in enumerate(CORPUS[:40])
    ]  # fmt: skip
    examples = CORPUS[40:] + twins
    groups = near_duplicate_groups([e.note for e in examples])
    train, test = split_train_test(examples, test_size=0.2, seed=3)
    assert not set(groups[train]) & set(groups[test])
    for tr, va in cv_folds(examples, n_splits=5, seed=3):
        assert not set(groups[tr]) & set(groups[va])


def test_eval_rows_always_go_to_the_test_side():
    examples = [*CORPUS[:100], *(Example(e.note, e.label, 1.0, e.source, "e", role="eval") for e in CORPUS[100:110])]
    train, test = split_train_test(examples, test_size=0.2, seed=3)
    assert set(range(100, 110)) <= set(test.tolist()) and not set(range(100, 110)) & set(train.tolist())
