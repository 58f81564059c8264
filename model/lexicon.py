"""Word lists as regular expressions: a lexicon file read (:func:`read_lexicon`), and the alternation that matches
its words fast (:func:`trie_regex`). :mod:`model.cues` builds its brand cues from :data:`BRANDS`."""

from __future__ import annotations

import re
from pathlib import Path

#: Consumer brands and product lines (see model/lexicons/README.md for the source and licence).
BRAND_LEXICON = Path(__file__).parent / "lexicons" / "brands.txt"


def read_lexicon(path: Path) -> tuple[str, ...]:
    """Names of a lexicon file: one per line, ``#`` comments and blank lines ignored, lower-cased, de-duplicated."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(dict.fromkeys(n.strip().lower() for n in lines if n.strip() and not n.lstrip().startswith("#")))


def trie_regex(words: list[str], *, word_start: bool = False) -> str:
    """An alternation matching exactly ``words`` (longest first at each branch), factored as a prefix trie.

    Every top-level branch starts with a literal character, which lets the regex engine skip to candidate start
    positions in C instead of trying each position (a plain alternation of 400 names cost ~400 us a note; this
    ~10 us). With ``word_start`` a name must not follow a Latin letter: the check sits *after* the first character
    (``v(?<![a-z]v)ivo``) so that the branch still opens with a literal."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict, guard: bool = False) -> str:
        branches = []
        for ch, child in sorted(node.items()):
            if ch:
                head = re.escape(ch) + (f"(?<![a-z]{re.escape(ch)})" if guard else "")
                branches.append(head + emit(child))
        if "" in node:
            return "(?:" + "|".join(branches) + ")?" if branches else ""
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie, guard=word_start)


BRANDS: tuple[str, ...] = read_lexicon(BRAND_LEXICON)
