"""Text spaced out character by character, read as the words it spells.

"加 微 信 领 券", "原/价/1/9/9", "好~好~吃", "私🌟信🌟下🌟单", "加 ❤️ 微 ❤️ 信", "加❤️ 微❤️ 信" and "加\\n微\\n信" are
written so that no word, cue or n-gram of a filter matches them: each character alone is innocent. A reader sees
the words at once, and so should the model.
:func:`despace` deletes the separators of every run of single characters (letters, digits or ideographs) set off by
one and the same separator: a plain one (space, ``/ | - * _ ~ · + .``, or one symbol or emoji), or a symbol one with
a space on each side (" ❤️ ", " / ", " · ") or on one side only, the same side on every gap ("❤️ ", " ❤️", "/ "). The
character runs of a note written normally are words of two or more characters between spaces, which no run
matches. Which runs:

- Four characters or more. The last one may have more characters glued to it ("加 微 信 领 券哦", "私 信 下 单啦"):
  the run stops after it, so the writer's particle stays behind the word it follows. Not when that last character
  is a Latin letter or a digit: then it starts a word or a number of its own ("福 利 double", "2026 年 1 月 24 日"),
  and the run ends before it.
- Three characters, when the word they spell holds a cue word (:mod:`model.cue_patterns`: "加 微 信 ：abc123",
  "私 信 我", "加 / 微 / 信"), and the first is glued to nothing before it, the last to nothing after it or only to
  sentence-final particles (:data:`PARTICLES`: "私 信 我哦", "加 微 信吧"). Three characters in general are too short
  to tell from a writer's pauses ("周 末 好", "差 差 差", "我 想 怒"): joined whatever they spell, they would change
  116 of the 89,800 notes of the labelled ad and sentiment files instead of 53 (of those, 2 for the cue words), the
  extra ones reviews, posts and casino SMS, and a date ("2026 年 1 月" read "2026 年1月"). Nor, for any cue word, when
  the last is glued to more than particles (the next rule takes the narrower case): that starts a word of its own
  as often as not ("比 淘 宝还差", a review comparing shops;
  "官 网 可查"): glued to anything but a Latin letter or digit, as four may be, they would change 3 notes more, that
  review among them.
  The brand lexicon and product model names do not count: a writer spaces out a contact or a call to action to get
  it past a filter, not the brand the note is there to show.
- Three characters that open with a contact detail or a call to action ("私信我", "加微信", "预约电"), their last
  glued to more ("私 信 我领取", "预 约 电话"; not a Latin letter or digit, as for four) or their two gaps set off
  by different separators ("加 微/信 吧"). Opening the word it spells, the cue is what the writer spaced out; a shop
  or other cue word inside it is as often the start of a word of the writer's own ("比 淘 宝还差"). In the labelled
  ad and sentiment files this joins one note, an SMS ad's "预 约 电话". Three that fail this are passed over by one
  character only, as if they had not matched, so a run starting inside them is read as before ("2004-6-1 I S B N",
  "元 /2 电 2 充").

The rules are tried in that order at each position, as a regex search does: a longer run first, and a run that
fails a rule below is passed over whole (the search resumes after it), but for the last rule's.

What is left alone, and why:

- ``、`` and ``,`` separate the items of a list ("红、黄、蓝、绿"), ``:`` times; neither is a separator here. ``.``
  is (加.微.信.号): decimal points and dates hold digits, which the rule below leaves alone.
- A run of digits with fewer than two letters or ideographs ("1 3 8 6 7 2 1 0 4 5 9", "5/5/5/5", and the
  "1 3 8 … 8 v" of "1 3 8 … 8 v:abc", whose "v" starts the next word): the contact cues read spaced-out phone
  numbers with the separators they allow (:mod:`model.cue_patterns`), and a list of scores stays a list.
- Words between emoji ("今天 ❤️ 好开心 ❤️ 出去玩"): words of two or more characters, no run.
"""

from __future__ import annotations

import re

from model.cue_patterns import DEFS, LEXICON_KINDS

#: One character of a spaced-out word: a letter, digit or ideograph (``\w`` without "_").
_CHAR = r"[^\W_]"
#: Separators: whitespace (collapsed to one space by then), slash, bar, hyphen, star, underscore, tilde, middle dot,
#: plus sign and full stop, or one symbol or emoji (misc symbols and dingbats ❤ ☆ ✨, ⭐, the emoji planes 🌟 💕)
#: with its emoji presentation selector when it has one (❤️ is U+2764 U+FE0F); or one of those but the space with a
#: space on each side (" ❤️ ", " / ") or on one side (" ❤️", "❤️ "). After a character at most one of these is
#: followed by another character, so the order of the branches decides nothing.
_SYMBOLS = r"\u2600-\u27bf\u2b00-\u2bff\U0001f300-\U0001faff"
_MARK = rf"(?:[/|\-*_~·+.]|[{_SYMBOLS}]\ufe0f?)"
_SEP = rf"(?: {_MARK} ?|{_MARK} |[ /|\-*_~·+.]|[{_SYMBOLS}]\ufe0f?)"
#: Sentence-final particles: what may be glued to the last of three characters ("私 信 我哦", "加 微 信吧").
PARTICLES = "哦噢喔啊呀吧啦嘛呢哈哇嗷呐耶咯哟唷嘞呗"
#: A last character that may have more glued to it: not a Latin letter or a digit.
_GLUE_OK = r"(?<![a-zA-Z\d])"
_SPACED_RUN_RE = re.compile(
    # Four or more; the last one strict, or glued to more characters when it is no Latin letter or digit.
    rf"(?<!{_CHAR}){_CHAR}(?P<sep>{_SEP}){_CHAR}(?:(?P=sep){_CHAR}){{2,}}(?:(?!{_CHAR})|{_GLUE_OK})"
    # Else three, the last strict or glued to particles only (kept only when they spell a cue word, see _runs); or
    # glued to more when it is no Latin letter or digit, or with two different separators (``glued`` or ``mixed``
    # matched: kept only when they open with a contact or call to action, see _runs).
    rf"|(?<!{_CHAR}){_CHAR}(?P<sep3>{_SEP}){_CHAR}(?:(?P=sep3)|(?P<mixed>{_SEP})){_CHAR}"
    rf"(?:(?=[{PARTICLES}]*(?!{_CHAR}))|{_GLUE_OK}(?P<glued>))"
)
#: What every run holds: two separators around a single character (" 微 ", "/微/", "🌟微🌟"; a symbol separator
#: with its spaces holds " 微 " too). Opening with the separators, the search skips to them in C (nearly every note
#: has none in that shape).
_ANY_SEP = rf"[ /|\-*_~·+.{_SYMBOLS}]\ufe0f?"  # a class, not an alternation: the fast scan needs one
_MAY_HOLD_RUN_RE = re.compile(rf"{_ANY_SEP}{_CHAR}{_ANY_SEP}")
#: The cue kinds a three-character run must spell one of to be joined: every kind but the brand lexicon's and
#: product model names.
_CUE_WORD_PATTERNS = tuple(c.pattern for c in DEFS if c.name not in LEXICON_KINDS and c.name != "product_model")


#: The kinds three characters must open with when their last is glued to more than particles or their two
#: separators differ: contact details and calls to action, the words a writer spaces out to get past a filter.
_OPENING_CUE_PATTERNS = tuple(c.pattern for c in DEFS if c.replace or c.name == "call_to_action")


def spells_cue_word(word: str) -> bool:
    """Whether ``word`` (the characters of a three-character run, joined) holds a cue word."""
    return any(p.search(word) is not None for p in _CUE_WORD_PATTERNS)


def opens_with_contact_or_call(word: str) -> bool:
    """Whether ``word`` (three characters, joined) starts with a contact detail or a call to action ("私信我",
    "加微信", "预约电"); not "比淘宝", whose shop word neither opens it nor is one of those kinds."""
    return any(p.match(word) is not None for p in _OPENING_CUE_PATTERNS)


def _runs(text: str) -> list[tuple[int, range | tuple[int, int, int]]]:
    """``(end, positions of its characters)`` of each run :func:`despace` joins, in order."""
    runs: list[tuple[int, range | tuple[int, int, int]]] = []
    pos = 0
    while (m := _SPACED_RUN_RE.search(text, pos)) is not None:
        sep = m.group("sep") or m.group("sep3")
        start, end = m.start(), m.end()
        pos = end
        # The run alternates character and separator: a character every 1 + len(sep) positions, but for the last
        # of three after a second separator of its own.
        kept = range(start, end, 1 + len(sep)) if m.group("sep") else (start, start + 1 + len(sep), end - 1)
        chars = "".join(text[i] for i in kept)
        if m.group("mixed") is not None or m.group("glued") is not None:
            if sum(not ch.isdigit() for ch in chars) < 2 or not opens_with_contact_or_call(chars):
                # Passed over by one character only: the search goes on as if these three had not matched, so a
                # run starting inside them is read as before ("2004-6-1 I S B N", "元 /2 电 2 充").
                pos = start + 1
                continue
        elif sum(not ch.isdigit() for ch in chars) < 2 or (len(chars) == 3 and not spells_cue_word(chars)):
            continue
        runs.append((end, kept))
    return runs


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
    for end, chars in runs:
        kept.extend(range(pos, chars[0]))
        kept.extend(chars)
        pos = end
    kept.extend(range(pos, len(text)))
    return kept
