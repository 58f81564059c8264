"""Fan overlap between creators: pairwise Jaccard and "share of A's followers who also follow B".

Inputs are follower-id exports: one file per creator (one id per line; the creator is the file's stem; a first
line ``follower_id`` is a header), or a CSV with a header naming a ``follower_id`` column, and a ``creator`` column
when it holds several creators (without one, the file's stem is the creator). A first line of several fields is a
CSV header, so it must name ``follower_id``.
Every line is accounted for: blank lines and repeated ids are counted and reported with their line numbers,
never silently dropped; a line that is not UTF-8, or a CSV row without the ``follower_id`` field, is an
:class:`OverlapInputError` naming file, line and field.

Each id is hashed once to 64 bits (digit-only ids without leading zeros through the splitmix64 mixer, others
through BLAKE2b: the hash depends on the id alone, so files agree). A creator is kept as its sorted distinct
hashes while all creators read so far hold at most ``exact_limit`` of them (exact overlap, up to 64-bit hash
collisions); past that, every creator is kept as a bottom-k MinHash sketch (the ``k`` smallest hashes) and its
distinct count, so memory is bounded by the largest single file plus ``creators x k`` integers. Jaccard from two
sketches: among the ``k`` smallest hashes of their union, the share present in both (standard error about
sqrt(J(1-J)/k)); ``|A ∩ B| = J (|A| + |B|) / (1 + J)``. Why not ``datasketch.MinHash``: it applies ``num_perm``
permutations to every id (22 µs per id at 1024 permutations, ~6 h for 200 creators x 1M followers), while a
bottom-k sketch hashes each id once; ``benchmarks/overlap_benchmark.py`` measures both in one run.

Every creator also keeps a one-permutation MinHash signature (:mod:`serve.overlap_lsh`, ``bins`` integers), so
that with a Jaccard threshold only the candidate pairs LSH proposes are estimated (:meth:`OverlapCounter.candidates`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import InvalidParameterError, NotecheckError
from model.utf8 import byte_place
from serve.overlap_lsh import band_params, bin_minima, candidate_pairs, densify

_BLOCK = 1 << 23  # bytes read at a time from a one-id-per-line file


class OverlapInputError(NotecheckError):
    """A follower file that cannot be read as documented (names file, line and field)."""


def _splitmix64(x: np.ndarray) -> np.ndarray:
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _is_number(b: bytes) -> bool:
    return b.isdigit() and (len(b) == 1 or b[:1] != b"0") and len(b) <= 18


def hash_ids(ids: Sequence[bytes]) -> np.ndarray:
    """64-bit hashes of follower ids given as UTF-8 bytes (already stripped)."""
    if not ids:
        return np.zeros(0, dtype=np.uint64)
    joined = b"".join(ids)
    if joined.isdigit() and all(len(b) <= 18 and (len(b) == 1 or b[:1] != b"0") for b in ids):
        with np.errstate(over="ignore"):
            return _splitmix64(np.array(ids, dtype=np.int64))
    out = np.empty(len(ids), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, b in enumerate(ids):
            if _is_number(b):
                out[i] = _splitmix64(np.array([int(b)], dtype=np.int64))[0]
            else:
                out[i] = int.from_bytes(hashlib.blake2b(b, digest_size=8, person=b"notecheck-fans").digest(), "little")
    return out


@dataclass
class Creator:
    name: str
    followers: int = 0  # distinct ids
    hashes: np.ndarray | None = None  # sorted distinct hashes (exact mode) or the bottom-k sketch
    minima: np.ndarray | None = None  # smallest hash per LSH bin (serve.overlap_lsh), before densification
    sources: list[str] = field(default_factory=list)


@dataclass
class ReadNotes:
    """What reading skipped, per file: blank lines and repeated ids (the first few line numbers kept)."""

    blank: dict[str, list[int]] = field(default_factory=dict)
    duplicates: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    blank_count: dict[str, int] = field(default_factory=dict)
    duplicate_count: dict[str, int] = field(default_factory=dict)

    def messages(self) -> list[str]:
        out = []
        for path, n in self.blank_count.items():
            lines = ", ".join(map(str, self.blank[path])) + (" ..." if n > len(self.blank[path]) else "")
            out.append(f"note: {path}: {n} blank line(s) skipped (line {lines})")
        for path, n in self.duplicate_count.items():
            shown = ", ".join(f"line {ln} ({fid!r})" for ln, fid in self.duplicates[path])
            more = " ..." if n > len(self.duplicates[path]) else ""
            out.append(f"note: {path}: {n} repeated follower id(s) counted once: {shown}{more}")
        return out


def _decode_error(path: Path, data: bytes, first_line: int, exc: UnicodeDecodeError) -> OverlapInputError:
    line, col = byte_place(data, exc.start)
    line += first_line - 1
    return OverlapInputError(
        f"{path}, line {line}: field 'follower_id' is not UTF-8 (byte {data[exc.start : exc.start + 1]!r} at "
        f"column {col}); save the file as UTF-8."
    )


def _blocks(path: Path) -> Iterator[tuple[int, list[bytes]]]:
    """``(number of the first line, lines)`` of a file in blocks, checked to be UTF-8."""
    number = 1
    rest = b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_BLOCK)
            data = rest + chunk
            if not chunk:
                if data:
                    yield from _checked(path, data, number)
                return
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            block, rest = data[: cut + 1], data[cut + 1 :]
            yield from _checked(path, block, number)
            number += block.count(b"\n")


def _checked(path: Path, data: bytes, number: int) -> Iterator[tuple[int, list[bytes]]]:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _decode_error(path, data, number, exc) from None
    if number == 1 and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    yield number, [ln.strip() for ln in lines]


def _is_csv_header(first: bytes) -> list[str] | None:
    """The columns of a CSV's header line, or None for a file of one id per line (its first line an id, or the
    header ``follower_id``). A first line of several fields is a CSV header, whatever it names: read as ids,
    ``user_id,nickname`` and every ``u1,A`` after it were counted as followers, and the overlap came out 0."""
    header = [h.strip().lower() for h in next(csv.reader([first.decode("utf-8")]))]
    return header if "creator" in header or len(header) > 1 else None


class OverlapCounter:
    """Read follower files into per-creator hash sets or sketches, then compute pairwise overlap."""

    def __init__(self, *, exact_limit: int = 2_000_000, k: int = 4096, seed: int = 0, bins: int = 1024) -> None:
        if bins < 2 or bins & (bins - 1):
            raise InvalidParameterError(
                f"The 'bins' parameter of OverlapCounter must be a power of two >= 2. Got {bins}."
            )
        self.exact_limit = exact_limit
        self.k = k
        self.bins = bins
        self.seed = seed
        self.creators: dict[str, Creator] = {}
        self.notes = ReadNotes()
        self.exact = True
        self._total = 0

    def add_file(self, path: Path, progress: Any = None) -> None:
        """Read one follower file (see the module docstring)."""
        blocks = _blocks(path)
        first = next(blocks, None)
        if first is None:
            self._add(path.stem, np.zeros(0, dtype=np.uint64), str(path))
            return
        number, lines = first
        header = _is_csv_header(lines[0]) if lines else None
        if header is not None:
            self._add_csv(path, header, number, lines, blocks, progress)
            return
        parts = []
        line_numbers = []
        for number, lines in [first, *blocks]:
            start = 1 if number == 1 and lines and lines[0].lower() == b"follower_id" else 0
            self._blanks(path, number, lines, start)
            kept = [i for i in range(start, len(lines)) if lines[i]]
            parts.append(hash_ids([lines[i] for i in kept]))
            line_numbers.append(np.asarray(kept, dtype=np.int64) + number)
            if progress is not None:
                progress.update(len(lines))
        self._add(path.stem, np.concatenate(parts), str(path), np.concatenate(line_numbers))

    def _blanks(self, path: Path, number: int, lines: list[bytes], start: int) -> None:
        label = str(path)
        blank = [number + i for i in range(start, len(lines)) if not lines[i]]
        if blank:
            self.notes.blank_count[label] = self.notes.blank_count.get(label, 0) + len(blank)
            shown = self.notes.blank.setdefault(label, [])
            shown.extend(blank[: max(0, 5 - len(shown))])

    def _add_csv(
        self, path: Path, header: list[str], number0: int, lines0: list[bytes], blocks: Iterator, progress: Any
    ) -> None:
        if "follower_id" not in header:
            raise OverlapInputError(
                f"{path}, line 1: the header has no 'follower_id' column (a CSV of followers needs it, and a "
                f"'creator' column when it holds several creators). Got {lines0[0].decode()!r:.80}."
            )
        for needed in ("creator", "follower_id"):
            if header.count(needed) > 1:
                raise OverlapInputError(
                    f"{path}, line 1: the header names column '{needed}' twice; rename one. Got columns {header}."
                )
        # without a creator column, the file is one creator's, named by its stem as a file of ids is
        ci, fi = (header.index("creator") if "creator" in header else -1), header.index("follower_id")
        ids: dict[str, list[bytes]] = {}
        nums: dict[str, list[int]] = {}
        for number, lines in [(number0, lines0), *blocks]:
            start = 1 if number == 1 else 0
            self._blanks(path, number, lines, start)
            for i in range(start, len(lines)):
                if not lines[i]:
                    continue
                row = next(csv.reader(io.StringIO(lines[i].decode("utf-8"))))
                for name, col in (("follower_id", fi), ("creator", ci)):
                    if col >= 0 and (len(row) <= col or not row[col].strip()):
                        raise OverlapInputError(
                            f"{path}, line {number + i}: field '{name}' is missing. Got {lines[i].decode()!r:.80}."
                        )
                creator = row[ci].strip() if ci >= 0 else path.stem
                ids.setdefault(creator, []).append(row[fi].strip().encode("utf-8"))
                nums.setdefault(creator, []).append(number + i)
            if progress is not None:
                progress.update(len(lines))
        for creator, values in ids.items():
            self._add(creator, hash_ids(values), str(path), np.asarray(nums[creator], dtype=np.int64))

    def _add(self, name: str, hashes: np.ndarray, label: str, lines: np.ndarray | None = None) -> None:
        """Fold one file's ids of creator ``name`` into it, reporting repeated ids by line."""
        c = self.creators.setdefault(name, Creator(name))
        c.sources.append(label)
        uniq, first = np.unique(hashes, return_index=True)
        n_dup = len(hashes) - len(uniq)
        if c.hashes is not None and self.exact and len(c.hashes):
            seen = np.isin(uniq, c.hashes, assume_unique=True)
            n_dup += int(seen.sum())
            first = first[~seen]
            uniq = uniq[~seen]
        if n_dup and lines is not None:
            self.notes.duplicate_count[label] = self.notes.duplicate_count.get(label, 0) + n_dup
            repeated = np.setdiff1d(np.arange(len(hashes)), first, assume_unique=True)[:5]
            shown = self.notes.duplicates.setdefault(label, [])
            wanted = [int(lines[i]) for i in repeated[: max(0, 5 - len(shown))]]
            shown.extend(_line_texts(Path(label), wanted))
        c.followers += len(uniq)
        self._total += len(uniq)
        minima = bin_minima(uniq, self.bins)
        c.minima = minima if c.minima is None else np.minimum(c.minima, minima)
        merged = uniq if c.hashes is None else np.union1d(c.hashes, uniq)
        # copies: a slice would keep the whole array of the file's hashes alive
        c.hashes = merged if self.exact else merged[: self.k].copy()
        if self.exact and self._total > self.exact_limit:
            self.exact = False
            for other in self.creators.values():
                other.hashes = other.hashes[: self.k].copy()

    def candidates(self, min_jaccard: float, recall: float = 0.99) -> tuple[list[tuple[str, str]], tuple[int, int]]:
        """Creator pairs (a < b by name) that LSH proposes as having Jaccard >= ``min_jaccard``: a pair at exactly
        ``min_jaccard`` is proposed with probability >= ``recall``, pairs far below it rarely. Returns the pairs
        and the ``(bands, rows)`` used."""
        names = sorted(self.creators)
        bands, rows = band_params(min_jaccard, self.bins, recall)
        sig = np.stack([densify(self.creators[n].minima) for n in names]) if names else np.zeros((0, self.bins))
        found = sorted(candidate_pairs(sig, bands, rows))
        return [(names[i], names[j]) for i, j in found], (bands, rows)

    def pairs(
        self, *, min_jaccard: float = 0.0, among: list[tuple[str, str]] | None = None, progress: Any = None
    ) -> list[dict[str, Any]]:
        """One row per creator pair (a < b by name) of ``among`` (default: all pairs) whose Jaccard (exact or
        estimated) is at least ``min_jaccard``, most overlapping first."""
        pairs = combinations(sorted(self.creators), 2) if among is None else among
        rows = []
        for a, b in pairs:
            A, B = self.creators[a], self.creators[b]
            if self.exact:
                common = len(np.intersect1d(A.hashes, B.hashes, assume_unique=True))
                row = _row(a, b, A.followers, B.followers, common)
            else:
                j = sketch_jaccard(A.hashes, B.hashes, self.k)
                inter = j * (A.followers + B.followers) / (1 + j)
                row = _row(a, b, A.followers, B.followers, min(inter, A.followers, B.followers), jaccard=j)
            if row["jaccard"] >= min_jaccard:
                rows.append(row)
            if progress is not None:
                progress.update(1)
        rows.sort(key=lambda r: (-r["jaccard"], r["creator_a"], r["creator_b"]))
        return rows


def _line_texts(path: Path, numbers: list[int]) -> list[tuple[int, str]]:
    """``(line, text)`` of the given line numbers of a file (for messages; one pass, stops at the last)."""
    wanted = set(numbers)
    out = []
    if not wanted:
        return out
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            if number in wanted:
                out.append((number, raw.decode("utf-8", "replace").strip()))
                if len(out) == len(wanted):
                    break
    return out


def sketch_jaccard(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Jaccard estimate from two bottom-k sketches (sorted distinct hashes)."""
    union = np.union1d(a, b)[:k]
    if not len(union):
        return 0.0
    both = np.isin(union, a, assume_unique=True) & np.isin(union, b, assume_unique=True)
    return float(both.mean())


def _row(a: str, b: str, na: int, nb: int, inter: float, jaccard: float | None = None) -> dict[str, Any]:
    union = na + nb - inter
    j = jaccard if jaccard is not None else (inter / union if union else 0.0)
    return {
        "creator_a": a,
        "creator_b": b,
        "jaccard": round(float(j), 6),
        "share_a_in_b": round(inter / na, 6) if na else 0.0,
        "share_b_in_a": round(inter / nb, 6) if nb else 0.0,
        "followers_a": na,
        "followers_b": nb,
        "common": round(float(inter)),  # a count (estimated under MinHash): an int
    }


def exact_check(
    counter: OverlapCounter, rows: list[dict[str, Any]], sample: int, seed: int = 0
) -> list[dict[str, Any]]:
    """Exact Jaccard of ``sample`` random pairs of ``rows`` (re-reading only the two creators' files), next to
    the estimate: ``[{creator_a, creator_b, estimate, exact, error}]``."""
    if not rows or sample <= 0:
        return []
    picked = random.Random(seed).sample(rows, min(sample, len(rows)))
    out = []
    for r in picked:
        sets = []
        for name in (r["creator_a"], r["creator_b"]):
            exact = OverlapCounter(exact_limit=2**62)
            for src in counter.creators[name].sources:
                exact.add_file(Path(src))
            sets.append(exact.creators[name].hashes)
        union = len(np.union1d(sets[0], sets[1]))
        value = len(np.intersect1d(sets[0], sets[1], assume_unique=True)) / union if union else 0.0
        out.append({"creator_a": r["creator_a"], "creator_b": r["creator_b"], "estimate": r["jaccard"],
                    "exact": round(value, 6), "error": round(abs(r["jaccard"] - value), 6)})  # fmt: skip
    return out


def overlap_matrix(names: list[str], rows: list[dict[str, Any]]) -> np.ndarray:
    """Symmetric Jaccard matrix of ``names`` (1 on the diagonal) from pair rows."""
    index = {n: i for i, n in enumerate(names)}
    m = np.eye(len(names))
    for r in rows:
        a, b = index.get(r["creator_a"]), index.get(r["creator_b"])
        if a is not None and b is not None:
            m[a, b] = m[b, a] = r["jaccard"]
    return m
