"""End-to-end training run: config -> data -> split -> fit -> evaluate -> artifact directory with report."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from model.artifacts import save_model, sha256_file
from model.errors import InvalidParameterError
from model.training_rows import save_training_rows
from training.config import TrainConfig, load_config, require_ad_config
from training.cv import is_hard_pool
from training.data import Example, deduplicate, load_all, source_counts
from training.evaluate import binary_metrics, evaluate, evaluate_examples
from training.feedback import compare_without_feedback
from training.fit import fit_with_config, oof_decision, threshold_at_fpr
from training.folds import cv_folds, split_train_test
from training.provenance import model_version, protocol_key
from training.report import plot_all, remove_stale_plots, write_model_card_md, write_report
from training.threshold import choose_threshold, expected_fpr
from training.tool_errors import check_output_dir

ABLATION_GROUPS: dict[str, tuple[str, ...]] = {
    "− cue placeholders (url, wechat, price, …)": ("⟦cue:",),
    "− whole-hashtag tokens": ("⟦tag:",),
    "− emoji-code tokens": ("⟦emo:",),
    "− @mention tokens": ("⟦mention⟧",),
    "− structure tokens (hashtag count, title)": ("⟦n_tags:", "⟦has:"),
}


class Progress:
    """Step display on stderr (a tqdm bar over the training stages); silent when ``enabled`` is False or stderr is
    not a terminal (as ``score``: a log or pipe would fill with carriage returns)."""

    STEPS = 8

    def __init__(self, enabled: bool = True) -> None:
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=self.STEPS, file=sys.stderr, bar_format="{l_bar}{bar}| {n}/{total} [{elapsed}]")

    def __call__(self, message: str) -> None:
        if self.bar is not None:
            self.bar.set_description_str(message[:48].ljust(48))
            self.bar.update(1) if self.bar.n < self.STEPS else None

    def close(self) -> None:
        if self.bar is not None:
            self.bar.n = self.STEPS
            self.bar.refresh()
            self.bar.close()


def _ablation(
    fit: Any, train: list[Example], cfg: TrainConfig, y: np.ndarray, w: np.ndarray, sources: np.ndarray
) -> list[dict[str, Any]]:
    target = sources == cfg.target_source
    if target.sum() < 20 or len(set(y[target].tolist())) < 2:
        return []
    names = fit.feature_names
    folds = cv_folds(train, n_splits=cfg.model.cv_folds, seed=cfg.seed)

    def score(variant: str, X: Any, weights: np.ndarray) -> dict[str, Any]:
        z = oof_decision(X, y, weights, folds, cfg.model, cfg.seed)
        zt, yt = z[target], y[target]
        thr = threshold_at_fpr(zt[yt == 0], cfg.target_fpr)
        m = binary_metrics(yt, zt, thr)
        return {"variant": variant, **{k: m[k] for k in ("roc_auc", "average_precision", "recall", "f1")}}

    # every row a plain LR (the config's C and class weights) on the same columns: the configured model (NB
    # weighting, stacking, the target-source copy) is not refitted per variant, so the rows compare with each other,
    # and the model's own validation figures are the report's table above
    rows = [score("all features (plain LR)", fit.X, w)]
    word = np.array([n.startswith("word__") for n in names])
    for label, markers in ABLATION_GROUPS.items():
        drop = np.array([any(mk in n for mk in markers) for n in names])
        if drop.any():
            rows.append(score(label, fit.X[:, np.flatnonzero(~drop)], w))
    placeholder = np.array(["⟦" in n for n in names])
    rows.append(score("− word n-grams (markup and cue tokens only)", fit.X[:, np.flatnonzero(~word | placeholder)], w))
    if (~word).any():
        rows.append(score("− char n-grams", fit.X[:, np.flatnonzero(word)], w))
    if (~target).any():
        rows.append(score(f"− other corpora (weight 0 for non-{cfg.target_source})", fit.X, np.where(target, w, 0.0)))
    return rows


def check_target_source(cfg: TrainConfig, examples: list[Example]) -> None:
    """The threshold is chosen on the ``target_source`` notes: a config whose data has none (a typo, or the
    default "xhs" on other data) stops here with what to set, not with a numpy error after fitting."""
    sources = sorted({e.source for e in examples if e.role == "train"})
    if not sources:  # every dataset is role = "eval": "the training notes' sources are ." said nothing
        raise InvalidParameterError(
            f'The training config {cfg.path} has no training notes: every dataset is role = "eval" (or holds no '
            'rows). Give at least one dataset role = "train" (the default).'
        )
    if cfg.target_source not in sources:
        default = "" if "target_source" in cfg.raw else " (the default)"
        raise InvalidParameterError(
            f"The 'target_source' parameter of the training config must name the source of some training notes, "
            f"whose threshold it sets. Got {cfg.target_source!r}{default}; the training notes' sources are "
            f"{', '.join(map(repr, sources))}. Set target_source in {cfg.path}."
        )


def check_groups(cfg: TrainConfig, examples: list[Example]) -> None:
    """Each ``[groups]`` member names a source of the data: a misspelt one left the group's figures computed on the
    other members, or on none, and nothing said so."""
    every = sorted({e.source for e in examples})
    for group, members in cfg.groups.items():
        unknown = [m for m in members if m not in every]
        if unknown:
            raise InvalidParameterError(
                f"The 'groups.{group}' parameter of the training config must name sources of the data. Got "
                f"{', '.join(map(repr, unknown))}; the sources are {', '.join(map(repr, every))}."
            )


def run_training(
    config: str | Path | TrainConfig,
    out_dir: str | Path,
    *,
    skip_bad_rows: bool = False,
    ablation: bool = True,
    progress: bool = True,
    command: str = "",
    target_fpr: float | None = None,
) -> dict[str, Any]:
    """Train, evaluate and write the artifact directory. Returns the metrics written to ``metrics.json``."""
    cfg = require_ad_config(config if isinstance(config, TrainConfig) else load_config(config, target_fpr=target_fpr))
    protocol = _protocol_reports(cfg)  # files the card states, checked before any work
    if cfg.findings is not None and not cfg.findings.is_file():
        raise InvalidParameterError(
            f"The 'findings' parameter of the training config {cfg.path} names {cfg.findings}, which does not exist."
        )
    out = check_output_dir(out_dir)
    # Made now, so that a directory that cannot be made fails before the training, not after it; removed again
    # if the run fails before writing anything into it (a bad row, an interrupt), so no empty directory is left.
    created = [d for d in (out, *out.parents) if not d.exists()]  # innermost first
    out.mkdir(parents=True, exist_ok=True)
    bar = Progress(progress)
    try:
        bar("loading data")
        examples, infos = load_all(cfg, skip_bad_rows=skip_bad_rows)
        check_target_source(cfg, examples)
        check_groups(cfg, examples)
        examples, n_dup, n_conflict = deduplicate(examples, cfg.dedup, cfg.feedback_datasets, report=sys.stderr)
        train_idx, test_idx = split_train_test(examples, test_size=cfg.test_size, seed=cfg.seed)
        train = [examples[i] for i in train_idx]
        test = [examples[i] for i in test_idx]
        fit = fit_with_config(
            train, cfg, progress=bar, choose_threshold=lambda p, y, hard, fpr: choose_threshold(p, y, hard, cfg, fpr)
        )
        model = fit.model
        y_tr = np.array([e.label for e in train])
        w_tr = np.array([e.weight for e in train])
        s_tr = np.array([e.source for e in train], dtype=object)
        validation = evaluate(
            y_tr, fit.oof_probability, s_tr, model.threshold, model.review_threshold, groups=cfg.groups
        )
        bar("evaluating on the test split")
        held = [e for e in test if e.role == "train"]
        evals = [e for e in test if e.role == "eval"]
        p_test, test_metrics = evaluate_examples(model, held, groups=cfg.groups)
        metrics: dict[str, Any] = {
            "target_source": cfg.target_source,
            "target_fpr": cfg.target_fpr,
            "review_fpr": cfg.review_fpr,
            "validation": validation,
            "test": test_metrics,
        }
        feedback = compare_without_feedback(cfg, train, held, test_metrics)  # None without feedback datasets
        if feedback is not None:
            metrics["feedback"] = feedback
        if evals:
            metrics["eval_only"] = evaluate_examples(model, evals)[1]
        bar("feature-group ablation" if ablation else "skipping ablation")
        metrics["ablation"] = _ablation(fit, train, cfg, y_tr, w_tr, s_tr) if ablation else []
        bar("writing artifact and report")
        data_hashes = [f["sha256"] for info in infos for f in info.files]
        params = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg.model).items()}
        card = {
            "model_version": model_version(cfg, data_hashes),
            "config": str(cfg.path),
            "command": command,
            "target_source": cfg.target_source,
            "target_fpr": cfg.target_fpr,
            "review_fpr": cfg.review_fpr,
            "tokenizer": model.pipeline.named_steps["features"].transformer_list[0][1].tokenizer.spec(),
            "params": params,
            "data": [
                {
                    "name": i.name,
                    "files": i.files,
                    "rows": i.rows,
                    "used": i.used,
                    "skipped": i.skipped,
                    "labels": i.labels,
                    "weight": spec.weight,
                    "role": spec.role,
                    "unlabelled": i.unlabelled,
                    **({"credit": spec.credit} if spec.credit else {}),
                }
                for i, spec in zip(infos, cfg.datasets, strict=True)
            ],
            "split": {
                "seed": cfg.seed,
                "test_size": cfg.test_size,
                "dedup": cfg.dedup,
                "duplicates": n_dup,
                "conflicts": n_conflict,
                "train": len(train),
                "test": len(test),
                "train_by_source": source_counts(train),
                "test_by_source": source_counts(test),
            },
            "metrics": {"validation": _summary(validation), "test": _summary(test_metrics)},
        }
        # Hashes of the rows the model was fitted on, so `notecheck evaluate` can warn about overlap: as read, and
        # as their file writes them where reading changed them (a masked corpus evaluated as it is on disk).
        card["training_rows"] = save_training_rows(
            out, ((e.note.title, e.note.text) for e in train), (e.written for e in train if e.written)
        )
        card["threshold_rule"] = {"rule": cfg.threshold_rule, "hard_pool_share": cfg.hard_pool_share}
        if cfg.threshold_rule == "bootstrap":  # the point rule draws no resamples: a card stating them misled
            card["threshold_rule"] |= {"quantile": cfg.threshold_quantile, "bootstrap_resamples": cfg.threshold_boot}
        if cfg.threshold_repeats > 1:  # stated only when used, so cards of one-split configs read as before
            card["threshold_rule"]["out_of_fold_repeats"] = cfg.threshold_repeats
        target = s_tr == cfg.target_source
        hard = np.array([is_hard_pool(e) for e in train])
        oof = fit.oof_probability if fit.oof_probability_repeats is None else fit.oof_probability_repeats
        card["expected_fpr"] = expected_fpr(
            oof[..., target], y_tr[target], hard[target], model.threshold,
            share=cfg.hard_pool_share, seed=cfg.seed,
        )  # fmt: skip
        card.update(protocol)
        model.card = card
        card = save_model(model, out)
        write_model_card_md(out, card)
        legend: list[tuple[str, str]] = []  # ids the source chart gives non-ASCII names without a CJK font
        plots = (
            plot_all(
                np.array([e.label for e in held]),
                p_test,
                np.array([e.source for e in held]),
                model.threshold,
                out,
                "test split",
                legend=legend,
                target=cfg.target_source,
            )
            if held
            else []
        )
        remove_stale_plots(out, plots)
        (out / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        write_report(out, metrics, plots, command, card=card, findings=cfg.findings, chart_legend=legend)
        if held:  # are the highlights of the saved model faithful on its flagged held-out target notes?
            from training.faithfulness import faithfulness_report, flagged, update_reports

            target = flagged(model, [e.note for e in held if e.source == cfg.target_source])
            update_reports(out, faithfulness_report(model, target), command)
    except BaseException:
        for d in created:
            if any(d.iterdir()):
                break
            d.rmdir()
        raise
    finally:
        bar.close()
    return metrics


#: What the model card reads of each report the config names: (card key, config key, writer, top-level keys).
_REPORTS = (
    ("cross_validation", "cv_report", "notecheck train --cv", ("cv", "target_source", "target_fpr", "summary")),
    ("protocol_ablation", "ablation_report", "python -m training.ablation", ("cv", "reference", "rows")),
)


def _fpr_option(cfg: TrainConfig) -> str:
    """`` --target-fpr X`` when the run's target FPR is not its config file's (the command to measure it needs it)."""
    return (
        "" if cfg.raw.get("target_fpr", TrainConfig.target_fpr) == cfg.target_fpr else f" --target-fpr {cfg.target_fpr}"
    )


def _measured_else(cfg: TrainConfig, report: dict[str, Any]) -> str | None:
    """What else than ``cfg`` a cross-validation report measured (None when it measured ``cfg``, its data and this
    code: :func:`training.provenance.protocol_key`)."""
    theirs = (report.get("target_source"), report.get("target_fpr"))
    if theirs != (cfg.target_source, cfg.target_fpr):
        return (
            f"another config: it measured target_source {theirs[0]!r} at target_fpr {theirs[1]!r}, and this config "
            f"has {cfg.target_source!r} at {cfg.target_fpr!r}"
        )
    if "protocol_key" not in report:
        return "a config it does not name (written before reports recorded their protocol_key)"
    if report["protocol_key"] != protocol_key(cfg):
        return "another config, other data or another version of the code (its protocol_key is not this config's)"
    return None


def _protocol_reports(cfg: TrainConfig) -> dict[str, Any]:
    """The cross-validation and ablation figures the config points at, with each file's sha256. Checked before
    any data is read: a missing or foreign file used to be found after the model was fitted, leaving a half-written
    artifact directory (or a KeyError traceback)."""
    out: dict[str, Any] = {}
    for (key, option, writer, needed), path in zip(_REPORTS, (cfg.cv_report, cfg.ablation_report), strict=True):
        if path is None:
            continue
        where = f"The '{option}' parameter of the training config {cfg.path} names {path}"
        if not path.is_file():
            raise InvalidParameterError(f"{where}, which does not exist (write it with {writer}, or drop the key).")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidParameterError(f"{where}, which is not JSON ({exc}).") from None
        missing = [k for k in (*needed, "command") if not isinstance(data, dict) or k not in data]
        rows = data.get("rows") if not missing and key == "protocol_ablation" else []
        rows_ok = isinstance(rows, list) and all(
            isinstance(r, dict) and {"key", "variant", "delta", "summary"} <= set(r) for r in rows
        )
        if missing or not rows_ok:
            raise InvalidParameterError(
                f"{where}, which is not a report of {writer}: "
                + (
                    f"no {', '.join(map(repr, missing))}."
                    if missing
                    else "its rows lack key, variant, delta or summary."
                )
            )
        if key == "cross_validation" and (why := _measured_else(cfg, data)):
            # another config's figures would be stated as this model's: the card says none, and why
            out["cross_validation_omitted"] = f"{path.name} is a report of {why}"
            print(
                f"note: {path} is a report of {why}: the model card states no cross-validation (run notecheck train "
                f"--config {cfg.path}{_fpr_option(cfg)} --cv 5x5 -o DIR to measure this config, and name "
                "DIR/cv_report.json in cv_report).",
                file=sys.stderr,
            )
            continue
        out[key] = {"file": path.name, "sha256": sha256_file(path), **data}
        if key == "protocol_ablation":
            out[key]["rows"] = [
                {
                    **{k: r[k] for k in ("key", "variant", "delta", "summary")},
                    "kept": cfg.ablation_decisions.get(r["key"], ""),
                }
                for r in data["rows"]
            ]
    return out


def _summary(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k != "confusion"} | {
        "per_source": {s: {k: v for k, v in d.items() if k != "confusion"} for s, d in m["per_source"].items()}
    }
