"""The n-gram key table settles keys that meet another key in an unshared slot without its binary search."""

from __future__ import annotations

import numpy as np

from model.engine.ngram_keys import KeyTable


def test_keys_in_shared_slots_are_found_and_keys_meeting_a_stored_key_are_absent():
    rng = np.random.default_rng(5)
    keys = np.unique(rng.integers(0, 2**62, size=5000, dtype=np.int64)).astype(np.uint64)
    table = KeyTable(keys, np.arange(len(keys)))
    not_stored = table._keys[table._slot(keys)] != keys  # found only by the search of a shared slot
    assert not_stored.any() and table._shared[table._slot(keys[not_stored])].all()
    np.testing.assert_array_equal(table.lookup(keys), np.arange(len(keys)))
    absent = np.setdiff1d(rng.integers(0, 2**62, size=5000, dtype=np.int64).astype(np.uint64), keys)
    meets = table._keys[table._slot(absent)] != 0  # lands on a slot holding another key
    assert meets.any() and (~table._shared[table._slot(absent[meets])]).any()
    assert (table.lookup(absent) == -1).all()
