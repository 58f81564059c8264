"""One fitted ``TfidfVectorizer`` of a feature union (:class:`TfidfPart`): its vocabulary, idf weights and settings,
and the look-up of a batch's n-grams in that vocabulary (word n-grams through the model's tokenizer, character
n-grams as packed integer keys; the string path where only it is exact)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise, repeat
from typing import Any

import numpy as np

from model.engine.ngram_keys import (
    MAX_PACKED_N,
    KeyTable,
    char_key_tag,
    char_keys,
    pack,
    word_keys,
    word_offset,
)
from model.errors import InvalidParameterError, UntrustedTypesError
from model.text import (
    body_only,
    body_without_markup,
    body_without_placeholders,
    without_markup,
    without_placeholders,
)
from model.tokenize import NoteTokenizer

#: Preprocessors a vectorizer may name in an artifact.
PREPROCESSORS: dict[str, Callable[[str], str]] = {
    "body_only": body_only,
    "without_placeholders": without_placeholders,
    "body_without_placeholders": body_without_placeholders,
    "without_markup": without_markup,
    "body_without_markup": body_without_markup,
}

_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyzer collapses these to one space first


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
            if self.ngram_range[1] <= MAX_PACKED_N:  # (n > 3 does not fit 64 bits: the string path)
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
    def _word_ids(self) -> tuple[dict[str, int], int, KeyTable] | None:
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
            if present - set(range(lo, hi + 1)) or "" in token_id or word_offset(hi + 1, size) >= 2**63:
                self._tables = {}
            else:
                ids = np.fromiter(map(token_id.__getitem__, words), dtype=np.int64, count=len(words))
                first = np.concatenate([[0], np.cumsum(n_words)[:-1]]).astype(np.int64)  # each term's first id
                keys, cols = [], []
                for n in sorted(present):
                    at = np.flatnonzero(n_words == n)
                    keys.append(
                        word_keys(ids[first[at][:, None] + np.arange(n)], size) + np.uint64(word_offset(n, size))
                    )
                    cols.append(at)
                table = KeyTable(
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
            flat += map(get, tokens, repeat(-1))  # get(t, -1) for each token, the loop in C
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
                k += word_offset(n, size)
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

    def _one_doc_word_grams(self, ids: list[int], size: int, table: KeyTable) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_word_grams` of one document (``ids``: its token ids, -1 when unknown) with uni- and bigrams at
        most: the same keys computed in Python, one look-up. A checked note has a few hundred tokens, where the
        vectorised form's ~25 numpy calls cost more than the arithmetic."""
        lo = self.ngram_range[0]
        keys = [i for i in ids if i >= 0] if lo == 1 else []
        if self.ngram_range[1] == 2 and len(ids) >= 2:
            offset = word_offset(2, size)
            keys += [a * size + b + offset for a, b in pairwise(ids) if a >= 0 and b >= 0]
        found = table.lookup(np.array(keys, dtype=np.uint64))
        cols = found[found >= 0]
        return np.zeros(len(cols), dtype=np.int64), cols

    # Character n-grams (n <= 3): code points packed 21 bits each into one uint64 per n-gram.
    # Character n-grams (n <= 3): code points packed 21 bits each into one uint64 per n-gram, tagged with n
    # (:func:`char_key_tag`), so one table and one look-up serve every n.
    def _char_table(self) -> KeyTable:
        if self._tables is None:
            lengths = np.char.str_len(self.terms) if len(self.terms) else np.zeros(0, dtype=np.int64)
            keys, cols = [], []
            for n in range(1, MAX_PACKED_N + 1):
                at = np.flatnonzero(lengths == n)
                if len(at):
                    text = "".join(self.terms[at].tolist())
                    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).reshape(-1, n)
                    keys.append(pack(codes.astype(np.uint64), n) | char_key_tag(n))
                    cols.append(at)
            self._tables = {
                "chars": KeyTable(
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
            keys = [char_keys(codes, total - n + 1, n) for n in range(lo, min(hi, total) + 1)]
            found = self._char_table().lookup(keys[0] if len(keys) == 1 else np.concatenate(keys))
            cols = found[found >= 0]
            return np.zeros(len(cols), dtype=np.int64), cols
        doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        room = np.cumsum(lengths)[doc_of] - np.arange(total)  # characters left in the document from here on
        keys, owners, inside = [], [], []
        for n in range(lo, min(hi, total) + 1):
            m = total - n + 1
            keys.append(char_keys(codes, m, n))
            owners.append(doc_of[:m])
            inside.append(room[:m] >= n)
        if len(keys) == 1:
            keys_all, owners_all, inside_all = keys[0], owners[0], inside[0]
        else:
            keys_all, owners_all, inside_all = np.concatenate(keys), np.concatenate(owners), np.concatenate(inside)
        found = self._char_table().lookup(keys_all[inside_all])
        hit = found >= 0
        return owners_all[inside_all][hit], found[hit]
