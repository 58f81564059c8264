"""Text spaced out character by character, read as the words it spells.

"加 微 信 领 券", "原/价/1/9/9", "好~好~吃", "私🌟信🌟下🌟单" and "加\\n微\\n信" are written so that no word,
cue or n-gram of a filter matches them: each character alone is innocent. A reader sees the words at once, and so
should the model.
:func:`despace` deletes the separators of every run of four or more single characters (letters, digits or
ideographs) set off by one and the same separator; the character runs of a note written normally are words of
two or more characters between spaces, which no run matches.

What is left alone, and why:

- ``、`` and ``,`` separate the items of a list ("红、黄、蓝、绿"), ``:`` times; neither is a separator here. ``.``
  is (加.微.信.号): decimal points and dates hold digits, which the rule below leaves alone.
- A run of digits with fewer than two letters or ideographs ("1 3 8 6 7 2 1 0 4 5 9", "5/5/5/5", and the
  "1 3 8 … 8 v" of "1 3 8 … 8 v:abc", whose "v" starts the next word): the contact cues read spaced-out phone
  numbers with the separators they allow (:mod:`model.cue_patterns`), and a list of scores stays a list.
- Three characters or fewer ("周 末 好"): too short to tell from a writer's pauses.
"""

from __future__ import annotations

import re

#: One character of a spaced-out word: a letter, digit or ideograph (``\w`` without "_").
_CHAR = r"[^\W_]"
#: Separators: whitespace (collapsed to one space by then), slash, bar, hyphen, star, underscore, tilde, middle dot,
#: plus sign and full stop, or one symbol or emoji (misc symbols and dingbats ❤ ☆ ✨, ⭐, the emoji planes 🌟 💕)
#: with its emoji presentation selector when it has one (❤️ is U+2764 U+FE0F).
_SYMBOLS = r"\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff"
_SEP = rf"(?:[ /|\-*_~·+.]|[{_SYMBOLS}]\ufe0f?)"
_SPACED_RUN_RE = re.compile(rf"(?<!{_CHAR}){_CHAR}(?P<sep>{_SEP}){_CHAR}(?:(?P=sep){_CHAR}){{2,}}(?!{_CHAR})")
#: What every run holds: three separators around two single characters. Opening with the separators, the search
#: skips to them in C (~1 µs a note against ~5 µs for the run pattern, which tries every letter), and nearly every
#: note has none.
_ANY_SEP = rf"[ /|\-*_~·+.{_SYMBOLS}]\ufe0f?"  # a class, not an alternation: the fast scan needs one
_MAY_HOLD_RUN_RE = re.compile(rf"{_ANY_SEP}{_CHAR}{_ANY_SEP}{_CHAR}{_ANY_SEP}")


def _runs(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, separator)`` of each run :func:`despace` joins, in order."""
    return [
        (m.start(), m.end(), m.group("sep"))
        for m in _SPACED_RUN_RE.finditer(text)
        # its characters: every (1 + separator length)th of the run
        if sum(not ch.isdigit() for ch in m.group()[:: 1 + len(m.group("sep"))]) >= 2
    ]


def despace(text: str) -> str:
    """``text`` with the separators of every spaced-out run deleted (see the module's docstring). Pure; a text
    with no such run comes back as it is, after one regex search (``_MAY_HOLD_RUN_RE``)."""
    kept = despace_kept(text)
    return text if kept is None else "".join([text[i] for i in kept])


def despace_kept(text: str) -> list[int] | None:
    """The positions in ``text`` of the characters :func:`despace` keeps, in order; None when it keeps them all
    (so that a caller mapping positions can skip the work)."""
    if _MAY_HOLD_RUN_RE.search(text) is None:
        return None
    runs = _runs(text)
    if not runs:
        return None
    kept: list[int] = []
    pos = 0
    for start, end, sep in runs:
        kept.extend(range(pos, start))
        # The run alternates character and separator: a character every 1 + len(sep) positions.
        kept.extend(range(start, end, 1 + len(sep)))
        pos = end
    kept.extend(range(pos, len(text)))
    return kept
