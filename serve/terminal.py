"""Text from notes, appeals and files made safe to print on a terminal.

A writer's note or statement, or an id in someone's archive, may hold control characters: an escape sequence
(``\\x1b[2J`` clears the moderator's screen, others retitle the window or recolour what follows), a carriage
return that overprints the line, or bidirectional overrides that show text in another order than stored. Printed
raw, such text acts on the reader's terminal instead of being read; here each is shown escaped (``\\x1b``,
``\\u202e``). Line breaks are kept only where a block of text is printed, indented so that a line of the note
cannot pass for a line of the report."""

from __future__ import annotations

import html
import re

# C0 and C1 controls (tab and line feed are handled by the callers' needs) and the bidirectional controls
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def escaped(text: str) -> str:
    """``text`` with its controls escaped (a carriage return too), line breaks and tabs kept as they are."""
    return _UNSAFE.sub(_escape, text)


def one_line(text: str) -> str:
    """``text`` on one line: runs of whitespace (line breaks and tabs too) become one space, controls escaped."""
    return _UNSAFE.sub(_escape, " ".join(text.split()))


def md_cell(text: str) -> str:
    """``text`` as one cell of a Markdown table: on one line (:func:`one_line`), ``|`` escaped so the row keeps its
    columns, and ``&``, ``<``, ``>`` as entities, so an author named ``<b>x</b>`` or ``<img src=…>`` is shown as
    written, never rendered as HTML by a Markdown viewer."""
    return html.escape(one_line(text), quote=False).replace("|", "\\|")


def block(text: str, indent: str) -> str:
    """``text`` with its line breaks kept, each further line starting with ``indent``; tabs kept, controls
    escaped (a carriage return too: it would overprint the line)."""
    lines = _UNSAFE.sub(_escape, text.replace("\r\n", "\n")).split("\n")
    return ("\n" + indent).join(lines)
