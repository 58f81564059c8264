"""Functions the notebooks call: data splits as training sees them, class-balance tables, the threshold
trade-off, the model's strongest terms, misclassified notes with their reasons, per-note and per-creator comment
tables and charts, and a Markdown table renderer. The notebooks hold no logic of their own; everything here is
tested (tests/test_notebook_helpers.py)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.classifier import AdModel, _readable
from model.comments import creator_table as creator_table  # the one creator table, re-exported for notebooks
from model.errors import InvalidParameterError
from training.config import TrainConfig
from training.data import DatasetInfo, Example, deduplicate, load_all, source_counts, split_train_test
from training.fit import threshold_at_fpr

DEFAULT_TARGET_FPRS: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05, 0.10, 0.20)


@dataclass
class DataSplits:
    """The data exactly as :func:`training.train.run_training` splits it (same functions, same seed)."""

    examples: list[Example]  # after de-duplication
    infos: list[DatasetInfo]
    n_duplicates: int
    n_conflicts: int
    train: list[Example]
    test: list[Example]  # held-out rows of training datasets (role "train")
    eval_only: list[Example]  # rows of evaluation-only datasets (role "eval")


def load_splits(config: TrainConfig, *, skip_bad_rows: bool = False) -> DataSplits:
    """Load, de-duplicate and split the configured data the way training does."""
    examples, infos = load_all(config, skip_bad_rows=skip_bad_rows)
    examples, n_dup, n_conflict = deduplicate(examples, config.dedup)
    train_idx, test_idx = split_train_test(examples, test_size=config.test_size, seed=config.seed)
    test = [examples[i] for i in test_idx]
    splits = DataSplits(
        examples=examples,
        infos=infos,
        n_duplicates=n_dup,
        n_conflicts=n_conflict,
        train=[examples[i] for i in train_idx],
        test=[e for e in test if e.role == "train"],
        eval_only=[e for e in test if e.role == "eval"],
    )
    return splits


def check_split_matches_card(splits: DataSplits, card: Mapping[str, Any]) -> None:
    """Raise if a model card's recorded split differs from ``splits`` (so the notebook never evaluates a model
    on rows it was trained on)."""
    split = card.get("split", {})
    expected = {"train": len(splits.train), "test": len(splits.test) + len(splits.eval_only)}
    got = {k: split.get(k) for k in expected}
    if got != expected:
        raise InvalidParameterError(
            f"The 'split' of the model card must match the data split recomputed from the config "
            f"({expected}). Got {got} instead: the model was trained on other data or with another config."
        )


def dataset_summary(infos: Iterable[DatasetInfo]) -> list[dict[str, Any]]:
    """One row per configured dataset: files, rows read, rows used, rows skipped (with the first reason)."""
    return [
        {
            "dataset": i.name,
            "files": [Path(f["path"]).name for f in i.files],
            "rows": i.rows,
            "used": i.used,
            "skipped": len(i.skipped),
            "first skipped": i.skipped[0] if i.skipped else None,
            "labels": ", ".join(f"{k} {v}" for k, v in sorted(i.labels.items())),
        }
        for i in infos
    ]


@dataclass
class Scored:
    """Labels, calibrated probabilities and sources of scored examples, aligned."""

    y: np.ndarray
    p: np.ndarray
    sources: np.ndarray


def score_examples(model: AdModel, examples: Sequence[Example]) -> Scored:
    """Calibrated ad probabilities of ``examples`` with their labels and sources."""
    p = model.predict_proba([e.note for e in examples]) if examples else np.zeros(0)
    return Scored(
        y=np.array([e.label for e in examples], dtype=int),
        p=np.asarray(p, dtype=np.float64),
        sources=np.array([e.source for e in examples], dtype=object),
    )


REPORT_PLOTS: tuple[str, ...] = (
    "roc.png",
    "precision_recall.png",
    "reliability.png",
    "confusion_matrix.png",
    "fpr_by_source.png",
)


def report_plots(out_dir: str | Path) -> list[Path]:
    """The evaluation plots a training run wrote to ``out_dir``, in reading order (missing ones skipped: the
    curves need both classes in the test split)."""
    out = Path(out_dir)
    if not out.is_dir():
        raise InvalidParameterError(f"The 'out_dir' parameter must be a training output directory. Got {str(out)!r}.")
    return [out / name for name in REPORT_PLOTS if (out / name).is_file()]


def class_balance(examples: Iterable[Example]) -> list[dict[str, Any]]:
    """One row per (dataset, source) in order of appearance, plus a total: rows, ads, genuine, ad share."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for e in examples:
        r = rows.setdefault(
            (e.dataset, e.source),
            {"dataset": e.dataset, "source": e.source, "role": e.role, "weight": e.weight, "n": 0, "ad": 0},
        )
        r["n"] += 1
        r["ad"] += int(e.label == 1)
    out = list(rows.values())
    total = {"dataset": "all", "source": "", "role": "", "weight": None, "n": 0, "ad": 0}
    for r in out:
        total["n"] += r["n"]
        total["ad"] += r["ad"]
    for r in [*out, total]:
        r["genuine"] = r["n"] - r["ad"]
        r["ad_share"] = r["ad"] / r["n"] if r["n"] else None
    return [*out, total]


def split_balance(splits: DataSplits) -> list[dict[str, Any]]:
    """Ads and genuine notes per source on each side of the split."""
    sides = {
        "train": source_counts(splits.train),
        "test": source_counts(splits.test),
        "eval_only": source_counts(splits.eval_only),
    }
    sources = sorted({s for counts in sides.values() for s in counts})
    rows = []
    for s in sources:
        row: dict[str, Any] = {"source": s}
        for side, counts in sides.items():
            c = counts.get(s, {"ad": 0, "genuine": 0})
            row[f"{side}_ad"] = c["ad"]
            row[f"{side}_genuine"] = c["genuine"]
        rows.append(row)
    return rows


def _arrays(y: Sequence[int], p: Sequence[float], sources: Sequence[str]) -> tuple[np.ndarray, ...]:
    y_arr = np.asarray(y, dtype=int)
    p_arr = np.asarray(p, dtype=np.float64)
    s_arr = np.asarray(sources, dtype=object)
    if not len(y_arr) == len(p_arr) == len(s_arr):
        raise InvalidParameterError(
            f"'y', 'p' and 'sources' must have the same length. Got {len(y_arr)}, {len(p_arr)} and {len(s_arr)}."
        )
    return y_arr, p_arr, s_arr


def _rates(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    flagged = p >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    n_ad, n_gen = int(np.sum(y == 1)), int(np.sum(y == 0))
    return {
        "recall": tp / n_ad if n_ad else None,
        "false_positive_rate": fp / n_gen if n_gen else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "flagged": tp + fp,
    }


def threshold_tradeoff(
    y: Sequence[int],
    p: Sequence[float],
    sources: Sequence[str],
    *,
    target_source: str,
    target_fprs: Sequence[float] = DEFAULT_TARGET_FPRS,
    chosen_threshold: float | None = None,
) -> list[dict[str, Any]]:
    """For each target false-positive rate, the threshold reaching it on genuine notes of ``target_source``
    and what that threshold gives: recall, precision and FPR on the target source, FPR on all genuine notes.

    The thresholds are read off the data given (e.g. the test split), so the table shows the trade-off; the
    model's own threshold (``chosen_threshold``, chosen on validation data) is added as a row of its own."""
    y_arr, p_arr, s_arr = _arrays(y, p, sources)
    target = s_arr == target_source
    if not np.any(target & (y_arr == 0)):
        found = sorted({str(s) for s in s_arr[y_arr == 0]})
        raise InvalidParameterError(
            f"The 'target_source' must have genuine notes in the data. Got {target_source!r}; sources with "
            f"genuine notes: {found}."
        )
    for f in target_fprs:
        if not 0 < f < 1:
            raise InvalidParameterError(f"Each of 'target_fprs' must be a float in (0, 1). Got {f!r}.")
    rows: list[tuple[str, float | None, float]] = [
        (f"at {f:.1%} FPR", f, threshold_at_fpr(p_arr[target & (y_arr == 0)], f)) for f in sorted(target_fprs)
    ]
    if chosen_threshold is not None:
        rows.append(("model threshold", None, float(chosen_threshold)))
        rows.sort(key=lambda r: -r[2])
    out = []
    for name, fpr, thr in rows:
        on_target = _rates(y_arr[target], p_arr[target], thr)
        overall = _rates(y_arr, p_arr, thr)
        out.append(
            {
                "operating point": name,
                "target_fpr": fpr,
                "threshold": thr,
                f"recall ({target_source})": on_target["recall"],
                f"precision ({target_source})": on_target["precision"],
                f"FPR ({target_source})": on_target["false_positive_rate"],
                "FPR (all genuine)": overall["false_positive_rate"],
                "flagged": overall["flagged"],
            }
        )
    return out


def plot_threshold_tradeoff(
    y: Sequence[int],
    p: Sequence[float],
    sources: Sequence[str],
    *,
    target_source: str,
    chosen_threshold: float,
    target_fprs: Sequence[float] = DEFAULT_TARGET_FPRS,
) -> Any:
    """Recall on ads of ``target_source`` against the false-positive rate on its genuine notes (the ROC curve,
    log x axis; a zero rate is drawn at half of one note), with the target FPRs of :func:`threshold_tradeoff`
    marked and the model's threshold as a star. Returns a matplotlib Figure."""
    from matplotlib.figure import Figure
    from sklearn.metrics import roc_curve

    y_arr, p_arr, s_arr = _arrays(y, p, sources)
    rows = threshold_tradeoff(
        y_arr, p_arr, s_arr, target_source=target_source, target_fprs=target_fprs, chosen_threshold=chosen_threshold
    )
    target = s_arr == target_source
    if not np.any(target & (y_arr == 1)):
        raise InvalidParameterError(
            f"The 'target_source' must have ads in the data to draw recall. Got {target_source!r} with none."
        )
    fpr, tpr, _ = roc_curve(y_arr[target], p_arr[target])
    floor = 0.5 / int(np.sum(target & (y_arr == 0)))
    fig = Figure(figsize=(6.5, 4))
    ax = fig.add_subplot()
    ax.step(np.maximum(fpr, floor), tpr, where="post", label=f"recall on {target_source} ads")
    points: dict[tuple[float, float], list[str]] = {}
    for r in rows:
        x = max(r[f"FPR ({target_source})"] or 0.0, floor)
        yv = r[f"recall ({target_source})"]
        if r["target_fpr"] is None:
            ax.plot([x], [yv], "r*", ms=14, label=f"model threshold {r['threshold']:.3f}")
        else:
            points.setdefault((x, yv), []).append(f"{r['target_fpr']:.1%}")
    for (x, yv), names in points.items():
        ax.plot([x], [yv], "ko", ms=5)
        ax.annotate(", ".join(names), (x, yv), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xscale("log")
    ax.set(
        xlabel=f"false-positive rate on genuine {target_source} notes (log)",
        ylabel="recall",
        ylim=(-0.02, 1.05),
        title="Threshold trade-off (dots: thresholds at target FPRs)",
    )
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def top_terms(model: AdModel, *, n: int = 15) -> dict[str, list[dict[str, Any]]]:
    """The ``n`` features with the largest positive ("ad") and negative ("genuine") coefficients, with their
    readable names."""
    if n < 1:
        raise InvalidParameterError(f"The 'n' parameter of top_terms must be an int >= 1. Got {n!r} instead.")
    coef = np.asarray(model.pipeline[-1].coef_[0], dtype=np.float64)
    names = model.feature_names()
    order = np.argsort(-coef, kind="stable")

    def rows(idx: Iterable[int]) -> list[dict[str, Any]]:
        out = []
        for i in idx:
            label, kind = _readable(str(names[i]))
            out.append({"feature": str(names[i]), "label": label, "kind": kind, "coefficient": float(coef[i])})
        return out

    return {
        "ad": rows(i for i in order[:n] if coef[i] > 0),
        "genuine": rows(i for i in order[::-1][:n] if coef[i] < 0),
    }


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def misclassified(
    model: AdModel,
    examples: Sequence[Example],
    probabilities: Sequence[float],
    *,
    n: int = 3,
    top: int = 4,
    text_chars: int = 140,
) -> list[dict[str, Any]]:
    """Up to ``n`` false positives (genuine notes decided "ad", most confident first) and ``n`` false negatives
    (ads below the threshold, lowest probability first), each with the reasons the model gives."""
    p = np.asarray(probabilities, dtype=np.float64)
    if len(p) != len(examples):
        raise InvalidParameterError(
            f"'probabilities' must have one value per example ({len(examples)}). Got {len(p)} instead."
        )
    y = np.array([e.label for e in examples], dtype=int)
    flagged = p >= model.threshold
    fps = np.flatnonzero(flagged & (y == 0))
    fns = np.flatnonzero(~flagged & (y == 1))
    picks = [("false positive", i) for i in fps[np.argsort(-p[fps], kind="stable")][:n]]
    picks += [("false negative", i) for i in fns[np.argsort(p[fns], kind="stable")][:n]]
    out = []
    for kind, i in picks:
        e = examples[i]
        ex = model.explain(e.note, top=top)
        out.append(
            {
                "error": kind,
                "id": e.note.id,
                "source": e.source,
                "label": "ad" if e.label else "genuine",
                "probability": float(p[i]),
                "decision": model.decide(float(p[i])),
                "text": _short(f"{e.note.title} | {e.note.text}" if e.note.title else e.note.text, text_chars),
                "towards ad": [f"{r.label} ({r.contribution:+.2f})" for r in ex.towards_ad],
                "towards genuine": [f"{r.label} ({r.contribution:+.2f})" for r in ex.towards_genuine],
            }
        )
    return out


def rank_creators(
    rows: Sequence[Mapping[str, Any]],
    *,
    value: str,
    creator_key: str = "author",
    top: int | None = None,
    positive_only: bool = False,
) -> list[dict[str, Any]]:
    """Creators (or any rows named by ``creator_key``) ranked by ``value``, highest first, ties by name, each
    with its 1-based ``rank``; rows whose value is None come last, unranked (``rank`` None), so no creator
    disappears from the table. ``positive_only`` keeps only rows with a value > 0 (e.g. notes that mention a
    brand at all)."""
    if top is not None and top < 1:
        raise InvalidParameterError(f"The 'top' parameter must be an int >= 1 or None. Got {top!r} instead.")
    for i, r in enumerate(rows):
        if creator_key not in r or value not in r:
            raise InvalidParameterError(
                f"rows[{i}] must have the keys {creator_key!r} and {value!r}. Got keys {sorted(r)} instead."
            )
    valued = sorted((r for r in rows if r[value] is not None), key=lambda r: (-float(r[value]), str(r[creator_key])))
    ranked = [{"rank": k, **r} for k, r in enumerate(valued, start=1)]
    unvalued = [{"rank": None, **r} for r in rows if r[value] is None]
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
    names are shown by rank only (look them up in the ranking table). Returns a matplotlib Figure."""
    from matplotlib.figure import Figure

    ranked = [r for r in rank_creators(rows, value=value, creator_key=creator_key, top=top) if r["rank"] is not None]
    n_valued = sum(1 for r in rows if r[value] is not None)
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


def cjk_font() -> str | None:
    """The name of an installed font with CJK glyphs (for Chinese names in charts), or None."""
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "PingFang SC")
    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in wanted if name in available), None)


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


def _cell(value: Any, digits: int) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
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
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r[c], digits) for c in columns) + " |" for r in rows]
    return "\n".join(lines)
