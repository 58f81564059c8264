"""The per-creator report of a batch run: ``creators.csv``, ``creators.md`` and ``creators.png``."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np


def creator_table(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per author: notes, ad/review counts, ad share, mean ad probability, and (from the comment scores, with
    :func:`model.comments.aggregate_creators`) keyword ratio per set and positive share. Most-flagged first.

    Streams the rows: one accumulator per author, never the rows themselves.
    """
    acc: dict[str, dict[str, Any]] = {}

    def tap(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            c = acc.setdefault(row.get("author") or "", {"ad": 0, "review": 0, "errored": 0, "p": 0.0, "scored": 0})
            if row.get("error"):
                c["errored"] += 1
            else:
                c["scored"] += 1
                c["ad"] += row["decision"] == "ad"
                c["review"] += row["decision"] == "review"
                c["p"] += row["ad_probability"] or 0.0
            yield row

    from model.comments import aggregate_creators

    base = {(r["author"] or ""): r for r in aggregate_creators(tap(rows))}
    out = []
    for author, c in acc.items():
        b = base[author]
        out.append(
            {
                "author": author or "(no author)",
                "notes": c["scored"] + c["errored"],
                "scored": c["scored"],
                "errored": c["errored"],
                "ad": c["ad"],
                "review": c["review"],
                "ad_share": round(c["ad"] / c["scored"], 4) if c["scored"] else None,
                "mean_ad_probability": round(c["p"] / c["scored"], 4) if c["scored"] else None,
                "comments": b.get("comments", 0),
                "keyword_ratio": {k: v for k, v in sorted((b.get("keyword_ratio") or {}).items())},
                "positive_share": b.get("positive_share"),
            }
        )
    out.sort(key=lambda r: (-r["ad"], -(r["ad_share"] or 0.0), r["author"]))
    return out


def write_report(rows: Iterable[dict[str, Any]], directory: Path, *, top: int = 20) -> list[Path]:
    """``creators.csv``, ``creators.md`` and ``creators.png`` (the most-flagged creators) in ``directory``."""
    table = creator_table(rows)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sets = sorted({k for r in table for k in r["keyword_ratio"]})
    columns = ["author", "notes", "scored", "errored", "ad", "review", "ad_share", "mean_ad_probability", "comments"]
    columns += [f"keyword_ratio:{s}" for s in sets] + ["positive_share"]

    def flat(r: dict[str, Any]) -> dict[str, Any]:
        d = {k: r[k] for k in columns if k in r}
        d.update({f"keyword_ratio:{s}": r["keyword_ratio"].get(s) for s in sets})
        return d

    csv_path = directory / "creators.csv"
    with open(csv_path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in table:
            w.writerow({k: ("" if v is None else v) for k, v in flat(r).items()})

    def fmt(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:.1%}" if v <= 1 else f"{v:.3f}"
        return str(v).replace("|", "\\|")

    md = [f"# Creators ({len(table)}), most flagged first", ""]
    md.append("| " + " | ".join(columns) + " |")
    md.append("|" + "---|" * len(columns))
    for r in table:
        md.append("| " + " | ".join(fmt(v) for v in flat(r).values()) + " |")
    md_path = directory / "creators.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    png_path = directory / "creators.png"
    _plot_creators(table[:top], png_path)
    return [csv_path, md_path, png_path]


def _plot_creators(table: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    cjk = [f.name for f in font_manager.fontManager.ttflist if any(s in f.name for s in ("CJK", "Hei", "WenQuanYi"))]
    if cjk:
        plt.rcParams["font.sans-serif"] = [cjk[0], *plt.rcParams["font.sans-serif"]]
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.35 * len(table) + 1)))
    names = [r["author"] for r in table][::-1]
    ads = [r["ad"] for r in table][::-1]
    review = [r["review"] for r in table][::-1]
    genuine = [r["scored"] - r["ad"] - r["review"] for r in table][::-1]
    y = np.arange(len(names))
    ax.barh(y, ads, color="#d62728", label="ad")
    ax.barh(y, review, left=ads, color="#ff7f0e", label="review")
    ax.barh(y, genuine, left=np.add(ads, review), color="#9ecae1", label="genuine")
    ax.set_yticks(y, names if cjk else [n.encode("ascii", "replace").decode() if not n.isascii() else n for n in names])
    ax.set_xlabel("notes")
    ax.set_title(f"Most-flagged creators (top {len(table)})")
    ax.legend(loc="lower right")
    fig.tight_layout()
    with warnings_silenced():
        fig.savefig(path, dpi=110)
    plt.close(fig)


@contextlib.contextmanager
def warnings_silenced() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs for CJK names when no CJK font is installed
        yield
