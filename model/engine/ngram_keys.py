"""N-gram keys and the table they are looked up in: the integer form of the TF-IDF vocabularies.

A character n-gram (n <= 3) is its code points packed 21 bits each into one uint64, tagged with n; a word n-gram
is the integer ``id_1 * V^(n-1) + ... + id_n`` of its tokens' ids plus an offset per n. :class:`KeyTable` maps
such keys to vocabulary columns for a whole array of keys at once, so no n-gram string is ever built.
"""

from __future__ import annotations

import numpy as np

_CODE_BITS = 21  # every Unicode code point fits in 21 bits, so three of them fit in one uint64
MAX_PACKED_N = 3


def char_keys(codes: np.ndarray, m: int, n: int) -> np.ndarray:
    """The tagged keys of the ``m`` character n-grams starting at ``codes[0]``, ``codes[1]``, ... (uint64)."""
    k = codes[:m].copy()
    for j in range(1, n):
        k <<= _CODE_BITS
        k |= codes[j : j + m]
    if n < MAX_PACKED_N:
        k |= char_key_tag(n)
    return k


def char_key_tag(n: int) -> np.uint64:
    """Bits that keep packed n-grams of different n apart: a 3-gram uses bits 0-62, a 2-gram bits 0-41 (+ bits 42
    and 63 as its tag), a 1-gram bits 0-20 (+ bit 63)."""
    return np.uint64(0) if n == 3 else np.uint64((1 << 63) | (1 << 42)) if n == 2 else np.uint64(1 << 63)


def pack(codes: np.ndarray, n: int) -> np.ndarray:
    keys = codes[:, 0].copy()
    for j in range(1, n):
        keys <<= _CODE_BITS
        keys |= codes[:, j]
    return keys


def word_offset(n: int, size: int) -> int:
    """``size + size^2 + ... + size^(n-1)``: where the keys of word n-grams start (0 for unigrams)."""
    return sum(size**k for k in range(1, n))


def word_keys(ids: np.ndarray, size: int) -> np.ndarray:
    keys = ids[:, 0].copy()
    for j in range(1, ids.shape[1]):
        keys *= size
        keys += ids[:, j]
    return keys.astype(np.uint64)


class KeyTable:
    """A read-only map from distinct uint64 keys to int64 values, looked up for a whole array of keys at once.

    One probe of an open-addressing hash table (load factor <= 1/4, so most keys land on their own key or on an
    empty slot) settles most keys with two gathers; the rest go through a binary search of the sorted keys. A
    binary search alone costs ~16 dependent gathers per key, which matters for millions of n-grams per batch,
    and probing until every key is settled costs a numpy round per step of the longest probe chain, which
    matters for one short document. Only keys whose slot is *shared* (two or more table keys hash to it) can be
    in the table without being the key their slot holds: a key that meets another key in a slot of its own is
    absent, settled without the search (most n-grams of a text are not in the vocabulary, and a quarter of them
    land on an occupied slot)."""

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        values = np.asarray(values, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._sorted, self._sorted_values = keys[order], values[order]
        bits = max(4, int(len(keys) * 4).bit_length())
        self._shift = np.uint64(64 - bits)
        self._keys = np.zeros(1 << bits, dtype=np.uint64)
        self._values = np.full(1 << bits, -1, dtype=np.int64)
        slot = self._slot(keys)
        # Each slot holds one of the keys hashing to it (the first); the others are found by the binary search.
        taken, first = np.unique(slot, return_index=True)
        self._keys[taken] = keys[first]
        self._values[taken] = values[first]
        self._shared = np.bincount(slot, minlength=1 << bits) > 1

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        # Integer arrays wrap around on overflow without a warning (only numpy scalars warn): no errstate, which
        # costs more than the hash of a short document.
        return ((keys * self._MULTIPLIER) >> self._shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 where the key is absent."""
        pos = self._slot(keys)
        out = self._values[pos]
        found = self._keys[pos] == keys
        rest = (~found & self._shared[pos]).nonzero()[0]  # another key holds a shared slot: binary search
        out[~found] = -1
        if len(rest) and len(self._sorted):
            wanted = keys[rest]
            at = self._sorted.searchsorted(wanted)
            at[at == len(self._sorted)] = 0
            hit = self._sorted[at] == wanted
            out[rest[hit]] = self._sorted_values[at[hit]]
        return out
