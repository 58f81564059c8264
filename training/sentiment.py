"""Training the comment sentiment model: config -> data -> split -> fit -> neutral band -> artifact with report.

    python -m training.sentiment --config model/sentiment/train.toml -o model/sentiment

The config is the ad task's TOML format (:func:`training.config.load_config`: ``[[dataset]]`` tables, ``seed``,
``test_size``, ``dedup``, ``[model]``) with label 1 = positive, 0 = negative, plus a ``[sentiment]`` table:
``neutral_precision`` (the band is chosen on out-of-fold validation predictions so that each polar side reaches
that share of correct labels) or a fixed ``neutral_band = [low, high]``.

The same helpers as the ad model are used: de-duplication, seeded source-and-label-stratified splits with
near-duplicates kept whole, grouped cross-validation folds (:mod:`training.data`), and the TF-IDF features and
logistic regression (:func:`training.fit.build_features`, :func:`training.fit.build_classifier`). Comments go
through :func:`model.comments.sentiment_document` (emoticons to emoji-code tokens, then the ad model's text
preparation), exactly as at inference time.

The ``[sentiment]`` table is read by :mod:`training.sentiment_config`; ``report.md`` and ``model_card.md`` are
written by :mod:`training.sentiment_report`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from model.artifacts import save_pipeline, sha256_file
from model.comments import (
    EMOTICON_VERSION,
    SentimentModel,
    sentiment_document,
    sentiment_metrics,
    sentiment_table,
)
from model.comments.lexicon import LEXICON_FILE, polarity_words
from model.comments.metrics import dev_table, evaluate_dev, read_dev_set  # noqa: F401 (re-exported)
from model.engine import ENGINE_VERSION, sigmoid
from model.errors import InvalidParameterError
from model.notes import Note
from model.pipeline import NoteDocuments
from model.text import NORMALIZATION_VERSION
from training.config import TrainConfig, load_config
from training.data import Example, deduplicate, load_all, source_counts
from training.fit import build_classifier, build_features
from training.folds import FOLDS_VERSION, cv_folds, split_train_test
from training.sentiment_config import sentiment_settings
from training.sentiment_report import write_model_card_md, write_report
from training.tool_errors import check_output_dir, user_errors

ROOT = Path(__file__).resolve().parent.parent


def read_lexicons(specs: list[dict[str, Any]], weight: float) -> tuple[list[Example], dict[str, Any]]:
    """Words of YAML sentiment lexicons (the cntext format: ``Dictionary: {category: [words]}``) as training
    rows. A word listed as both positive and negative (in any lexicon) is left out."""
    import yaml

    pos: set[str] = set()
    neg: set[str] = set()
    info = []
    for spec in specs:
        path = Path(spec["path"])
        if not path.is_file():
            raise InvalidParameterError(f"sentiment lexicon {path} does not exist.")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        dictionary = data.get("Dictionary", {}) if isinstance(data, dict) else {}
        for key in (spec["positive"], spec["negative"]):
            if not isinstance(dictionary.get(key), list):
                raise InvalidParameterError(
                    f"sentiment lexicon {path}: expected a word list under Dictionary.{key}. "
                    f"Got categories {sorted(dictionary)}."
                )
        p = {str(w).strip() for w in dictionary[spec["positive"]] if w is not None and str(w).strip()}
        n = {str(w).strip() for w in dictionary[spec["negative"]] if w is not None and str(w).strip()}
        pos |= p
        neg |= n
        info.append({"path": _rel(path), "sha256": sha256_file(path), "positive": len(p), "negative": len(n)})
    both = pos & neg
    words = [(w, 1) for w in sorted(pos - both)] + [(w, 0) for w in sorted(neg - both)]
    rows = [Example(Note(text=w), y, weight, "lexicon", "lexicon") for w, y in words]
    return rows, {"files": info, "rows": len(rows), "ambiguous_left_out": len(both), "weight": weight}


def comment_lexicon_rows(weight: float) -> tuple[list[Example], dict[str, Any]]:
    """The comment lexicon's words (the cues of :mod:`model.comments.lexicon`) as training rows, each also negated
    with 不 and the opposite label — the labelling guide's rule (不好用 is negative, 没踩雷 positive). Reviews
    teach the plain cues well but the negated ones weakly: few reviews negate a negative word. Words that hold a
    negator already (不推荐) and emoji codes are not negated. No rows when ``weight`` is 0."""
    if weight <= 0:
        return [], {}
    positive, negative, negators = polarity_words()
    rows = []
    for words, label in ((positive, 1), (negative, 0)):
        for word in words:
            rows.append(Example(Note(text=word), label, weight, "comment_lexicon", "comment_lexicon"))
            if not word.startswith("[") and not any(n in word for n in negators):
                rows.append(Example(Note(text="不" + word), 1 - label, weight, "comment_lexicon", "comment_lexicon"))
    info = {"path": _rel(LEXICON_FILE), "sha256": sha256_file(LEXICON_FILE), "rows": len(rows), "weight": weight}
    return rows, info


def choose_neutral_band(p: np.ndarray, y: np.ndarray, precision: float) -> dict[str, Any]:
    """The narrowest band [low, high) around 0.5 such that comments with p >= high are positive and those with
    p < low are negative at least ``precision`` of the time on (out-of-fold) validation predictions.

    ``high`` is the lowest threshold >= 0.5 whose positive side reaches the precision (the most comments labelled
    polar); likewise ``low`` the highest threshold <= 0.5 for the negative side. When a side cannot reach it,
    its edge is 1.0 (no positive labels) or 0.0 (no negative labels), and ``attained`` says so.
    """
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=int)
    # Positive side: thresholds are the distinct p >= 0.5, descending; cumulative precision of {p >= t}.
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    cum_prec = np.cumsum(ys) / np.arange(1, len(ys) + 1)
    ok = (ps >= 0.5) & (cum_prec >= precision)
    # Only the last row of each run of equal p is a valid cut (all ties fall on the same side).
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]
    ok &= last_of_tie
    high = float(ps[np.flatnonzero(ok)[-1]]) if ok.any() else 1.0
    high_ok = bool(ok.any())
    # Negative side: thresholds t <= 0.5 with {p < t}; ascending.
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order]
    cum_prec = np.cumsum(1 - ys) / np.arange(1, len(ys) + 1)
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]
    ok = (ps < 0.5) & (cum_prec >= precision) & last_of_tie
    low = float(np.nextafter(ps[np.flatnonzero(ok)[-1]], np.inf)) if ok.any() else 0.0
    low = min(low, 0.5)
    low_ok = bool(ok.any())
    polar = (p >= high) | (p < low)
    return {
        "low": round(low, 6) if low_ok else 0.0,
        "high": round(high, 6),
        "rule": f"narrowest band with precision >= {precision} on each polar side (out-of-fold validation)",
        "neutral_precision": precision,
        "attained": {"positive": high_ok, "negative": low_ok},
        "validation_neutral_share": round(float(1 - polar.mean()), 4) if len(p) else None,
    }


def model_version(cfg: TrainConfig, data_hashes: list[str]) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(cfg.raw, sort_keys=True, default=str).encode())
    for d in sorted(data_hashes):
        h.update(d.encode())
    h.update(EMOTICON_VERSION.encode())
    # what turns a comment into features (see training.train.model_version)
    h.update(f"normalization {NORMALIZATION_VERSION} engine {ENGINE_VERSION}".encode())
    h.update(f"folds {FOLDS_VERSION}".encode())
    # the comment lexicon marks words in every comment and is part of the training rows
    h.update(sha256_file(LEXICON_FILE).encode())
    return "sentiment-" + h.hexdigest()[:12]


def _log(enabled: bool, message: str) -> None:
    if enabled:
        print(f"[sentiment] {message}", file=sys.stderr, flush=True)


def nb_ratios(X: Any, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios of the columns of ``X`` (Wang & Manning's NBSVM): log of the share of
    positive rows' mass on a feature over the negative rows' share, smoothed by ``alpha``."""
    Xb = X.copy()
    Xb.data = np.ones_like(Xb.data)
    p = alpha + np.asarray(Xb[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(Xb[y == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def _fit_nb(clf: Any, X: Any, y: np.ndarray, w: np.ndarray, nb: bool) -> Any:
    """Fit ``clf``; with ``nb`` on features scaled by their NB ratios, then fold the ratios into ``coef_``, so the
    fitted model is the same plain linear model over ``X`` (the numpy engine needs nothing new)."""
    if not nb:
        return clf.fit(X, y, sample_weight=w)
    r = nb_ratios(X, y)
    clf.fit(X.multiply(r).tocsr(), y, sample_weight=w)
    clf.coef_ = clf.coef_ * r
    return clf


def fit_sentiment(
    train: list[Example],
    cfg: TrainConfig,
    *,
    extra: list[Example] = (),
    progress: bool = False,
    nb_weighting: bool = False,
) -> tuple[Pipeline, np.ndarray, np.ndarray]:
    """Fit features and classifier on ``train`` plus ``extra`` rows (lexicon words: always on the training side
    of every fold, never predicted). Returns ``(pipeline, out-of-fold P(positive) of train, y of train)``.
    ``nb_weighting`` scales features by their Naive-Bayes log-count ratios before the regression (NBSVM)."""
    y = np.array([e.label for e in train])
    if len(set(y.tolist())) < 2:
        raise InvalidParameterError(
            f"Sentiment training data must contain positive and negative texts. Got only label {y[0]}."
        )
    rows = [*train, *extra]
    y_all = np.array([e.label for e in rows])
    w_all = np.array([e.weight for e in rows], dtype=np.float64)
    _log(progress, f"tokenizing and fitting TF-IDF on {len(train)} texts + {len(extra)} lexicon words")
    features = build_features(cfg.model)
    X = features.fit_transform([sentiment_document(e.note.text) for e in rows]).tocsr()
    _log(progress, f"cross-validating ({cfg.model.cv_folds} folds) for the neutral band")
    always = np.arange(len(train), len(rows))
    z = np.zeros(len(train))
    for tr, va in cv_folds(train, n_splits=cfg.model.cv_folds, seed=cfg.seed):
        fit_rows = np.concatenate([tr, always])
        clf = build_classifier(cfg.model, seed=cfg.seed)
        _fit_nb(clf, X[fit_rows], y_all[fit_rows], w_all[fit_rows], nb_weighting)
        z[va] = clf.decision_function(X[va])
    _log(progress, "fitting the final classifier")
    clf = _fit_nb(build_classifier(cfg.model, seed=cfg.seed), X, y_all, w_all, nb_weighting)
    pipeline = Pipeline([("doc", NoteDocuments()), ("features", features), ("clf", clf)])
    return pipeline, sigmoid(z), y


def prepare_splits(cfg: TrainConfig, *, skip_bad_rows: bool = False) -> dict[str, Any]:
    """Load, de-duplicate and split the config's data exactly as training does (benchmarks reuse this)."""
    examples, infos = load_all(cfg, skip_bad_rows=skip_bad_rows, task="sentiment")
    examples, n_dup, n_conflict = deduplicate(examples, cfg.dedup, report=sys.stderr)
    train_idx, test_idx = split_train_test(examples, test_size=cfg.test_size, seed=cfg.seed)
    train = [examples[i] for i in train_idx]
    test = [examples[i] for i in test_idx]
    return {
        "train": train,
        "held_out": [e for e in test if e.role == "train"],
        "eval_only": [e for e in test if e.role == "eval"],
        "infos": infos,
        "duplicates": n_dup,
        "conflicts": n_conflict,
    }


def run_sentiment_training(
    config: str | Path | TrainConfig,
    out_dir: str | Path,
    *,
    skip_bad_rows: bool = False,
    progress: bool = True,
    command: str = "",
) -> dict[str, Any]:
    """Train, evaluate and write the sentiment artifact directory. Returns the metrics written to
    ``metrics.json``."""
    cfg = config if isinstance(config, TrainConfig) else load_config(config)
    settings = sentiment_settings(cfg)
    out = check_output_dir(out_dir)
    t0 = time.perf_counter()
    _log(progress, "loading and splitting data")
    data = prepare_splits(cfg, skip_bad_rows=skip_bad_rows)
    train, held, evals = data["train"], data["held_out"], data["eval_only"]
    lexicon_rows, lexicon_info = read_lexicons(settings["lexicons"], settings["lexicon_weight"])
    cue_rows, cue_info = comment_lexicon_rows(settings["comment_lexicon_weight"])
    pipeline, p_oof, y_tr = fit_sentiment(
        train, cfg, extra=[*lexicon_rows, *cue_rows], progress=progress, nb_weighting=settings["nb_weighting"]
    )
    if "neutral_band" in settings:
        low, high = settings["neutral_band"]
        band = {"low": low, "high": high, "rule": "fixed in the training config"}
    else:
        band = choose_neutral_band(p_oof, y_tr, settings["neutral_precision"])
    model = SentimentModel(pipeline, neutral_band=(band["low"], band["high"]))
    bounds = (band["low"], band["high"])
    validation = sentiment_metrics(y_tr, p_oof, [e.source for e in train], bounds)
    _log(progress, "evaluating on the held-out split")
    metrics: dict[str, Any] = {"validation": validation}

    def evaluate_rows(rows: list[Example]) -> dict[str, Any]:
        p = model.predict_proba([e.note.text for e in rows])
        return sentiment_metrics([e.label for e in rows], p, [e.source for e in rows], bounds)

    metrics["test"] = evaluate_rows(held) if held else None
    metrics["dev"] = {_rel(path): evaluate_dev(model, path) for path in settings["dev"]} or None
    metrics["eval_only"] = evaluate_rows(evals) if evals else None
    data_hashes = [f["sha256"] for info in data["infos"] for f in info.files]
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg.model).items()}
    card = {
        "task": "sentiment",
        "model_version": model_version(cfg, data_hashes),
        "config": _rel(cfg.path),
        "command": command,
        "labels": {"1": "positive", "0": "negative"},
        "neutral_band": band,
        "emoticon_version": EMOTICON_VERSION,
        "tokenizer": pipeline.named_steps["features"].transformer_list[0][1].tokenizer.spec(),
        "params": params,
        "data": [
            {
                "name": i.name,
                "files": [dict(f, path=_rel(f["path"])) for f in i.files],
                "rows": i.rows,
                "used": i.used,
                "skipped": i.skipped,
                "labels": {"positive": i.labels.get("ad", 0), "negative": i.labels.get("genuine", 0)},
                "weight": spec.weight,
                "role": spec.role,
            }
            for i, spec in zip(data["infos"], cfg.datasets, strict=True)
        ],
        "split": {
            "seed": cfg.seed,
            "test_size": cfg.test_size,
            "dedup": cfg.dedup,
            "duplicates": data["duplicates"],
            "conflicts": data["conflicts"],
            "train": len(train),
            "test": len(held),
            "eval_only": len(evals),
            "train_by_source": _by_source(train),
            "test_by_source": _by_source(held),
            "eval_only_by_source": _by_source(evals),
        },
        "lexicons": lexicon_info,
        "comment_lexicon_rows": cue_info or None,
        "metrics": {k: v for k, v in metrics.items() if v is not None},
    }
    _log(progress, "writing artifact and report")
    card = save_pipeline(pipeline, out, card)
    write_model_card_md(out, card)
    (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_report(out, card, metrics)
    _log(progress, f"done in {time.perf_counter() - t0:.1f}s")
    return metrics


def _rel(path: str | Path) -> str:
    """A path relative to the project root (``..`` allowed), so the card does not depend on the working dir.

    Symlinks are deliberately not resolved: ``../shared`` may be a link (a worktree beside the checkout), and the
    card must name the path every checkout sees, not where one machine's link happens to point.
    """
    return Path(os.path.relpath(os.path.abspath(path), ROOT)).as_posix()


def _by_source(rows: list[Example]) -> dict[str, dict[str, int]]:
    return {s: {"positive": d["ad"], "negative": d["genuine"]} for s, d in source_counts(rows).items()}


@user_errors
def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(
        prog="python -m training.sentiment",
        description="Train the comment sentiment model (positive / negative, with a neutral band) from a TOML config "
        "and write the artifact directory with its model card and report.",
    )
    ap.add_argument("--config", type=Path, required=True,
                    help="training config (TOML), [sentiment] table and all: model/sentiment/train.toml")  # fmt: skip
    ap.add_argument("-o", "--output", type=Path, required=True, help="artifact directory to write")
    ap.add_argument("--skip-bad-rows", action="store_true",
                    help="skip rows that fail validation, listed on stderr (default: stop at the first)")  # fmt: skip
    ap.add_argument("--quiet", action="store_true", help="no progress display")
    args = ap.parse_args(argv)
    command = "python -m training.sentiment " + " ".join(shlex.quote(a) for a in argv)
    metrics = run_sentiment_training(
        args.config, args.output, skip_bad_rows=args.skip_bad_rows, progress=not args.quiet, command=command
    )
    print(f"wrote {args.output}")
    if metrics.get("test"):
        print(sentiment_table(metrics["test"]))
    if metrics.get("eval_only"):
        print(sentiment_table(metrics["eval_only"]))
    if metrics.get("dev"):
        print(dev_table(metrics["dev"]))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
