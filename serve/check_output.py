"""What ``notecheck check`` prints for a person: the note with its highlights, the reasons and the advice.

On a terminal, words pushing towards "ad" are red and words pushing towards "genuine" green (bold when strong);
anywhere else (a pipe, a file, ``NO_COLOR`` set) they are marked 【like this】 for ad and 〔like this〕 for genuine,
so the output stays readable as plain text. A note that itself uses those brackets (Xiaohongshu titles often do:
“【小团出发】”) is marked with the first pair of brackets it does not use, named in the legend.
"""

from __future__ import annotations

import os
from typing import IO, Any, NamedTuple

from serve.terminal import escaped

_RED, _GREEN, _BOLD, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[1m", "\x1b[0m"
_DECISION = {"ad": "可能被判为广告 / reads as an ad", "review": "需要人工复核 / needs review",
             "genuine": "看起来是真实分享 / reads as genuine sharing"}  # fmt: skip


def use_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when the ``NO_COLOR`` convention asks for none."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


#: Bracket pairs for (ad, genuine) highlights in plain text, in order of preference.
MARKERS = (("【", "】", "〔", "〕"), ("«", "»", "‹", "›"), ("[[", "]]", "((", "))"), ("<<<", ">>>", "(((", ")))"))


def markers(*texts: str) -> tuple[str, str, str, str]:
    """The first :data:`MARKERS` whose brackets occur in none of ``texts``, so a mark cannot be mistaken for the
    writer's own brackets (the last one when every pair occurs)."""
    for pair in MARKERS:
        if not any(m in t for m in pair for t in texts):
            return pair
    return MARKERS[-1]


def mark_up(text: str, highlights: list[Any], *, colour: bool, marks: tuple[str, str, str, str] = MARKERS[0]) -> str:
    """``text`` with its highlights (non-overlapping spans of it) marked: ANSI colour or ``marks`` (brackets around
    phrases towards ad, then around phrases towards genuine)."""
    strongest = max((abs(h.weight) for h in highlights), default=0.0)
    out, pos = [], 0
    for h in sorted(highlights, key=lambda h: h.start):
        out.append(_shown(text[pos : h.start]))  # the note may hold controls: shown, never acting on the terminal
        word = _shown(text[h.start : h.end])
        if colour:
            bold = _BOLD if abs(h.weight) >= strongest / 2 else ""
            out.append(f"{bold}{_RED if h.weight > 0 else _GREEN}{word}{_RESET}")
        else:
            out.append(f"{marks[0]}{word}{marks[1]}" if h.weight > 0 else f"{marks[2]}{word}{marks[3]}")
        pos = h.end
    out.append(_shown(text[pos:]))
    return "".join(out)


def _shown(text: str) -> str:
    """Part of a note as printed: controls escaped, a Windows line end (CR LF) a line break like LF."""
    return escaped(text.replace("\r\n", "\n"))


class _Mark(NamedTuple):
    """A span to mark that is no highlight of the model's: the writer's declaration that the note is an ad."""

    start: int
    end: int
    weight: float


def shown_marks(result: Any, field: str) -> list[Any]:
    """The spans of ``field`` to mark: the highlights, and a declaration (``result.declared``) marked as towards ad
    in place of whatever overlaps it (its own highlight among them), as strongly as the strongest: it decided."""
    spans = [h for h in result.highlights if h.field == field]
    d = result.declared
    if d is None or d.field != field:
        return spans
    strongest = max((abs(h.weight) for h in spans), default=1.0)
    return [h for h in spans if h.end <= d.start or d.end <= h.start] + [_Mark(d.start, d.end, strongest)]


def format_check(result: Any, note: dict[str, str], *, colour: bool) -> str:
    """The whole human-readable report of one :class:`model.CheckResult`."""
    lines = [
        f"decision: {result.decision} — {_DECISION[result.decision]}",
        f"ad probability {result.ad_probability:.3f} (ad ≥ {result.threshold:.3f}, review ≥ "
        f"{result.review_threshold:.3f})",
    ]
    d = result.declared
    if d is not None:  # the note's own words (escaped: they may hold controls)
        lines.append(
            f"declared: the note declares itself an ad, “{escaped(d.text)}” ({d.field} {d.start}–{d.end}): decided ad "
            "whatever its probability"
        )
    elif result.decided_by_contact:
        lines.append(
            "contact: the note offers a messenger id (WeChat, QQ or LINE): sent to review whatever its probability"
        )
    lines.append("")
    marks = markers(*(note.get(f) or "" for f in ("title", "text")))
    for field in ("title", "text"):
        if note.get(field):
            # a note of several lines is a block, indented under its field: no line of it passes for the report's
            marked = mark_up(note[field], shown_marks(result, field), colour=colour, marks=marks)
            lines.append(f"{field}: " + marked.replace("\n", "\n" + " " * len(f"{field}: ")))
    if not colour:
        lines.append(f"({marks[0]}…{marks[1]} pushes towards ad, {marks[2]}…{marks[3]} towards genuine)")
    lines.append("")
    lines.append("reasons:" if result.reasons else "reasons: (none)")
    for k, r in enumerate(result.reasons):
        evidence = escaped(r.quoted())  # a word in two cases or widths once, as in score's reasons
        arrow = "→ ad" if r.direction == "ad" else "→ genuine"
        why = " (the declaration: decides)" if k == 0 and d is not None else ""
        lines.append(f"  {r.weight:+.2f} {arrow:<9} {r.label_zh} {r.label_en}: {evidence}{why}")
    if result.advice:
        lines += ["", escaped(result.advice["zh"]), escaped(result.advice["en"])]  # it quotes the note
    return "\n".join(lines)
