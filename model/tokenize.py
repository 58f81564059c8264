"""Word tokenizer for prepared note documents: jieba, or rjieba (jieba-rs) as a fast compatible backend.

:class:`NoteTokenizer` is a picklable callable (usable as ``TfidfVectorizer(tokenizer=...)``). Each instance
owns a *private* segmenter, built lazily on first use: the global ``jieba`` tokenizer is never touched, so a user
dictionary added to one model cannot leak into another. Placeholder tokens written ``⟦kind:value⟧`` by
:mod:`model.text` are emitted whole and never segmented.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from model.text import COMMENTS_MARKER, PLACEHOLDER_RE
from model.utf8 import read_utf8

BACKENDS = ("rjieba", "jieba")
DEFAULT_BACKEND = "rjieba"


# ASCII punctuation is a word boundary for both backends. jieba keeps runs like "check-in", "0-0" or "t_t" whole
# while jieba-rs splits them; splitting them first makes the two backends agree (see benchmarks/tokenizer_parity.py).
_ASCII_PUNCT_RE = re.compile(r"[!-/:-@\[-`{-~]+")
_PLACEHOLDER_SPLIT_RE = re.compile(f"({PLACEHOLDER_RE.pattern})")


def _is_noise(token: str) -> bool:
    """Whitespace and punctuation-only tokens carry no signal; emoji (category So) and letters do."""
    if token.isalnum():  # fast exit for words: no letter or digit is in a P/Z/C category
        return False
    return all(unicodedata.category(ch)[0] in "PZC" for ch in token)


#: Entries a tokenizer's noise cache may hold before it is emptied. Only tokens that are not alphanumeric are
#: cached (punctuation, spaces, emoji: 762 distinct ones in the 2,390 Xiaohongshu notes), so the bound is a safety net.
_NOISE_CACHE_MAX = 100_000


class _NoiseCache(dict):  # type: ignore[type-arg]
    """Token -> ``_is_noise(token)``, computed on first sight: ``noise[token]`` fills a missing entry.

    Only consulted for tokens that are not alphanumeric (words take the ``str.isalnum`` fast exit), so it stays
    small and hot in the CPU cache; a big dict of every word was slower than the check it saved. One per
    tokenizer, no global state. Emptied when full, which bounds it without bookkeeping. Under the GIL each dict
    operation is atomic, so threads sharing a tokenizer can at worst compute an entry twice.
    """

    __slots__ = ()

    def __missing__(self, token: str) -> bool:
        noise = _is_noise(token)
        if len(self) >= _NOISE_CACHE_MAX:
            self.clear()
        self[token] = noise
        return noise


def read_user_dict(path: str | Path) -> tuple[tuple[str, int | None, str | None], ...]:
    """Read a jieba-format user dictionary (``word [freq] [tag]`` per line) into a tuple of entries."""
    entries = []
    for lineno, raw in enumerate(read_utf8(path, "user dictionary").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if len(parts) >= 2:
            if not parts[1].isdigit():
                raise InvalidParameterError(
                    f"{path}, line {lineno}: the frequency of a user-dictionary entry must be a whole number. "
                    f"Got {parts[1]!r} instead."
                )
            freq = int(parts[1])
        if len(parts) >= 3:
            tag = parts[2]
        entries.append((parts[0], freq, tag))
    return tuple(entries)


def read_stopwords(path: str | Path) -> frozenset[str]:
    """One stop word per line; blank lines and ``#`` comments ignored."""
    lines = read_utf8(path, "stop-word file").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def jieba_dictionary_sha256() -> str:
    """sha256 of jieba's main dictionary, which rjieba embeds too; recorded in model cards."""
    import jieba

    return hashlib.sha256((Path(jieba.__file__).parent / "dict.txt").read_bytes()).hexdigest()


@lru_cache(maxsize=8)
def _segmenter(backend: str, user_words: tuple[tuple[str, int | None, str | None], ...], hmm: bool) -> Any:
    """A segmenter for one configuration, with its user words added before it is returned and never changed
    afterwards. Tokenizers with the same configuration (the ad and the sentiment model both use the plain
    rjieba one) share it instead of each loading the ~0.5 s dictionary; a tokenizer with other user words gets
    its own, so no dictionary change can leak between models (unlike jieba's global ``add_word``)."""
    if backend == "rjieba":
        import rjieba

        engine = rjieba.Jieba()
        for word, freq, tag in user_words:
            engine.add_word(word, freq, tag)
        return lambda s: engine.cut(s, hmm)
    import jieba

    # A private Tokenizer; jieba's import-time logging is silenced for it, not configured globally.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    engine = jieba.Tokenizer()
    engine.initialize()
    for word, freq, tag in user_words:
        engine.add_word(word, freq, tag)
    return lambda s: engine.lcut(s, HMM=hmm)


class NoteTokenizer:
    """Segment a prepared document into words.

    Parameters
    ----------
    backend : {"rjieba", "jieba"}
        ``rjieba`` (jieba-rs) is about 14x faster than jieba and segments the same way on
        prepared documents (parity is measured by ``benchmarks/tokenizer_parity.py``).
    user_words : iterable of (word, freq or None, tag or None)
        Extra dictionary entries, as read by :func:`read_user_dict`. Stored in the model artifact.
    stopwords : iterable of str
        Tokens to drop after segmentation.
    hmm : bool
        Use jieba's HMM for unknown words.
    """

    def __init__(
        self,
        *,
        backend: str = DEFAULT_BACKEND,
        user_words: Iterable[tuple[str, int | None, str | None]] = (),
        stopwords: Iterable[str] = (),
        hmm: bool = True,
    ) -> None:
        if backend not in BACKENDS:
            raise InvalidParameterError(
                f"The 'backend' parameter of NoteTokenizer must be one of {list(BACKENDS)}. Got {backend!r} instead."
            )
        self.backend = backend
        self.user_words = tuple((str(w), f, t) for w, f, t in user_words)
        self.stopwords = tuple(sorted(set(stopwords)))
        self.hmm = bool(hmm)
        self._engine: Any = None
        self._lock = threading.Lock()
        self._stop: frozenset[str] = frozenset(self.stopwords)
        self._noise = _NoiseCache()

    # Picklable and skops-serialisable: only parameters are stored, never the segmenter.
    def __getstate__(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "user_words": [list(e) for e in self.user_words],
            "stopwords": list(self.stopwords),
            "hmm": self.hmm,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            backend=state["backend"],
            user_words=[tuple(e) for e in state["user_words"]],
            stopwords=state["stopwords"],
            hmm=state["hmm"],
        )

    def __repr__(self) -> str:
        return f"NoteTokenizer(backend={self.backend!r}, user_words={len(self.user_words)}, hmm={self.hmm})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoteTokenizer) and self.__getstate__() == other.__getstate__()

    def __hash__(self) -> int:
        return hash((self.backend, self.user_words, self.stopwords, self.hmm))

    def spec(self) -> dict[str, Any]:
        """What decides segmentation: recorded in the model card so serving tokenizes like training."""
        words = "\n".join(f"{w}\t{f}\t{t}" for w, f, t in self.user_words)
        return {
            "backend": self.backend,
            "backend_version": metadata.version(self.backend),
            "dictionary_sha256": jieba_dictionary_sha256(),
            "user_words": len(self.user_words),
            "user_words_sha256": hashlib.sha256(words.encode("utf-8")).hexdigest(),
            "stopwords": len(self.stopwords),
            "hmm": self.hmm,
        }

    def _build(self) -> Any:
        return _segmenter(self.backend, self.user_words, self.hmm)

    def _cut(self) -> Any:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
        return self._engine

    def segment(self, text: str) -> list[str]:
        """Raw segmentation of plain text with the backend (no placeholder handling, no filtering)."""
        return list(self._cut()(text))

    def __call__(self, doc: str) -> list[str]:
        body, marker, comments = doc.partition(COMMENTS_MARKER)
        if not marker:
            return self._tokens(doc)
        tokens = self._tokens(body)
        tokens.append(COMMENTS_MARKER)
        tokens.extend(t if t.startswith("⟦") else "c:" + t for t in self._tokens(comments))
        return tokens

    def _tokens(self, doc: str) -> list[str]:
        cut, noise = self._cut(), self._noise
        out: list[str] = []
        # split() with a capturing group alternates text and placeholder: [text, placeholder, text, ..., text].
        for i, part in enumerate(_PLACEHOLDER_SPLIT_RE.split(doc)):
            if i & 1:
                # A placeholder is kept whole. It is noise only when it has no letter or digit at all (never in a
                # prepared document, whose placeholders start with a letter: the first test decides).
                if part[1].isalnum() or not noise[part]:
                    out.append(part)
            elif part and not part.isspace():  # whitespace alone can only give whitespace tokens, all noise
                if _ASCII_PUNCT_RE.search(part) is not None:  # most segments have none; a search beats a sub
                    part = _ASCII_PUNCT_RE.sub(" ", part)
                # Drop noise: words exit on isalnum (no letter or digit is in a P/Z/C category), the few other
                # tokens (spaces, punctuation, emoji) are looked up.
                out += [t for t in cut(part) if t.isalnum() or not noise[t]]
        stop = self._stop
        return [t for t in out if t not in stop] if stop else out
