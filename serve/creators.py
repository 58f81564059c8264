"""The creator audit report: ``creators.csv``, ``creators.md`` and ``creators.png`` from one creator table
(:func:`model.comments.creator_table`), so the three always show the same numbers under the same headers.

The chart draws Chinese creator names with an installed CJK font; without one it names them by id with a
legend in ``creators.md`` and says so (:mod:`serve.charts`), instead of empty boxes. Rows are always most flagged
first (:func:`most_flagged_first`), whether the report comes from ``notecheck creators`` or ``score --report``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from model.comments import CREATOR_COLUMNS, creator_table
from model.evaluation import format_value
from serve.charts import chart_names
from serve.outputs import make_dir
from serve.terminal import md_cell


def most_flagged_first(creators: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Creators by flagged (ad) notes, then ad share, descending, then name: the one order of the creator report.
    The flagged count comes from a rounded share (1/11 * 11 is 0.999999...), so it is rounded back to a count
    before it is compared: equal counts are then split by the share, not by float noise."""

    def key(c: Mapping[str, Any]) -> tuple[float, float, bool, str]:
        ad_share = c["ad_share"] or 0.0
        no_author = c["author"] is None  # after the named creators it ties with, not sorted as the name "None"
        return -round(ad_share * c["notes"], 3), -ad_share, no_author, str(c["author"] or "")

    return sorted(creators, key=key)


def markdown_table(table: list[dict[str, Any]], columns: list[str]) -> str:
    """A Markdown table of ``table`` rows, cell by column name (never by position)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in table:
        cells = ["(no author)" if c == "creator" and row.get(c) is None else format_value(row.get(c)) for c in columns]
        lines.append("| " + " | ".join(md_cell(str(x)) for x in cells) + " |")
    return "\n".join(lines)


def creator_columns(table: list[dict[str, Any]]) -> list[str]:
    """The columns of a :func:`~model.comments.creator_table`: :data:`CREATOR_COLUMNS`, then the keyword-set
    columns in the table's (sorted) order. One function for the CSV, ``creators.md`` and ``notecheck comments``,
    so the three never list the sets in different orders."""
    return list(CREATOR_COLUMNS) + [c for c in (table[0] if table else {}) if c not in CREATOR_COLUMNS]


def counted(creators: Iterable[Mapping[str, Any]]) -> str:
    """``12 creators``, and ``and 4 note(s) without an author`` when there are such notes: they are a row of the
    table ("(no author)"; so is a row that could not be read, whose author is unknown), not a creator."""
    creators = list(creators)
    anonymous = sum(c["notes"] for c in creators if c["author"] is None)
    named = sum(c["author"] is not None for c in creators)
    name = "creator" if named == 1 else "creators"
    return f"{named} {name}" + (f" and {anonymous} note(s) without an author" if anonymous else "")


def write_creator_report(
    creators: Iterable[Mapping[str, Any]],
    directory: Path,
    *,
    top: int = 30,
    title: str = "Creators, most flagged first",
) -> tuple[list[Path], str | None]:
    """Write the three files; returns their paths and a note for the user (the chart's font fallback) or None."""
    creators = most_flagged_first(creators)
    table = creator_table(creators)
    columns = creator_columns(table)
    make_dir(directory)
    csv_path = directory / "creators.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for row in table:
            w.writerow({k: ("" if v is None else v) for k, v in row.items()})
    png_path = directory / "creators.png"
    names = _plot(table[:top], png_path)
    md = [
        f"# {title}: {counted(creators)}",
        "",
        "Shares are in [0, 1]. `water ratio` is the share of comments flagged as bought or templated engagement; "
        "the `clean` columns leave those comments out. Keyword ratios are the share of a creator's comments (over "
        "all their notes) hitting a keyword of the set; positive share = positive / (positive + negative) over all "
        "their comments.",
        "",
        markdown_table(table, columns),
        "",
        f"![creators](creators.png) (the first {min(top, len(table))} creators of the table)",
    ]
    if names is not None and names.legend:
        md += ["", f"Chart: {names.note}.", "", "| id | creator |", "|---|---|"]
        md += [f"| {i} | {n} |" for i, n in names.legend]
    md_path = directory / "creators.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    return [csv_path, md_path, png_path], (names.note if names is not None else None)


def _plot(table: list[dict[str, Any]], path: Path) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = chart_names(["(no author)" if r["creator"] is None else str(r["creator"]) for r in table])
    series = [("ad share", "ad share"), ("water ratio", "water ratio"), ("positive share", "positive share"),
              ("positive share clean", "positive share (clean)")]  # fmt: skip
    n = max(1, len(table))
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * n))
    y = np.arange(len(table))
    height = 0.8 / len(series)
    for k, (key, label) in enumerate(series):
        values = [np.nan if r.get(key) is None else float(r[key]) for r in table]
        ax.barh(y + k * height, values, height=height, label=label)
    ax.set_yticks(y + 0.4 - height / 2, names.labels, fontfamily=names.font or "sans-serif")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share")
    ax.set_title("Creators: ad share, water ratio and positive share (raw and clean)")
    ax.legend(loc="lower right", fontsize="small")
    if names.legend:  # the names themselves cannot be drawn: the legend is in creators.md
        fig.text(0.01, 0.01, "C1, C2 ...: creators named by id (no CJK font installed); see creators.md",
                 fontsize="x-small")  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return names
