"""Linear TF-IDF inference with numpy only: what a fitted notecheck pipeline computes, for whole batches.

A notecheck model is ``documents -> FeatureUnion(TfidfVectorizer, ...) -> LogisticRegression``. At inference time
that is arithmetic on a few arrays, and scikit-learn's ``transform`` spends most of its time elsewhere: Python
strings for every character n-gram, a dict look-up and a Python counter per n-gram, per-call input validation,
joblib dispatch and sparse-matrix assembly. :class:`LinearTfidf` does the same arithmetic over a batch of
documents:

- *word* parts: the model's own tokenizer per document, then vocabulary look-ups of the word n-grams;
- *char* parts (n <= 3): the code points of all documents at once, each n-gram packed into one 64-bit integer
  (21 bits per code point) and looked up with ``numpy.searchsorted`` in a sorted key table, with no per-n-gram
  Python string;
- counting, (sublinear) tf, idf, the norm of each part, and the dot product with the coefficients, vectorised
  over the batch.

The result equals scikit-learn's ``FeatureUnion.transform(docs) @ coef`` (``tests/test_engine.py`` checks both
the matrix and the scores against scikit-learn on real notes), and scikit-learn is never imported: serving
starts without its ~2.5 s import. :class:`CompiledPipeline` bundles the parameters of the document step, the
features and the classifier's parameters; :mod:`model.pipeline` turns it into a scikit-learn ``Pipeline`` (and
back) for training and reference checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from model.errors import InvalidParameterError, NotFittedError, UntrustedTypesError
from model.text import body_only
from model.tokenize import NoteTokenizer

#: The step types a notecheck pipeline may contain (and the only ones an artifact can name).
TRUSTED_TYPES: tuple[str, ...] = ("NoteDocuments", "FeatureUnion", "TfidfVectorizer", "LogisticRegression")
#: The arithmetic of this engine (analyzers, tf-idf weighting, normalisation, the linear score). Bump it with any
#: change that can move a score: a model card records the version it was saved under, and loading checks it.
ENGINE_VERSION = 1

#: Preprocessors a vectorizer may name in an artifact.
PREPROCESSORS: dict[str, Callable[[str], str]] = {"body_only": body_only}

_CODE_BITS = 21  # every Unicode code point fits in 21 bits, so three of them fit in one uint64
_MAX_PACKED_N = 3
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses these to one space first


@dataclass(frozen=True)
class Features:
    """TF-IDF rows of a batch in CSR layout: row ``i`` has columns ``indices[indptr[i]:indptr[i+1]]`` (ascending)
    with values ``data[...]``."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        s, e = self.indptr[i], self.indptr[i + 1]
        return self.indices[s:e], self.data[s:e]

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.indptr))

    def to_scipy(self, n_features: int) -> Any:
        from scipy.sparse import csr_matrix

        return csr_matrix((self.data, self.indices, self.indptr), shape=(self.n_rows, n_features))


class TfidfPart:
    """One fitted ``TfidfVectorizer`` of the feature union: its vocabulary (``terms``, in column order), idf
    weights and the settings that change the arithmetic."""

    def __init__(
        self,
        *,
        name: str,
        analyzer: str,
        ngram_range: Sequence[int],
        terms: Sequence[str] | np.ndarray,
        idf: np.ndarray,
        sublinear_tf: bool = False,
        norm: str | None = "l2",
        binary: bool = False,
        lowercase: bool = False,
        tokenizer: NoteTokenizer | None = None,
        preprocessor: str | None = None,
    ) -> None:
        where = f"TF-IDF part {name!r}"
        if analyzer not in ("word", "char"):
            raise InvalidParameterError(
                f"The 'analyzer' of {where} must be 'word' or 'char'. Got {analyzer!r} instead."
            )
        lo, hi = (int(x) for x in ngram_range)
        if not 1 <= lo <= hi:
            raise InvalidParameterError(
                f"The 'ngram_range' of {where} must be (min_n, max_n) with 1 <= min_n <= max_n. Got {ngram_range!r}."
            )
        if norm not in ("l2", "l1", None):
            raise InvalidParameterError(f"The 'norm' of {where} must be 'l2', 'l1' or None. Got {norm!r} instead.")
        if analyzer == "word" and not isinstance(tokenizer, NoteTokenizer):
            raise InvalidParameterError(f"The 'tokenizer' of word {where} must be a NoteTokenizer. Got {tokenizer!r}.")
        if preprocessor is not None and preprocessor not in PREPROCESSORS:
            raise UntrustedTypesError(
                f"{where}: unknown preprocessor {preprocessor!r}; the 'preprocessor' must be one of "
                f"{sorted(PREPROCESSORS)} or None. Refusing to load it."
            )
        self.name = name
        self.analyzer = analyzer
        self.ngram_range = (lo, hi)
        self.terms = np.asarray(terms, dtype=str)
        self.idf = np.asarray(idf, dtype=np.float64)
        if self.idf.shape != (len(self.terms),):
            raise InvalidParameterError(
                f"The 'idf' of {where} must have one weight per term ({len(self.terms)}). Got shape {self.idf.shape}."
            )
        self.sublinear_tf = bool(sublinear_tf)
        self.norm = norm
        self.binary = bool(binary)
        self.lowercase = bool(lowercase)
        self.tokenizer = tokenizer
        self.preprocessor = preprocessor
        self._pre = PREPROCESSORS[preprocessor] if preprocessor else (str.lower if lowercase else None)
        self._vocabulary: dict[str, int] | None = None
        self._tables: dict[Any, Any] | None = None  # look-up tables, built on first use

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Term -> column (built on first use; read-only afterwards)."""
        if self._vocabulary is None:
            self._vocabulary = {t: i for i, t in enumerate(self.terms.tolist())}
        return self._vocabulary

    def params(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "ngram_range": list(self.ngram_range),
            "sublinear_tf": self.sublinear_tf,
            "norm": self.norm,
            "binary": self.binary,
            "lowercase": self.lowercase,
        }

    # -- n-gram look-up ---------------------------------------------------------------------------------
    def grams(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram of ``docs`` found in the vocabulary, one entry per occurrence."""
        if self.analyzer == "char":
            if self.ngram_range[1] <= _MAX_PACKED_N:  # (n > 3 does not fit 64 bits: the string path)
                return self._char_grams(docs)
        elif self._word_ids() is not None:
            return self._word_grams(docs)
        return self._python_grams(docs)

    def _analyze(self, doc: str) -> list[str]:
        """The n-grams of one document, exactly as scikit-learn's analyzer of this vectorizer yields them."""
        if self._pre is not None:
            doc = self._pre(doc)
        lo, hi = self.ngram_range
        if self.analyzer == "char":
            text = _WHITE_SPACES.sub(" ", doc)
            size = len(text)
            grams: list[str] = list(text) if lo == 1 else []
            for n in range(max(lo, 2), min(hi, size) + 1):
                grams += [text[i : i + n] for i in range(size - n + 1)]
            return grams
        tokens = self.tokenizer(doc)  # type: ignore[misc]
        if hi == 1:
            return tokens
        grams = list(tokens) if lo == 1 else []
        for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
            if n == 2:
                grams += [f"{a} {b}" for a, b in pairwise(tokens)]
            else:
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return grams

    def _python_grams(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The general path: scikit-learn's analyzer in Python and a dict look-up per n-gram."""
        get = self.vocabulary.get
        flat: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            before = len(flat)
            flat += [j for g in self._analyze(doc) if (j := get(g)) is not None]
            lengths.append(len(flat) - before)
        cols = np.array(flat, dtype=np.int64)
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        return rows, cols

    # Word n-grams: every token of the vocabulary gets an integer id; an n-gram is the integer
    # id_1 * V^(n-1) + ... + id_n, looked up in a hash table, so no n-gram string is ever built.
    def _word_ids(self) -> tuple[dict[str, int], int, _KeyTable] | None:
        """(token -> id, number of ids, table of n-gram keys); an n-gram's key is
        ``id_1 * V^(n-1) + ... + id_n + offset(n)`` with ``offset(n) = V + V^2 + ... + V^(n-1)``, so the keys of
        different n never collide and one look-up serves them all. None when only the string path is exact."""
        if self._tables is None:
            lo, hi = self.ngram_range
            words = " ".join(self.terms.tolist()).split(" ") if len(self.terms) else []  # one C call for all
            n_words = (np.char.count(self.terms, " ") + 1).astype(np.int64)
            token_id = dict(zip(dict.fromkeys(words), range(len(words)), strict=False))
            size = max(len(token_id), 1)
            # A term whose word count is outside the n-gram range has a space inside a token: only the
            # string path is exact for it. Keys must also fit in 63 bits.
            present = set(np.unique(n_words).tolist())
            if present - set(range(lo, hi + 1)) or "" in token_id or _word_offset(hi + 1, size) >= 2**63:
                self._tables = {}
            else:
                ids = np.fromiter(map(token_id.__getitem__, words), dtype=np.int64, count=len(words))
                first = np.concatenate([[0], np.cumsum(n_words)[:-1]]).astype(np.int64)  # each term's first id
                keys, cols = [], []
                for n in sorted(present):
                    at = np.flatnonzero(n_words == n)
                    keys.append(
                        _word_keys(ids[first[at][:, None] + np.arange(n)], size) + np.uint64(_word_offset(n, size))
                    )
                    cols.append(at)
                table = _KeyTable(
                    np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64),
                    np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
                )
                self._tables = {"ids": token_id, "size": size, "table": table}
        if not self._tables:
            return None
        return self._tables["ids"], self._tables["size"], self._tables["table"]

    def _word_grams(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        token_id, size, table = self._word_ids()  # type: ignore[misc]
        get = token_id.get
        pre = self._pre
        tokenize = self.tokenizer
        flat: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            tokens = tokenize(pre(doc) if pre is not None else doc)  # type: ignore[misc]
            lengths.append(len(tokens))
            flat += [get(t, -1) for t in tokens]
        total = len(flat)
        lo, hi = self.ngram_range
        if total < lo:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(docs) == 1 and hi <= 2:
            return self._one_doc_word_grams(flat, size, table)
        ids = np.array(flat, dtype=np.int64)
        doc_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        room = np.cumsum(lengths, dtype=np.int64)[doc_of] - np.arange(total)  # tokens left in the document
        known = ids >= 0
        keys, owners, valid = [], [], []
        for n in range(lo, min(hi, total) + 1):
            m = total - n + 1
            k = ids[:m].copy()
            ok = (room[:m] >= n) & known[:m]
            for j in range(1, n):
                k *= size
                k += ids[j : j + m]
                ok &= known[j : j + m]
            if n > 1:
                k += _word_offset(n, size)
            keys.append(k)
            owners.append(doc_of[:m])
            valid.append(ok)
        if len(keys) == 1:
            keys_all, owners_all, valid_all = keys[0], owners[0], valid[0]
        else:
            keys_all, owners_all, valid_all = np.concatenate(keys), np.concatenate(owners), np.concatenate(valid)
        found = table.lookup(keys_all[valid_all].astype(np.uint64))
        hit = found >= 0
        return owners_all[valid_all][hit], found[hit]

    def _one_doc_word_grams(self, ids: list[int], size: int, table: _KeyTable) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_word_grams` of one document (``ids``: its token ids, -1 when unknown) with uni- and bigrams at
        most: the same keys computed in Python, one look-up. A checked note has a few hundred tokens, where the
        vectorised form's ~25 numpy calls cost more than the arithmetic."""
        lo = self.ngram_range[0]
        keys = [i for i in ids if i >= 0] if lo == 1 else []
        if self.ngram_range[1] == 2 and len(ids) >= 2:
            offset = _word_offset(2, size)
            keys += [a * size + b + offset for a, b in pairwise(ids) if a >= 0 and b >= 0]
        found = table.lookup(np.array(keys, dtype=np.uint64))
        cols = found[found >= 0]
        return np.zeros(len(cols), dtype=np.int64), cols

    # Character n-grams (n <= 3): code points packed 21 bits each into one uint64 per n-gram.
    # Character n-grams (n <= 3): code points packed 21 bits each into one uint64 per n-gram, tagged with n
    # (:func:`_char_key_tag`), so one table and one look-up serve every n.
    def _char_table(self) -> _KeyTable:
        if self._tables is None:
            lengths = np.char.str_len(self.terms) if len(self.terms) else np.zeros(0, dtype=np.int64)
            keys, cols = [], []
            for n in range(1, _MAX_PACKED_N + 1):
                at = np.flatnonzero(lengths == n)
                if len(at):
                    text = "".join(self.terms[at].tolist())
                    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).reshape(-1, n)
                    keys.append(_pack(codes.astype(np.uint64), n) | _char_key_tag(n))
                    cols.append(at)
            self._tables = {
                "chars": _KeyTable(
                    np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64),
                    np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
                )
            }
        return self._tables["chars"]

    def _char_grams(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        pre = self._pre
        sub = _WHITE_SPACES.sub
        texts = [sub(" ", pre(d) if pre is not None else d) for d in docs]
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        total = int(lengths.sum())
        lo, hi = self.ngram_range
        if total < lo:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        if len(texts) == 1:  # one document (a check): every n-gram lies inside it, no owners or masks needed
            keys = [_char_keys(codes, total - n + 1, n) for n in range(lo, min(hi, total) + 1)]
            found = self._char_table().lookup(keys[0] if len(keys) == 1 else np.concatenate(keys))
            cols = found[found >= 0]
            return np.zeros(len(cols), dtype=np.int64), cols
        doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        room = np.cumsum(lengths)[doc_of] - np.arange(total)  # characters left in the document from here on
        keys, owners, inside = [], [], []
        for n in range(lo, min(hi, total) + 1):
            m = total - n + 1
            keys.append(_char_keys(codes, m, n))
            owners.append(doc_of[:m])
            inside.append(room[:m] >= n)
        if len(keys) == 1:
            keys_all, owners_all, inside_all = keys[0], owners[0], inside[0]
        else:
            keys_all, owners_all, inside_all = np.concatenate(keys), np.concatenate(owners), np.concatenate(inside)
        found = self._char_table().lookup(keys_all[inside_all])
        hit = found >= 0
        return owners_all[inside_all][hit], found[hit]


def _char_keys(codes: np.ndarray, m: int, n: int) -> np.ndarray:
    """The tagged keys of the ``m`` character n-grams starting at ``codes[0]``, ``codes[1]``, ... (uint64)."""
    k = codes[:m].copy()
    for j in range(1, n):
        k <<= _CODE_BITS
        k |= codes[j : j + m]
    if n < _MAX_PACKED_N:
        k |= _char_key_tag(n)
    return k


def _char_key_tag(n: int) -> np.uint64:
    """Bits that keep packed n-grams of different n apart: a 3-gram uses bits 0-62, a 2-gram bits 0-41 (+ bits 42
    and 63 as its tag), a 1-gram bits 0-20 (+ bit 63)."""
    return np.uint64(0) if n == 3 else np.uint64((1 << 63) | (1 << 42)) if n == 2 else np.uint64(1 << 63)


def _pack(codes: np.ndarray, n: int) -> np.ndarray:
    keys = codes[:, 0].copy()
    for j in range(1, n):
        keys <<= _CODE_BITS
        keys |= codes[:, j]
    return keys


def _word_offset(n: int, size: int) -> int:
    """``size + size^2 + ... + size^(n-1)``: where the keys of word n-grams start (0 for unigrams)."""
    return sum(size**k for k in range(1, n))


def _word_keys(ids: np.ndarray, size: int) -> np.ndarray:
    keys = ids[:, 0].copy()
    for j in range(1, ids.shape[1]):
        keys *= size
        keys += ids[:, j]
    return keys.astype(np.uint64)


class _KeyTable:
    """A read-only map from distinct uint64 keys to int64 values, looked up for a whole array of keys at once.

    One probe of an open-addressing hash table (load factor <= 1/4, so most keys land on their own key or on an
    empty slot) settles most keys with two gathers; the rest go through a binary search of the sorted keys. A
    binary search alone costs ~16 dependent gathers per key, which matters for millions of n-grams per batch,
    and probing until every key is settled costs a numpy round per step of the longest probe chain, which
    matters for one short document."""

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

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return ((keys * self._MULTIPLIER) >> self._shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 where the key is absent."""
        pos = self._slot(keys)
        out = self._values[pos]
        found = self._keys[pos] == keys
        rest = np.flatnonzero(~found & (out >= 0))  # another key holds the slot: binary search
        out[~found] = -1
        if len(rest) and len(self._sorted):
            wanted = keys[rest]
            at = np.searchsorted(self._sorted, wanted)
            at[at == len(self._sorted)] = 0
            hit = self._sorted[at] == wanted
            out[rest[hit]] = self._sorted_values[at[hit]]
        return out


class LinearTfidf:
    """A feature union of :class:`TfidfPart` s followed by a linear decision function ``X @ coef + intercept``."""

    def __init__(self, parts: Sequence[TfidfPart], coef: np.ndarray, intercept: float) -> None:
        self.parts = list(parts)
        sizes = [len(p) for p in self.parts]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.n_features = int(self.offsets[-1])
        self.coef = np.ascontiguousarray(coef, dtype=np.float64).ravel()
        if self.coef.shape != (self.n_features,):
            raise InvalidParameterError(
                f"The 'coef' of the linear model must have one weight per feature ({self.n_features}). "
                f"Got shape {np.shape(coef)} instead."
            )
        self.intercept = float(intercept)
        self._idf = np.concatenate([p.idf for p in self.parts]) if self.parts else np.zeros(0)
        self._part_of = np.repeat(np.arange(len(self.parts), dtype=np.int64), sizes)

    def transform(self, docs: Sequence[str]) -> Features:
        """TF-IDF rows of ``docs`` (equal to scikit-learn's ``FeatureUnion.transform``)."""
        n = len(docs)
        rows_parts, cols_parts = [], []
        for part, offset in zip(self.parts, self.offsets, strict=False):
            rows, cols = part.grams(docs)
            rows_parts.append(rows)
            cols_parts.append(cols + offset)
        rows = np.concatenate(rows_parts) if rows_parts else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(cols_parts) if cols_parts else np.zeros(0, dtype=np.int64)
        width = max(self.n_features, 1)
        keys = rows * width + cols
        keys.sort()
        if len(keys):
            first = np.empty(len(keys), dtype=bool)
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
            keys = keys[starts]
        else:
            counts = np.zeros(0)
        rows, cols = keys // width, keys % width
        data = counts
        tf_kinds = {(part.binary, part.sublinear_tf) for part in self.parts}
        if tf_kinds == {(False, True)}:  # the usual case: sublinear tf everywhere, no masks needed
            np.log(data, out=data)
            data += 1.0
        elif tf_kinds != {(False, False)}:
            part_of = self._part_of[cols]
            for p, part in enumerate(self.parts):
                mask = part_of == p
                if part.binary:
                    data[mask] = 1.0
                elif part.sublinear_tf:
                    data[mask] = np.log(data[mask]) + 1.0
        data *= self._idf[cols]
        norms = {part.norm for part in self.parts}
        if norms != {None} and len(data):
            k = len(self.parts)
            groups = rows * k + self._part_of[cols]
            size = n * k
            l2 = np.sqrt(np.bincount(groups, weights=data * data, minlength=size)) if "l2" in norms else None
            l1 = np.bincount(groups, weights=np.abs(data), minlength=size) if "l1" in norms else None
            if norms == {"l2"}:
                lengths = l2
            else:
                lengths = np.ones(size)
                for p, part in enumerate(self.parts):
                    if part.norm is not None:
                        lengths[p::k] = (l2 if part.norm == "l2" else l1)[p::k]  # type: ignore[index]
            lengths[lengths == 0] = 1.0  # type: ignore[index]
            data /= lengths[groups]  # type: ignore[index]
        indptr = np.searchsorted(rows, np.arange(n + 1, dtype=np.int64))
        return Features(indptr=indptr, indices=cols, data=data)

    def decision(self, X: Features) -> np.ndarray:
        """``X @ coef + intercept`` per row."""
        return np.bincount(X.row_ids(), weights=X.data * self.coef[X.indices], minlength=X.n_rows) + self.intercept

    def decision_function(self, docs: Sequence[str]) -> np.ndarray:
        return self.decision(self.transform(docs))

    def feature_name(self, j: int) -> str:
        """``<part>__<term>`` of column ``j``, as scikit-learn's ``get_feature_names_out`` names it."""
        p = int(np.searchsorted(self.offsets, j, side="right")) - 1
        part = self.parts[p]
        return f"{part.name}__{part.terms[j - self.offsets[p]]}"

    def feature_names_at(self, cols: np.ndarray) -> list[str]:
        """:meth:`feature_name` of many columns at once: one search for all of them, one look-up per part."""
        part = np.searchsorted(self.offsets, cols, side="right") - 1
        names = [""] * len(cols)
        for p in np.unique(part).tolist():
            at = np.flatnonzero(part == p)
            prefix = self.parts[p].name + "__"
            terms = self.parts[p].terms[cols[at] - self.offsets[p]].tolist()
            for k, term in zip(at.tolist(), terms, strict=True):
                names[k] = prefix + term
        return names

    def feature_names(self) -> np.ndarray:
        return np.asarray([f"{p.name}__{t}" for p in self.parts for t in p.terms.tolist()], dtype=object)


def top_contributions(
    X: Features, coef: np.ndarray, top: int, *, towards: str = "positive"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row, its ``top`` entries with the largest positive (or most negative) contribution
    ``value * coef``, as (row, column, contribution) arrays ordered by row, then by strength (ties: lower
    column first). ``top`` rounds of a per-row maximum (``np.maximum.reduceat``) over the batch: a few passes
    over the data instead of a sort."""
    empty = np.zeros(0, dtype=np.int64)
    if top <= 0 or not len(X.data):
        return empty, empty, np.zeros(0)
    contrib = X.data * coef[X.indices]
    score = contrib.copy() if towards == "positive" else -contrib
    score[score <= 0] = -np.inf  # only entries pushing the right way can be chosen
    lengths = np.diff(X.indptr)
    rows_with = np.flatnonzero(lengths)
    starts = X.indptr[:-1][rows_with]
    position = np.arange(len(score), dtype=np.int64)
    picked_rows, picked_pos = [], []
    for _ in range(top):
        best = np.maximum.reduceat(score, starts)
        live = best > -np.inf
        if not live.any():
            break
        best_full = np.full(X.n_rows, np.inf)
        best_full[rows_with] = best
        at_best = np.where(score == np.repeat(best_full, lengths), position, len(score))
        first = np.minimum.reduceat(at_best, starts)[live]
        picked_rows.append(rows_with[live])
        picked_pos.append(first)
        score[first] = -np.inf
    if not picked_rows:
        return empty, empty, np.zeros(0)
    rows = np.concatenate(picked_rows)
    pos = np.concatenate(picked_pos)
    order = np.argsort(rows, kind="stable")  # by row; within a row the rounds are already strongest first
    rows, pos = rows[order], pos[order]
    return rows, X.indices[pos], contrib[pos]


@dataclass
class CompiledPipeline:
    """Everything inference needs of a fitted notecheck pipeline, without scikit-learn objects: the artifact's
    pipeline structure (``spec``, as in ``pipeline.json``), the document step's parameters and the features with
    the classifier's weights. :mod:`model.pipeline` converts it to and from a scikit-learn ``Pipeline``."""

    spec: dict[str, Any]
    features: LinearTfidf
    classes: np.ndarray

    @property
    def documents(self) -> dict[str, Any]:
        """Parameters of the ``NoteDocuments`` step."""
        return dict(self.spec["steps"][0].get("params") or {})

    @classmethod
    def from_spec(cls, spec: dict[str, Any], arrays: Any, where: Any = "model") -> CompiledPipeline:
        """Build from an artifact's ``pipeline.json`` structure and ``model.npz`` arrays; only
        :data:`TRUSTED_TYPES` are accepted."""
        try:
            steps = spec["steps"]
            types = [s["type"] for s in steps]
            part_types = [p.get("type") for p in steps[1].get("parts", [])] if len(steps) > 1 else []
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise UntrustedTypesError(
                f"{where}: malformed pipeline structure ({exc!r}). Refusing to load it."
            ) from None
        refused = sorted(
            {t for t in types if t not in TRUSTED_TYPES} | {t for t in part_types if t != "TfidfVectorizer"}
        )
        if refused or types != ["NoteDocuments", "FeatureUnion", "LogisticRegression"]:
            raise UntrustedTypesError(
                f"{where}: the pipeline must be NoteDocuments -> FeatureUnion(TfidfVectorizer...) -> "
                f"LogisticRegression; got {types} (untrusted: {refused or 'none'}). Refusing to load it."
            )
        parts = []
        for part in steps[1]["parts"]:
            params = part["params"]
            if not params.get("use_idf", True):
                raise InvalidParameterError(
                    f"{where}: part {part['name']!r} has use_idf=False; only True is supported."
                )
            tok = part.get("tokenizer")
            parts.append(
                TfidfPart(
                    name=part["name"],
                    analyzer=params["analyzer"],
                    ngram_range=params["ngram_range"],
                    terms=arrays[f"{part['name']}.terms"],
                    idf=arrays[f"{part['name']}.idf"],
                    sublinear_tf=params.get("sublinear_tf", False),
                    norm=params.get("norm", "l2"),
                    binary=params.get("binary", False),
                    lowercase=params.get("lowercase", False),
                    preprocessor=params.get("preprocessor"),
                    tokenizer=None
                    if tok is None
                    else NoteTokenizer(
                        backend=tok["backend"],
                        user_words=[tuple(e) for e in tok["user_words"]],
                        stopwords=tok["stopwords"],
                        hmm=tok["hmm"],
                    ),
                )
            )
        coef = np.asarray(arrays["clf.coef"], dtype=np.float64)
        if coef.ndim != 2 or coef.shape[0] != 1:
            raise InvalidParameterError(
                f"{where}: expected a binary classifier (coef of shape (1, n)); got {coef.shape}."
            )
        intercept = float(np.asarray(arrays["clf.intercept"], dtype=np.float64).ravel()[0])
        return cls(
            spec=spec, features=LinearTfidf(parts, coef[0], intercept), classes=np.asarray(arrays["clf.classes"])
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The ``model.npz`` arrays of this pipeline."""
        out: dict[str, np.ndarray] = {}
        for part in self.features.parts:
            out[f"{part.name}.terms"] = part.terms
            out[f"{part.name}.idf"] = part.idf
        out["clf.coef"] = self.features.coef[None, :]
        out["clf.intercept"] = np.array([self.features.intercept])
        out["clf.classes"] = self.classes
        return out


class CompiledModel:
    """Base of the models that predict through a :class:`CompiledPipeline` (``AdModel``, ``SentimentModel``):
    built from a fitted scikit-learn ``Pipeline`` (training) or a compiled one (loading an artifact), with the
    scikit-learn form available as :attr:`pipeline`, built on first use (it imports scikit-learn)."""

    compiled: CompiledPipeline
    _pipeline: Any

    def _use_pipeline(self, pipeline: Any, *, how_to_fit: str) -> CompiledPipeline:
        if isinstance(pipeline, CompiledPipeline):
            self._pipeline = None
            self.compiled = pipeline
        else:
            if not hasattr(pipeline[-1], "coef_"):
                raise NotFittedError(f"This {type(self).__name__}'s pipeline is not fitted yet. {how_to_fit}")
            from model.pipeline import compile_pipeline

            self._pipeline = pipeline
            self.compiled = compile_pipeline(pipeline)
        return self.compiled

    @property
    def pipeline(self) -> Any:
        """The scikit-learn ``Pipeline`` of this model (imports scikit-learn; built on first use)."""
        if self._pipeline is None:
            from model.pipeline import to_sklearn

            self._pipeline = to_sklearn(self.compiled)
        return self._pipeline


def sigmoid(z: np.ndarray, a: float = 1.0, b: float = 0.0) -> np.ndarray:
    """``1 / (1 + exp(-(a z + b)))`` without overflow warnings."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-(a * np.asarray(z, dtype=np.float64) + b)))
