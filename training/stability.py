"""How far the operating threshold moves between refits that should not move it, rule by rule.

    python -m training.stability --config model/default/train.toml -o DIR [--vary folds|drop] [--runs 8]
        [--repeats 1 3 5] [--drop-share 0.01] [--notes FILE]

``notecheck train`` chooses the threshold on one set of out-of-fold (OOF) scores of the training split, and those
scores move whenever the folds or the rows of the *other* corpora change, even when no target note does (a retrain
that changed ~80 rows of other corpora moved the shipped threshold from 0.606 to 0.582). This tool refits as
``notecheck train`` does (:func:`training.fit.featurize` and :class:`training.fit.Featured`, on the same split) for
``--runs`` runs that differ only in

- ``folds``: the seed of the OOF folds (run k deals its R repeats with seeds ``seed + k * max(R)`` onwards), or
- ``drop``: which ``--drop-share`` of the other corpora's training rows is left out (run 0 leaves none out; the
  folds keep the config's seeds, as a retrain does),

and applies each rule of :data:`RULES` to every run: the config's bootstrap rule on one split (the old rule), with
more resamples, and on the OOF scores of R splits pooled (``threshold_repeats``), or averaged (for contrast: the
average of R scores is narrower than one model's, see :mod:`training.threshold`). Per rule it reports the spread of
the threshold over the runs, the FPR it is expected to hold as the model card states it (its own OOF scores), the
FPR and recall on all ``max(R)`` OOF splits of the run (the same yardstick for every rule), how many held-out test
notes of the target source change decision between runs, and the training time (featurizing, R x folds fits, the
final fit, the rule), as a ratio to the old rule's. Writes ``stability.json`` and ``stability.md`` to DIR.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from model.engine import sigmoid
from model.errors import InvalidParameterError
from training.config import TrainConfig, load_config, require_ad_config
from training.data import Example, is_hard_pool
from training.fit import featurize, fit_platt
from training.threshold import choose_threshold, expected_fpr
from training.tool_errors import check_output_dir, user_errors


@dataclass(frozen=True)
class Rule:
    """A threshold rule: the config's bootstrap rule on ``repeats`` OOF splits, pooled or averaged."""

    name: str
    repeats: int = 1
    pooling: str = "pool"  # "pool": every split's scores (threshold_repeats); "mean": each note's average score
    n_boot: int | None = None  # bootstrap resamples (None: the config's threshold_boot)


def rules(repeats: list[int]) -> list[Rule]:
    """The rules compared: the one-split rule first (the reference of the time ratio)."""
    out = [Rule("one split (old rule)"), Rule("one split, 2000 resamples", n_boot=2000)]
    out += [Rule(f"{r} splits pooled", repeats=r) for r in repeats if r > 1]
    out += [Rule(f"{r} splits averaged", repeats=r, pooling="mean") for r in repeats if r > 1][-1:]
    return out


def training_rows(cfg: TrainConfig) -> tuple[list[Example], list[Example]]:
    """(train, held-out test of the target source) exactly as :func:`training.train.run_training` splits them."""
    from training.data import deduplicate, load_all
    from training.folds import split_train_test
    from training.train import check_target_source

    examples, _ = load_all(cfg)
    check_target_source(cfg, examples)
    examples, _, _ = deduplicate(examples, cfg.dedup, cfg.feedback_datasets)
    train_idx, test_idx = split_train_test(examples, test_size=cfg.test_size, seed=cfg.seed)
    test = [examples[i] for i in test_idx]
    return [examples[i] for i in train_idx], [e for e in test if e.role == "train" and e.source == cfg.target_source]


def perturbed(train: list[Example], cfg: TrainConfig, run: int, share: float) -> list[Example]:
    """``train`` without a seeded ``share`` of the other corpora's rows (none for run 0, the shipped rows)."""
    if run == 0 or share <= 0:
        return train
    others = np.flatnonzero([e.source != cfg.target_source for e in train])
    rng = np.random.default_rng([cfg.seed, run])
    drop = set(rng.choice(others, size=round(share * len(others)), replace=False).tolist())
    return [e for i, e in enumerate(train) if i not in drop]


def apply_rule(
    rule: Rule, Z: np.ndarray, y: np.ndarray, hard: np.ndarray, cfg: TrainConfig
) -> tuple[dict[str, float], float, np.ndarray]:
    """(calibration, threshold, the rule's OOF probabilities (repeats x notes)) of ``rule`` on OOF decision
    values ``Z`` (splits x target notes), as :func:`training.fit.fit_ad_model` chooses them."""
    Zr = Z[: rule.repeats]
    if rule.pooling == "mean":
        Zr = Zr.mean(axis=0, keepdims=True)
    calibration = fit_platt(Zr.ravel(), np.tile(y, len(Zr)))
    P = sigmoid(Zr, calibration["a"], calibration["b"])
    c = replace(cfg, threshold_boot=rule.n_boot or cfg.threshold_boot)
    thr = choose_threshold(P if len(P) > 1 else P[0], y, hard, c, cfg.target_fpr)
    return calibration, thr, P


def _figures(y: np.ndarray, hard: np.ndarray, flag_share: np.ndarray) -> dict[str, float]:
    g, a = y == 0, y == 1
    return {
        "fpr_a2": float(flag_share[g & hard].mean()),
        "fpr_all": float(flag_share[g].mean()),
        "recall_a2": float(flag_share[a & hard].mean()),
        "recall_all": float(flag_share[a].mean()),
    }


def measure(
    cfg: TrainConfig,
    *,
    vary: str,
    runs: int,
    repeats: list[int],
    drop_share: float = 0.01,
    notes: list[Any] | None = None,
    progress: Any = lambda _m: None,
) -> dict[str, Any]:
    """Every rule on every run: see the module docstring. ``notes``: extra labelled notes scored per run."""
    train, test = training_rows(cfg)
    rule_list = rules(repeats)
    rmax = max(r.repeats for r in rule_list)
    target_t = cfg.target_source
    records: list[dict[str, Any]] = []
    featured, t_feat, z_test, z_notes, t_final = None, 0.0, None, None, 0.0
    for k in range(runs):
        rows = perturbed(train, cfg, k, drop_share if vary == "drop" else 0.0)
        if featured is None or vary == "drop":  # the folds' seed alone changes no feature
            progress(f"run {k + 1}/{runs}: features of {len(rows)} rows")
            t0 = time.perf_counter()
            featured = featurize(rows, cfg.model)
            t_feat = time.perf_counter() - t0
            t0 = time.perf_counter()
            final = featured.fit_rows(np.arange(len(rows)), seed=cfg.seed, target_source=target_t)
            t_final = time.perf_counter() - t0

            def decide(ns: list[Any], f: Any = featured, fit: Any = final) -> np.ndarray:
                return fit.decision(f.features.transform(f.documents.transform(ns)))

            z_test = decide([e.note for e in test])
            z_notes = decide(notes) if notes else None
        target = np.array([e.source == target_t for e in rows])
        y, hard = featured.y[target], np.array([is_hard_pool(e) for e in rows])[target]
        base = cfg.seed + k * rmax if vary == "folds" else cfg.seed
        Z, t_oof = [], []
        for r in range(rmax):
            progress(f"run {k + 1}/{runs}: out-of-fold split {r + 1}/{rmax}")
            t0 = time.perf_counter()
            Z.append(featured.oof(seed=cfg.seed, fold_seed=base + r, target_source=target_t)[target])
            t_oof.append(time.perf_counter() - t0)
        Z = np.array(Z)
        for rule in rule_list:
            t0 = time.perf_counter()
            cal, thr, P = apply_rule(rule, Z, y, hard, cfg)
            t_rule = time.perf_counter() - t0
            # the same yardstick for every rule: the share of all rmax splits flagging each note
            every = (sigmoid(Z, cal["a"], cal["b"]) >= thr).mean(axis=0)
            stated = expected_fpr(P, y, hard, thr, share=cfg.hard_pool_share, n_boot=1, seed=cfg.seed)
            rec = {
                "run": k,
                "rule": rule.name,
                "threshold": thr,
                "decision_threshold": (np.log(thr / (1 - thr)) - cal["b"]) / cal["a"] if 0 < thr < 1 else None,
                "calibration": cal,
                "stated_fpr_weighted": stated["weighted"]["fpr"],
                "stated_fpr_a2": stated["annotators_2"]["fpr"],
                **_figures(y, hard, every),
                "seconds": t_feat + rule.repeats * float(np.mean(t_oof)) + t_final + t_rule,
                "test_flags": (sigmoid(z_test, cal["a"], cal["b"]) >= thr).tolist(),
            }
            if z_notes is not None:
                flags = sigmoid(z_notes, cal["a"], cal["b"]) >= thr
                labels = np.array([n.label for n in notes])
                rec["notes_flagged"] = {"ads": int(flags[labels == 1].sum()), "genuine": int(flags[labels == 0].sum())}
            records.append(rec)
    test_y = np.array([e.label for e in test])
    return {
        "config": str(cfg.path),
        "vary": vary,
        "runs": runs,
        "drop_share": drop_share if vary == "drop" else 0.0,
        "repeats": repeats,
        "target_fpr": cfg.target_fpr,
        "test_notes": {"n": len(test), "ads": int(test_y.sum())},
        "summary": summarize(records, rule_list, test_y),
        "records": records,
    }


def summarize(records: list[dict[str, Any]], rule_list: list[Rule], test_y: np.ndarray) -> list[dict[str, Any]]:
    """Per rule: spread of the threshold over runs, mean figures, test notes whose decision changes, time ratio."""
    out = []
    ref = float(np.mean([r["seconds"] for r in records if r["rule"] == rule_list[0].name]))
    for rule in rule_list:
        rs = [r for r in records if r["rule"] == rule.name]
        t = np.array([r["threshold"] for r in rs])
        zt = np.array([r["decision_threshold"] for r in rs], dtype=float)
        flags = np.array([r["test_flags"] for r in rs], dtype=bool)
        changing = flags.any(axis=0) & ~flags.all(axis=0)
        row: dict[str, Any] = {
            "rule": rule.name,
            "repeats": rule.repeats,
            "pooling": rule.pooling,
            "threshold": {
                "mean": float(t.mean()),
                "std": float(t.std(ddof=1)) if len(t) > 1 else 0.0,
                "min": float(t.min()),
                "max": float(t.max()),
            },
            "decision_threshold_std": float(np.std(zt, ddof=1)) if len(zt) > 1 else 0.0,
            **{
                k: {"mean": float(np.mean([r[k] for r in rs])), "max": float(np.max([r[k] for r in rs]))}
                for k in ("stated_fpr_weighted", "stated_fpr_a2", "fpr_a2", "fpr_all")
            },
            **{k: float(np.mean([r[k] for r in rs])) for k in ("recall_a2", "recall_all")},
            "test_changing": {"genuine": int(changing[test_y == 0].sum()), "ads": int(changing[test_y == 1].sum())},
            "seconds": float(np.mean([r["seconds"] for r in rs])),
            "time_ratio": float(np.mean([r["seconds"] for r in rs])) / ref if ref else float("nan"),
        }
        if "notes_flagged" in rs[0]:
            row["notes_flagged"] = {
                k: [min(r["notes_flagged"][k] for r in rs), max(r["notes_flagged"][k] for r in rs)]
                for k in ("ads", "genuine")
            }
        out.append(row)
    return out


def markdown(result: dict[str, Any], command: str) -> str:
    vary = (
        f"{result['runs']} runs leaving out {result['drop_share']:.0%} of the other corpora's training rows "
        "(run 0: none), folds at the config's seeds"
        if result["vary"] == "drop"
        else f"{result['runs']} runs, each with its own seeds of the out-of-fold folds"
    )
    tn = result["test_notes"]
    has_notes = "notes_flagged" in result["summary"][0]
    lines = [
        f"# Threshold stability — {Path(result['config']).name}",
        "",
        f"Produced by: `{command}`",
        "",
        f'{vary}. Threshold: mean ± std [min, max] over runs (probability; "z std": its spread as a decision '
        'value, free of the calibration). "stated": the FPR the model card states (the rule\'s own out-of-fold '
        'scores; weighted / `annotators: 2`), mean and worst run; "FPR a: 2", recall: on all the run\'s '
        f'out-of-fold splits, mean over runs. "test notes changing": of the {tn["n"]} held-out test notes '
        f"({tn['ads']} ads), genuine / ads whose decision is not the same in every run. Time: featurizing, the "
        "out-of-fold fits, the final fit and the rule, as a ratio to the first rule's.",
        "",
        "| rule | threshold | z std | stated FPR weighted | stated FPR a: 2 (worst) | FPR a: 2 | recall a: 2 | "
        "recall all | test notes changing | time |" + (" notes flagged ads / genuine |" if has_notes else ""),
        "|---|---|---|---|---|---|---|---|---|---|" + ("---|" if has_notes else ""),
    ]
    for s in result["summary"]:
        t = s["threshold"]
        cells = [
            s["rule"],
            f"{t['mean']:.3f} ± {t['std']:.3f} [{t['min']:.3f}, {t['max']:.3f}]",
            f"{s['decision_threshold_std']:.3f}",
            f"{s['stated_fpr_weighted']['mean']:.2%}",
            f"{s['stated_fpr_a2']['mean']:.2%} ({s['stated_fpr_a2']['max']:.2%})",
            f"{s['fpr_a2']['mean']:.2%}",
            f"{s['recall_a2']:.3f}",
            f"{s['recall_all']:.3f}",
            f"{s['test_changing']['genuine']} / {s['test_changing']['ads']}",
            f"{s['time_ratio']:.2f}x ({s['seconds']:.0f} s)",
        ]
        if has_notes:
            nf = s["notes_flagged"]
            cells.append(f"{nf['ads'][0]}–{nf['ads'][1]} / {nf['genuine'][0]}–{nf['genuine'][1]}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@user_errors
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m training.stability",
        description="How far the operating threshold moves between refits that change only the out-of-fold "
        "folds or a few rows of the other corpora, for the old rule and for rules on several out-of-fold splits.",
    )
    p.add_argument("--config", required=True, help="the training config (its split, model and threshold rule)")
    p.add_argument("-o", "--output", required=True, help="directory for stability.json and stability.md")
    p.add_argument("--vary", choices=("folds", "drop"), default="folds",
                   help="what differs between runs: the folds' seeds or other corpora's rows")  # fmt: skip
    p.add_argument("--runs", type=int, default=8, help="refits compared (>= 2; default 8)")
    p.add_argument("--repeats", type=int, nargs="+", default=[1, 3, 5],
                   help="out-of-fold splits pooled by the rules compared (default: 1 3 5)")  # fmt: skip
    p.add_argument("--drop-share", type=float, default=0.01,
                   help="share of the other corpora's rows left out per run of --vary drop (default 0.01)")  # fmt: skip
    p.add_argument("--notes", help="labelled notes (JSONL/CSV) to count flags on per run, e.g. the disguised probe")
    args = p.parse_args(argv)
    if args.runs < 2:
        raise InvalidParameterError(f"The '--runs' option must be an int >= 2 (a spread needs two). Got {args.runs}.")
    if any(r < 1 or r > 20 for r in args.repeats):
        raise InvalidParameterError(f"The '--repeats' option must be ints in [1, 20]. Got {args.repeats}.")
    if not 0 < args.drop_share < 0.5:
        raise InvalidParameterError(f"The '--drop-share' option must be a float in (0, 0.5). Got {args.drop_share}.")
    out = check_output_dir(args.output)
    cfg = require_ad_config(load_config(args.config))
    notes = None
    if args.notes:
        from model.notes import read_notes

        notes = read_notes(args.notes, require_label=True)[0]
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    result = measure(cfg, vary=args.vary, runs=args.runs, repeats=sorted(set(args.repeats)),
                     drop_share=args.drop_share, notes=notes, progress=say)  # fmt: skip
    command = "python -m training.stability " + " ".join(argv if argv is not None else sys.argv[1:])
    result["command"] = command
    out.mkdir(parents=True, exist_ok=True)
    (out / "stability.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    md = markdown(result, command)
    (out / "stability.md").write_text(md + "\n", encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
