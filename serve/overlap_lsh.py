"""Candidate pairs of creators for fan overlap: locality-sensitive hashing (banding) over MinHash signatures.

With many creators, estimating every pair from the bottom-k sketches costs ``creators²/2`` sketch merges; when
only pairs above a Jaccard threshold are wanted, LSH proposes the pairs likely to be above it and only those are
estimated.

The signature is a one-permutation MinHash (Li, Owen & Zhang 2012): the 64-bit hash of every follower id (the one
:func:`serve.overlap.hash_ids` computes anyway) falls into one of ``bins`` bins by its top bits, and a creator's
signature is the smallest hash in each bin. Two creators agree on a bin with probability about their Jaccard,
like ``bins`` independent MinHashes, yet each id is hashed once (a creator's distinct hashes are sorted already,
so the minima are the first hash of each bin: one ``searchsorted``). Bins left empty by small creators take the
value of the next non-empty bin, re-hashed with the distance (rotation densification, Shrivastava & Li 2014), so
they still agree with probability about the Jaccard.

Banding: ``b`` bands of ``r`` bins; a pair is a candidate when all ``r`` bins of some band agree, which happens
with probability ``1 - (1 - J^r)^b``. :func:`band_params` takes the largest ``r`` (fewest candidates below the
threshold) that still finds a pair at exactly the threshold with probability >= ``recall``.
"""

from __future__ import annotations

import numpy as np

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def bin_minima(sorted_hashes: np.ndarray, bins: int) -> np.ndarray:
    """Smallest hash per bin (bin = top ``log2(bins)`` bits) of sorted distinct hashes; :data:`EMPTY` where none."""
    shift = np.uint64(64 - int(bins).bit_length() + 1)
    edges = np.arange(bins, dtype=np.uint64) << shift
    first = np.searchsorted(sorted_hashes, edges)
    out = np.full(bins, EMPTY, dtype=np.uint64)
    present = first < len(sorted_hashes)
    found = sorted_hashes[first[present]]
    # the first hash at or after a bin's start may belong to a later bin (this one is empty)
    same = (found >> shift) == edges[present] >> shift
    out[np.flatnonzero(present)[same]] = found[same]
    return out


def densify(minima: np.ndarray) -> np.ndarray:
    """Fill empty bins from the next non-empty one (circularly), mixed with the distance; all-empty stays empty."""
    full = minima != EMPTY
    if full.all() or not full.any():
        return minima.copy()
    n = len(minima)
    idx = np.flatnonzero(full)
    pos = np.arange(n)
    nxt = idx[np.searchsorted(idx, pos) % len(idx)]
    dist = (nxt - pos) % n
    out = minima.copy()
    empty = ~full
    out[empty] = _mix(minima[nxt[empty]] ^ _mix(dist[empty].astype(np.uint64)))
    return out


def candidate_probability(j: float, bands: int, rows: int) -> float:
    """Probability that a pair of Jaccard ``j`` shares at least one band."""
    return 1.0 - (1.0 - j**rows) ** bands


def band_params(threshold: float, bins: int, recall: float = 0.99) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows <= bins``: the largest ``rows`` whose candidate probability at
    ``threshold`` is at least ``recall`` (one row per band when none is)."""
    best = (bins, 1)
    for rows in range(1, bins + 1):
        bands = bins // rows
        if candidate_probability(threshold, bands, rows) >= recall:
            best = (bands, rows)
    return best


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, of rows of ``signatures`` (creators x bins) that agree on all bins of at
    least one band. Rows that are all :data:`EMPTY` (no followers) are never candidates."""
    sig = np.ascontiguousarray(signatures, dtype=np.uint64)
    live = np.flatnonzero((sig != EMPTY).any(axis=1))
    pairs: set[tuple[int, int]] = set()
    if len(live) < 2:
        return pairs
    for band in range(bands):
        block = np.ascontiguousarray(sig[live, band * rows : (band + 1) * rows])
        key = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            members = np.sort(live[order[s:e]])
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    pairs.add((int(members[a]), int(members[b])))
    return pairs


def candidate_pairs_datasketch(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """The same candidates from ``datasketch.MinHashLSH`` (kept to measure against :func:`candidate_pairs`)."""
    from datasketch import MinHash, MinHashLSH

    sig = np.asarray(signatures, dtype=np.uint64)
    lsh = MinHashLSH(num_perm=sig.shape[1], params=(bands, rows))
    pairs: set[tuple[int, int]] = set()
    for i, row in enumerate(sig):
        if (row == EMPTY).all():
            continue
        m = MinHash(num_perm=sig.shape[1], hashvalues=row, scheme="affine64")
        for other in lsh.query(m):
            pairs.add((other, i))
        lsh.insert(i, m, check_duplication=False)
    return pairs
