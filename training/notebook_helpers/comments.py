"""Comment scores per note and per creator, for notebook 02 ("Comments and creators"): the archive scored as
``notecheck comments`` scores it, the per-note table, keyword counts, the creator table's inputs, creator rankings
and the bar charts of them."""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from model.comments import aggregate_creators
from model.errors import InvalidParameterError
from serve.charts import cjk_font


def _no_value(v: Any) -> bool:
    """None, or NaN (a missing number as pandas and numpy write it): a row without a value, ranked last."""
    return v is None or (isinstance(v, (float, np.floating)) and math.isnan(v))


def rank_creators(
    rows: Sequence[Mapping[str, Any]],
    *,
    value: str,
    creator_key: str = "author",
    top: int | None = None,
    positive_only: bool = False,
) -> list[dict[str, Any]]:
    """Creators (or any rows named by ``creator_key``) ranked by ``value``, highest first, ties by name, each
    with its 1-based ``rank``; rows whose value is None or NaN (a gap, as pandas reads an empty cell) come last,
    unranked (``rank`` None), so no creator disappears from the table. ``positive_only`` keeps only rows with a
    value > 0 (e.g. notes that mention a brand at all)."""
    if top is not None and top < 1:
        raise InvalidParameterError(f"The 'top' parameter must be an int >= 1 or None. Got {top!r} instead.")
    for i, r in enumerate(rows):
        if creator_key not in r or value not in r:
            raise InvalidParameterError(
                f"rows[{i}] must have the keys {creator_key!r} and {value!r}. Got keys {sorted(r)} instead."
            )
        v = r[value]
        if not _no_value(v) and (isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating))):
            raise InvalidParameterError(
                f"rows[{i}][{value!r}] must be a number, None or NaN. Got {type(v).__name__} {v!r:.60}."
            )
    valued = sorted((r for r in rows if not _no_value(r[value])), key=lambda r: (-float(r[value]), str(r[creator_key])))
    ranked = [{"rank": k, **r} for k, r in enumerate(valued, start=1)]
    unvalued = [{"rank": None, **r} for r in rows if _no_value(r[value])]
    out = [r for r in ranked if r[value] > 0] if positive_only else ranked + unvalued
    return out if top is None else out[:top]


def plot_creator_shares(
    rows: Sequence[Mapping[str, Any]],
    *,
    value: str,
    label: str,
    creator_key: str = "author",
    count_key: str | None = None,
    top: int = 15,
    color: str = "tab:blue",
) -> Any:
    """Horizontal bar chart of the ``top`` creators ranked by ``value`` (a share in [0, 1]), labelled with
    their rank (see :func:`rank_creators`) and name. Without a font that has CJK glyphs installed, non-ASCII
    names are shown by rank only (look them up in the ranking table); the font is the one the CLI's charts use
    (:func:`serve.charts.cjk_font`). Returns a matplotlib Figure."""
    from matplotlib.figure import Figure

    ranked = [r for r in rank_creators(rows, value=value, creator_key=creator_key, top=top) if r["rank"] is not None]
    n_valued = sum(1 for r in rows if not _no_value(r[value]))
    font = cjk_font()
    names = []
    for r in ranked:
        name = str(r[creator_key])
        tick = f"#{r['rank']} {name}" if font or name.isascii() else f"#{r['rank']}"
        names.append(f"{tick} (n={r[count_key]})" if count_key else tick)
    values = [float(r[value]) for r in ranked]
    fig = Figure(figsize=(6.5, 0.35 * max(len(ranked), 1) + 1.4))
    ax = fig.add_subplot()
    ax.barh(names[::-1], values[::-1], color=color)
    for yi, v in enumerate(values[::-1]):
        ax.text(v, yi, f" {v:.0%}", va="center", fontsize=8)
    ax.set_xlim(0, 1.12)
    title = f"Creators by {label}" + (f" (top {len(ranked)} of {n_valued})" if n_valued > len(ranked) else "")
    if len(rows) > n_valued:
        title += f"; {len(rows) - n_valued} without a value"
    ax.set(xlabel=label, title=title)
    if font:
        for text in [*ax.get_yticklabels(), ax.title]:
            text.set_fontfamily(font)
    fig.tight_layout()
    return fig


def _report_dict(report: Any, i: int) -> Mapping[str, Any]:
    d = report.to_dict() if hasattr(report, "to_dict") else report
    if not isinstance(d, Mapping) or "n_comments" not in d or "label_counts" not in d:
        raise InvalidParameterError(
            f"reports[{i}] must be a CommentReport or its to_dict(). Got {type(report).__name__} instead."
        )
    return d


def _aligned(name: str, values: Sequence[Any] | None, n: int) -> Sequence[Any]:
    if values is None:
        return [None] * n
    if len(values) != n:
        raise InvalidParameterError(f"'{name}' must have one value per note ({n}). Got {len(values)} instead.")
    return values


def note_comment_table(
    notes: Sequence[Any],
    reports: Sequence[Any],
    *,
    decisions: Sequence[str | None] | None = None,
    probabilities: Sequence[float | None] | None = None,
) -> list[dict[str, Any]]:
    """One row per note: its ad decision and probability, number of comments, the share of comments hitting each
    keyword set (``kw: <set>``), sentiment counts, the positive and negative ratios (of all comments) and the
    positive share among polar comments. ``reports`` are :class:`model.comments.CommentReport` (or their dicts),
    aligned with ``notes``."""
    n = len(notes)
    reports = _aligned("reports", reports, n)
    decisions = _aligned("decisions", decisions, n)
    probabilities = _aligned("probabilities", probabilities, n)
    rows = []
    for i, (note, report) in enumerate(zip(notes, reports, strict=True)):
        d = _report_dict(report, i)
        k = int(d["n_comments"])
        labels = d["label_counts"]
        row: dict[str, Any] = {
            "id": getattr(note, "id", None),
            "author": getattr(note, "author", None),
            "decision": decisions[i],
            "ad_probability": None if probabilities[i] is None else float(probabilities[i]),
            "comments": k,
        }
        row.update({f"kw: {s}": r for s, r in d.get("keyword_ratio", {}).items()})
        row.update({lab: int(labels.get(lab, 0)) for lab in ("positive", "neutral", "negative")})
        row["positive_ratio"] = labels.get("positive", 0) / k if k else None
        row["negative_ratio"] = labels.get("negative", 0) / k if k else None
        row["positive_share"] = d.get("positive_share")
        rows.append(row)
    return rows


def creator_inputs(
    notes: Sequence[Any], reports: Sequence[Any], decisions: Sequence[str | None] | None = None
) -> list[dict[str, Any]]:
    """The rows :func:`model.comments.aggregate_creators` takes: author, ad decision and comment report per note."""
    n = len(notes)
    reports = _aligned("reports", reports, n)
    decisions = _aligned("decisions", decisions, n)
    return [
        {"author": getattr(note, "author", None), "decision": decisions[i], "comment_report": _report_dict(r, i)}
        for i, (note, r) in enumerate(zip(notes, reports, strict=True))
    ]


def keyword_counts(reports: Sequence[Any]) -> list[dict[str, Any]]:
    """How many comments contain each keyword, over all notes: rows (set, keyword, comments, notes), most
    frequent first."""
    counts: dict[tuple[str, str], list[int]] = {}
    for i, report in enumerate(reports):
        for set_name, hits in _report_dict(report, i).get("keyword_hits", {}).items():
            for word, c in hits.items():
                agg = counts.setdefault((set_name, word), [0, 0])
                agg[0] += int(c)
                agg[1] += 1
    rows = [{"set": s, "keyword": w, "comments": c, "notes": k} for (s, w), (c, k) in counts.items()]
    return sorted(rows, key=lambda r: (-r["comments"], r["set"], r["keyword"]))


class CommentRun(NamedTuple):
    """An archive scored as ``notecheck comments`` scores it: the notes read (a note may have comments and no
    text), their comment reports (dicts, as ``--json`` gives them), ad decisions and probabilities (None for a note
    of comments alone), the creators (failed rows counted as rows with errors), the failed rows' errors, and the
    comment scorer and ad model used."""

    notes: list[Any]
    reports: list[dict[str, Any]]
    decisions: list[str | None]
    probabilities: list[float | None]
    creators: list[dict[str, Any]]
    errors: list[str]
    scorer: Any
    ad_model: Any


def score_archive(
    notes_path: str | Path,
    keywords_path: str | Path | None = None,
    *,
    sentiment_dir: str | Path | None = None,
    ad_model_dir: str | Path | None = None,
) -> CommentRun:
    """Score ``notes_path`` (a file, directory or glob) with the command's own functions, so the notebook's numbers
    are those of ``notecheck comments NOTES --keywords FILE``: the same rows read (a note of comments alone
    included), the keyword file's exclude phrases and negation modes kept, failed rows counted per creator."""
    from model import load_model
    from serve.batch.plan import expand_inputs
    from serve.cmd_comments import build_scorer, read_rows, score_rows

    options = argparse.Namespace(
        keywords=None if keywords_path is None else Path(keywords_path),
        model=None if sentiment_dir is None else Path(sentiment_dir),
        allow_version_mismatch=False,
    )
    scorer = build_scorer(options)
    ad_model = load_model(ad_model_dir)
    rows, notes = read_rows(expand_inputs([Path(notes_path)]))
    rows = score_rows(scorer, rows, notes, ad_model)
    good = [i for i, note in enumerate(notes) if note is not None]
    return CommentRun(
        notes=[notes[i] for i in good],
        reports=[rows[i] for i in good],
        decisions=[rows[i]["decision"] for i in good],
        probabilities=[rows[i]["ad_probability"] for i in good],
        creators=aggregate_creators(rows),
        errors=[r["error"] for r in rows if "error" in r],
        scorer=scorer,
        ad_model=ad_model,
    )
