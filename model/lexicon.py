"""Word lists as regular expressions: a lexicon file read (:func:`read_lexicon`), and the alternation that matches
its words fast (:func:`trie_regex`). :mod:`model.cues` builds its brand cues from :data:`BRANDS`."""

from __future__ import annotations

import re
from pathlib import Path

#: Consumer brands and product lines (see model/lexicons/README.md for the source and licence).
BRAND_LEXICON = Path(__file__).parent / "lexicons" / "brands.txt"


def read_lexicon(path: Path) -> tuple[str, ...]:
    """Names of a lexicon file: one per line, ``#`` comments and blank lines ignored, lower-cased, de-duplicated.
    A line starting with ``!`` is no name but a word that holds one (:func:`read_exclusions`)."""
    return tuple(dict.fromkeys(n for n in _entries(path) if not n.startswith("!")))


def read_exclusions(path: Path, names: tuple[str, ...]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The ``!`` lines of a lexicon file: words that hold a name without being it (``!吉利丁``, gelatin, holds
    吉利; ``!北京东`` holds 京东), as ``{name: ((before, after), ...)}``: the name is not matched where
    ``before`` precedes it and ``after`` follows it. Each such word must hold exactly one of ``names`` once, else
    :class:`ValueError` naming the line: an exclusion that excludes nothing would be a silent no-op."""
    out: dict[str, list[tuple[str, str]]] = {}
    for entry in _entries(path):
        if not entry.startswith("!"):
            continue
        word = entry[1:]
        inside = [n for n in names if n in word and word != n]
        if len(inside) != 1 or word.count(inside[0]) != 1:
            raise ValueError(
                f"{path}: exclusion {entry!r} must hold exactly one name of the lexicon once (and be more than it); "
                f"it holds {inside or 'none'}"
            )
        k = word.index(inside[0])
        out.setdefault(inside[0], []).append((word[:k], word[k + len(inside[0]) :]))
    return {n: tuple(v) for n, v in out.items()}


def _entries(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [n.strip().lower() for n in lines if n.strip() and not n.lstrip().startswith("#")]


def trie_regex(
    words: list[str], *, word_start: bool = False, exclude: dict[str, tuple[tuple[str, str], ...]] | None = None
) -> str:
    """An alternation matching exactly ``words`` (longest first at each branch), factored as a prefix trie.

    Every top-level branch starts with a literal character, which lets the regex engine skip to candidate start
    positions in C instead of trying each position (a plain alternation of 400 names cost ~400 us a note; this
    ~10 us). With ``word_start`` a name must not follow a Latin letter: the check sits *after* the first character
    (``v(?<![a-z]v)ivo``) so that the branch still opens with a literal. ``exclude`` (:func:`read_exclusions`)
    refuses a word between a given ``before`` and ``after``, checked where the word ends (``吉利(?!(?<=吉利)丁)``),
    so it costs nothing where no name matches."""
    exclude = exclude or {}
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {"word": w}

    def guard(word: str) -> str:
        return "".join(f"(?!(?<={re.escape(b + word)}){re.escape(a)})" for b, a in exclude.get(word, ()))

    def emit(node: dict, guard_first: bool = False) -> str:
        branches = []
        for ch, child in sorted(node.items()):
            if ch:
                head = re.escape(ch) + (f"(?<![a-z]{re.escape(ch)})" if guard_first else "")
                branches.append(head + emit(child))
        if "" in node:
            end = guard(node[""]["word"])
            if not branches:
                return end
            return "(?:" + "|".join(branches) + (f"|{end})" if end else ")?")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie, guard_first=word_start)


BRANDS: tuple[str, ...] = read_lexicon(BRAND_LEXICON)
#: Words that hold a brand's name without being the brand (吉利丁, 北京东路), by brand.
BRAND_EXCLUSIONS: dict[str, tuple[tuple[str, str], ...]] = read_exclusions(BRAND_LEXICON, BRANDS)
