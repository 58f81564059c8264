"""Markdown tables of rows (dicts), how both notebooks display their results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from model.errors import InvalidParameterError


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):  # np.float32 is not a float: it printed all its digits
        return f"{value:.{digits}f}" if np.isfinite(value) else "–"
    if isinstance(value, (list, tuple)):
        return "<br>".join(_cell(v, digits) for v in value) or "–"
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *, digits: int = 3) -> str:
    """Render rows (dicts) as a Markdown table; ``columns`` picks and orders the keys (default: first row's)."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    if not columns:
        return "(no rows)"
    for i, r in enumerate(rows):
        unknown = [c for c in columns if c not in r]
        if unknown:
            raise InvalidParameterError(f"rows[{i}] must have the columns {list(columns)}. Got no {unknown}.")
    # column names are escaped as cells are: a "|" in one split the header into one column too many
    lines = ["| " + " | ".join(_cell(str(c), digits) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r[c], digits) for c in columns) + " |" for r in rows]
    return "\n".join(lines)
