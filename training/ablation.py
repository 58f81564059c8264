"""Ablation under the cross-validation protocol: variants of one config that share its features, each scored on
the same folds, with paired differences against the first variant (the reference).

    python -m training.ablation --config model/default/train.toml -o DIR --cv 3x5 [--variants NAME ...]

A variant overrides model parameters (``C``, ``nb_weight``, ``model_kind``, ...), feature parameters (character
n-gram range, ``min_df``, ``max_features``, ...: the vectorizers are refitted for it), the sample weight of whole
datasets, drops feature columns whose name contains a marker (e.g. one cue kind's placeholder), or trains on the
target source alone.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from model.errors import InvalidParameterError
from training.config import ModelParams, load_config, require_ad_config
from training.cv import CVRun, is_hard_pool, load_protocol_data, parse_cv, run_protocol, set_metrics, summarize
from training.dropping import keep_columns, marker_columns
from training.models import fit_linear, needs_cue_part, part_slices
from training.probes import probe_columns
from training.threshold import threshold_rule
from training.tool_errors import check_output_dir, user_errors

NEW_CUES = (
    "brand_campaign_tag",
    "brand_mention",
    "brand_mention_latin",
    "product_model",
    "brand_account",
    "shop_funnel",
    "brand_repeated",
)


@dataclass(frozen=True)
class Variant:
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    drop: tuple[str, ...] = ()  # placeholder markers whose columns are dropped (as [model] drop_features does)
    target_only: bool = False  # train on the target source's rows alone
    hard_weight: float | None = None  # sample weight of annotators: 2 rows (default: the config's)
    weights: dict[str, float] = field(default_factory=dict)  # dataset name -> sample weight (0 = left out)
    weight_factors: dict[str, float] = field(default_factory=dict)  # dataset name -> times the config's weight
    probes: tuple[str, ...] = ()  # extra feature columns (training.probes): measured, never shipped
    probe_scale: float = 1.0  # multiplier of the probe columns (< 1 regularises them more)


#: Model parameters that change the feature matrix (a variant setting one of these refits the vectorizers).
FEATURE_PARAMS = ("backend", "word_ngram_max", "min_df", "max_df", "max_features", "char_ngrams", "sublinear_tf",
                  "binary", "use_comments", "user_dict", "stopwords", "char_placeholders")  # fmt: skip


VARIANTS: dict[str, Variant] = {
    "config": Variant("the config as written"),
    "no_new_cues": Variant("− new brand/shop cue kinds", drop=tuple(f"⟦cue:{c}⟧" for c in NEW_CUES)),
    **{f"no_{c}": Variant(f"− ⟦cue:{c}⟧", drop=(f"⟦cue:{c}⟧",)) for c in NEW_CUES},
    # Only Xiaohongshu rows have titles: the marker, its character n-grams and the title-start n-grams learn
    # "from the XHS pool" (mostly genuine) rather than anything about a note, and lower every titled note's score.
    "no_title": Variant("− ⟦has:title⟧ (its words, characters and title-start n-grams)", drop=("⟦has:title⟧",)),
    **{
        f"dshare{x:g}": Variant(f"a marker's columns are those it makes {x:.0%} of", params={"drop_share": float(x)})
        for x in (0.02, 0.05, 0.2, 0.5)
    },
    # Within Xiaohongshu the title marker is constant: what it learnt was the domain's offset, which a training-only
    # target-source column (folded into the intercept) can carry instead of Xiaohongshu-typical words.
    # Only the other corpora's ads come without hashtags: ⟦n_tags:0⟧ can learn "WeChat or SMS ad copy" rather than
    # anything about a note, so that one appended hashtag lowers such an ad's score.
    "no_n_tags": Variant(
        "− ⟦n_tags:…⟧ (the hashtag-count markers and their characters)",
        drop=("⟦n_tags:0⟧", "⟦n_tags:2⟧", "⟦n_tags:5⟧", "⟦n_tags:5+⟧"),
    ),
    # Character n-grams of the note's text only: the placeholders' spelling is shared by every marker of a kind.
    "char_plain": Variant("character n-grams without placeholder tokens", params={"char_placeholders": "none"}),
    "char_cues": Variant("character n-grams without markup placeholders", params={"char_placeholders": "cues"}),
    "char_all": Variant("character n-grams with every placeholder token", params={"char_placeholders": "all"}),
    "no_n_tags0": Variant("− ⟦n_tags:0⟧ (its words and characters)", drop=("⟦n_tags:0⟧",)),
    "keep_title": Variant("the ⟦has:title⟧ columns kept (no [model] drop_features)", params={"drop_features": ()}),
    "domain": Variant("a target-source intercept (training only)", params={"domain_intercept": True}),
    # Feature augmentation (Daumé III 2007): each column gets a Xiaohongshu-only copy beside the shared one, so the
    # other corpora pull on the shared weights only and the Xiaohongshu notes can depart from them.
    **{
        f"daug{x:g}": Variant(f"a target-source copy of every feature, scaled {x:g}", params={"domain_features": x})
        for x in (0.25, 0.5, 1.0, 2.0, 3.0, 4.0)
    },
    # The copy for some feature parts only: the placeholder tokens ("cue") and the characters that spell them ("char")
    # carry each corpus's markup, which a Xiaohongshu copy learns and, folded in, applies to WeChat and SMS copy.
    **{
        f"daug{x:g}_{'_'.join(parts)}": Variant(
            f"a target-source copy of the {' and '.join(parts)} features, scaled {x:g}",
            params={"domain_features": x, "domain_parts": parts},
        )
        for x in (1.0, 2.0)
        for parts in (("word",), ("char",), ("word", "char"), ("word", "cue"), ("char", "cue"))
    },
    # The out-of-domain corpora weighted k times the config's weights: with the target copy they no longer pull the
    # Xiaohongshu weights, only the shared ones.
    **{
        f"w_out{k:g}": Variant(
            f"whu_ad, sms_promo and reviews rows weighted {k:g} times",
            weight_factors={"whu_ad": k, "sms_promo": k, "reviews": k},
        )
        for k in (2, 5)
    },
    **{
        f"w_all{k:g}": Variant(
            f"every other corpus weighted {k:g} times",
            weight_factors={d: k for d in ("whu_ad", "sms_promo", "reviews", "whu_news", "weibo")},
        )
        for k in (2, 3, 5)
    },
    "target_only": Variant("− other corpora (Xiaohongshu rows only)", target_only=True),
    "lr": Variant("plain LR", params={"model_kind": "lr", "nb_weight": False}),
    "nb": Variant("NB-weighted LR", params={"model_kind": "lr", "nb_weight": True}),
    "stack": Variant("stacked word/char LRs", params={"model_kind": "stack", "nb_weight": False}),
    "stack_cue": Variant(
        "stacked word/char/cue LRs", params={"model_kind": "stack", "nb_weight": False, "cue_part": True}
    ),
    "stack_nb_cue": Variant(
        "stacked NB-weighted word/char/cue LRs", params={"model_kind": "stack", "nb_weight": True, "cue_part": True}
    ),
    **{f"C{c:g}": Variant(f"C = {c:g}", params={"C": float(c)}) for c in (1, 3, 10, 30)},
    **{f"hardw{w:g}": Variant(f"annotators: 2 rows weighted {w:g}", hard_weight=float(w)) for w in (1, 2, 3, 5)},
    **{f"adw{w:g}": Variant(f"ad class weight {w:g}", params={"class_weight": float(w)}) for w in (1, 2, 4, 8)},
    **{
        f"char{a}{b}": Variant(f"character {a}-{b}-grams", params={"char_ngrams": (a, b)})
        for a, b in ((1, 2), (1, 4), (2, 4), (2, 3))
    },
    "word1": Variant("word unigrams only", params={"word_ngram_max": 1}),
    "word3": Variant("word 1-3-grams", params={"word_ngram_max": 3}),
    **{f"min_df{d}": Variant(f"min_df = {d}", params={"min_df": d}) for d in (1, 3, 5)},
    **{
        f"maxf{n // 1000}k": Variant(f"max_features = {n} per vectorizer", params={"max_features": n})
        for n in (20_000, 30_000, 120_000, 300_000)
    },
    **{f"cue{x:g}": Variant(f"cue/markup columns scaled {x:g}", params={"cue_scale": float(x)}) for x in (2, 3, 5)},
    **{
        f"charx{x:g}": Variant(f"char n-gram columns scaled {x:g}", params={"char_scale": float(x)})
        for x in (0.5, 0.7, 1.5)
    },
    "p_title": Variant("probe: title character 1-3-grams apart", probes=("title_char",)),
    "p_tail": Variant("probe: character 1-3-grams of the text's last 40 characters apart", probes=("tail_char",)),
    "p_tail03": Variant("probe: the text's last 40 characters, scaled 0.3", probes=("tail_char",), probe_scale=0.3),
    "p_structure": Variant("probe: note structure (brands, tag share, brand+price+CTA, person)", probes=("structure",)),
    "p_tone": Variant("probe: tone (negative sentences, drawback against hype words)", probes=("tone",)),
    "p_tone_sent": Variant("probe: negative sentences only", probes=("tone_sentences",)),
    "p_tone_words": Variant("probe: drawback and hype words only", probes=("tone_words",)),
    "p_tone03": Variant("probe: tone, columns scaled 0.3", probes=("tone",), probe_scale=0.3),
    "p_structure03": Variant("probe: note structure, columns scaled 0.3", probes=("structure",), probe_scale=0.3),
    "p_title03": Variant("probe: title character 1-3-grams apart, scaled 0.3", probes=("title_char",), probe_scale=0.3),
    "w_mix": Variant("reviews rows weighted 1 and whu_ad rows 0.2", weights={"reviews": 1.0, "whu_ad": 0.2}),
    "max_df05": Variant("max_df = 0.5", params={"max_df": 0.5}),
    "linear_tf": Variant("raw (not sublinear) tf", params={"sublinear_tf": False}),
    "binary_tf": Variant("tf as presence (binary)", params={"binary": True}),
    "sublinear_tf": Variant("sublinear tf (1 + log tf)", params={"binary": False, "sublinear_tf": True}),
    **{
        f"w_{d}{x:g}": Variant(f"{d} rows weighted {x:g}", weights={d: float(x)})
        for d, xs in (
            ("whu_ad", (0, 0.02, 0.05, 0.1, 0.2, 0.5, 1)),
            ("whu_news", (0, 0.1, 0.3, 1)),
            ("sms_promo", (0, 0.05, 0.1, 0.2, 0.5, 1)),
            ("weibo", (0, 0.3, 3)),
            ("reviews", (0, 0.1, 0.6, 1, 1.5)),
        )
        for x in xs
    },
}


def variant(key: str) -> Variant:
    """The variant ``key`` of :data:`VARIANTS`, or several joined by ``+`` (e.g. ``no_title+w_whu_ad0.2``): their
    parameters, dropped markers, probes and dataset weights together."""
    parts = key.split("+")
    unknown = [k for k in parts if k not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown ablation variant(s) {unknown} in {key!r}; known: {', '.join(sorted(VARIANTS))}")
    if len(parts) == 1:
        return VARIANTS[key]
    vs = [VARIANTS[k] for k in parts]
    scales = {v.probe_scale for v in vs if v.probes}
    hard = {v.hard_weight for v in vs if v.hard_weight is not None}
    if len(scales) > 1 or len(hard) > 1:
        raise ValueError(f"variant {key!r}: its parts set different probe scales or annotators: 2 weights")
    return Variant(
        " and ".join(v.name for v in vs),
        params={k: x for v in vs for k, x in v.params.items()},
        drop=tuple(dict.fromkeys(m for v in vs for m in v.drop)),
        target_only=any(v.target_only for v in vs),
        hard_weight=next(iter(hard), None),
        weights={k: x for v in vs for k, x in v.weights.items()},
        weight_factors={k: x for v in vs for k, x in v.weight_factors.items()},
        probes=tuple(dict.fromkeys(p for v in vs for p in v.probes)),
        probe_scale=next(iter(scales), 1.0),
    )


def row_weights(
    v: Variant, key: str, cfg: Any, w: np.ndarray, dataset: np.ndarray, hard_rows: np.ndarray
) -> np.ndarray:
    """The sample weights of the rows under variant ``v`` (``key`` names it in errors): the config's weights ``w``
    with the ``annotators: 2`` weight, the datasets' absolute weights and their factors of the config's weight set
    by the variant (``dataset`` names each row's dataset)."""
    wv = w if v.hard_weight is None else np.where(hard_rows, w / cfg.hard_pool_weight * v.hard_weight, w)
    for name, x in [*v.weights.items(), *((n, None) for n in v.weight_factors)]:
        spec = next((d for d in cfg.datasets if d.name == name), None)
        if spec is None or spec.weight <= 0:
            raise ValueError(f"variant {key}: the config has no dataset {name!r} with a weight > 0")
        factor = v.weight_factors[name] if x is None else x / spec.weight
        wv = np.where(dataset == name, wv * factor, wv)
    return wv


def _feature_matrix(params: Any, docs: list[str], cache: dict) -> tuple[Any, Any]:
    """The TF-IDF matrix and fitted FeatureUnion of ``params``; each vectorizer is fitted once per setting of its
    own parameters (a character-only change does not re-tokenise the words)."""

    from sklearn.pipeline import FeatureUnion

    from training.fit import build_features

    parts, blocks = [], []
    for name, vec in build_features(params).transformer_list:
        key = (name, repr(sorted(vec.get_params(deep=False).items(), key=lambda kv: kv[0])))
        if key not in cache:
            cache[key] = (vec, vec.fit_transform(docs).tocsr())
        parts.append((name, cache[key][0]))
        blocks.append(cache[key][1])
    return sp.hstack(blocks, format="csr"), FeatureUnion(parts)


def run_ablation(config: str | Path, out_dir: str | Path, *, cv: str, names: list[str], command: str) -> dict:
    from training.fit import build_documents

    cfg = require_ad_config(load_config(config))
    repeats, n_splits = parse_cv(cv)
    check_output_dir(out_dir)
    examples = load_protocol_data(cfg)
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    say(f"ablation {repeats}x{n_splits}: {len(examples)} rows, preparing features")
    docs = build_documents(cfg.model).transform([e.note for e in examples])
    cache: dict = {}
    probe_cache: dict = {}
    drop_cache: dict = {}
    y = np.array([e.label for e in examples])
    w = np.array([e.weight for e in examples], dtype=np.float64)
    target = np.array([e.source == cfg.target_source for e in examples])
    hard_rows = np.array([is_hard_pool(e) for e in examples])
    dataset = np.array([e.dataset for e in examples])
    runs: dict[str, CVRun] = {}
    rows = []
    for key in names:
        v = variant(key)
        params = replace(cfg.model, **v.params)
        if params.use_comments != cfg.model.use_comments:
            raise ValueError(f"variant {key}: use_comments changes the documents; make a config for it instead")
        X, features = _feature_matrix(params, docs, cache)
        markers = tuple(dict.fromkeys(params.drop_features + v.drop))
        keep = np.ones(X.shape[1], dtype=bool)
        if markers:
            drop_key = (repr(sorted(vars(params).items())), markers)
            if drop_key not in drop_cache:
                drop_cache[drop_key] = ~marker_columns(features, docs, markers, params.drop_share)
            keep = drop_cache[drop_key]
        Xv = keep_columns(X, features, keep) if not keep.all() else X
        slices = part_slices(features, cue_part=needs_cue_part(params))
        remap = np.cumsum(keep) - 1
        slices = [(n, remap[c[keep[c]]]) for n, c in slices if keep[c].any()]
        for probe in v.probes:
            if probe not in probe_cache:
                probe_cache[probe] = probe_columns(probe, [e.note for e in examples])[0]
            slices.append((probe, np.arange(Xv.shape[1], Xv.shape[1] + probe_cache[probe].shape[1])))
            Xv = sp.hstack([Xv, probe_cache[probe] * v.probe_scale], format="csr")

        wv = row_weights(v, key, cfg, w, dataset, hard_rows)

        def scorer(
            tr: np.ndarray,
            va: np.ndarray,
            params: ModelParams = params,
            Xv: sp.csr_matrix = Xv,
            slices: list[tuple[str, np.ndarray]] = slices,
            v: Variant = v,
            wv: np.ndarray = wv,
        ) -> np.ndarray:
            if v.target_only:
                tr = tr[target[tr]]
            tr = tr[wv[tr] > 0]
            fit = fit_linear(
                Xv[tr], y[tr], wv[tr], slices, [examples[i] for i in tr], params, seed=cfg.seed,
                target_source=cfg.target_source,
            )  # fmt: skip
            return fit.decision(Xv[va])

        say(f"variant {key}: {v.name}")
        run = run_protocol(
            examples, scorer, target_source=cfg.target_source, repeats=repeats, n_splits=n_splits, seed=cfg.seed,
            choose_threshold=threshold_rule(cfg), threshold_repeats=cfg.threshold_repeats,
        )  # fmt: skip
        runs[key] = run
        row = {"key": key, "variant": v.name, "seconds": round(run.seconds, 1),
               "summary": summarize(run, target_fpr=cfg.target_fpr, n_boot=300, seed=cfg.seed)}  # fmt: skip
        row["delta"] = paired_deltas(runs[names[0]], run, cfg.target_fpr, seed=cfg.seed)
        rows.append(row)
        # Written after every variant: a long run that is stopped keeps what it measured.
        result = {"config": str(cfg.path), "command": command, "cv": cv, "reference": names[0],
                  "target_fpr": cfg.target_fpr, "rows": rows}  # fmt: skip
        _write(Path(out_dir), result, runs)
    return result


def merge_reports(paths: list[Path]) -> dict:
    """One report from several ablation runs (e.g. the full config and a Xiaohongshu-only setting): each row's
    differences stay paired against the reference of its own run, which the row names."""
    rows, commands, cvs, sources, fprs = [], [], [], [], []
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        fprs.append(data.get("target_fpr"))
        commands.append(data["command"])
        cvs.append(data["cv"])
        if data["reference"] == "each row's own":  # an earlier merge: its rows already name their references
            rows += data["rows"]
            sources.append(data["config"])
            continue
        sources.append(str(path))
        setting = Path(data["config"]).stem
        if cvs[0] != data["cv"]:  # a screening run with fewer repeats than the first report says so
            setting += f", {data['cv']}"
        ref = next(r["variant"] for r in data["rows"] if r["key"] == data["reference"])
        for r in data["rows"]:
            if r["key"] == data["reference"] and rows:
                continue  # a later run's reference row is all zeros: the rows below name it
            label = f"[{setting}] {r['variant']}" + (
                "" if r["key"] == data["reference"] else f" (vs [{setting}] {ref})"
            )
            rows.append({**r, "key": f"{Path(data['config']).stem}:{r['key']}", "variant": label})
    if len({0.02 if f is None else f for f in fprs}) > 1:
        raise InvalidParameterError(
            f"--merge: the ablation reports were measured at different target FPRs ({', '.join(map(str, fprs))}); "
            "their F1 columns cannot share a table."
        )
    merged = {"config": " + ".join(sources), "command": " ; ".join(commands),
              "cv": "/".join(dict.fromkeys(cvs)), "reference": "each row's own"}  # fmt: skip
    if any(f is not None for f in fprs):
        merged["target_fpr"] = next(f for f in fprs if f is not None)
    return {**merged, "rows": rows}


def _write_json(out: Path, result: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "ablation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "ablation.md").write_text(ablation_markdown(result) + "\n", encoding="utf-8")


def _write(out: Path, result: dict, runs: dict[str, CVRun]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "ablation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "ablation.md").write_text(ablation_markdown(result) + "\n", encoding="utf-8")
    ref = next(iter(runs.values()))
    folds = {f"{k}.fold_of": r.fold_of for k, r in runs.items()}
    np.savez_compressed(
        out / "oof_scores.npz", **{k: r.scores for k, r in runs.items()}, **folds, y=ref.y, hard=ref.hard
    )


def paired_deltas(a: CVRun, b: CVRun, target_fpr: float, *, seed: int, n_boot: int = 300) -> dict[str, Any]:
    """Mean and 95% interval of (b - a) for AP and F1 at the target FPR, overall and on the hard pool, over a
    bootstrap drawing a repeat and resampling notes (both runs share folds, so the differences are paired)."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for pool, mask in (("overall", np.ones(len(a.y), dtype=bool)), ("annotators_2", a.hard)):
        y = a.y[mask]
        if len(set(y.tolist())) < 2:
            continue
        by_label = [np.flatnonzero(y == c) for c in (0, 1)]
        mean = {}
        for k in ("average_precision", "f1_at_fpr"):
            d = [
                set_metrics(y, b.scores[r, mask], b.flagged[r, mask], target_fpr)[k]
                - set_metrics(y, a.scores[r, mask], a.flagged[r, mask], target_fpr)[k]
                for r in range(len(a.scores))
            ]
            mean[k] = float(np.mean(d))
        boots: dict[str, list[float]] = {"average_precision": [], "f1_at_fpr": []}
        for _ in range(n_boot):
            r = int(rng.integers(len(a.scores)))
            idx = np.concatenate([rng.choice(g, size=len(g), replace=True) for g in by_label])
            ma = set_metrics(y[idx], a.scores[r, mask][idx], a.flagged[r, mask][idx], target_fpr)
            mb = set_metrics(y[idx], b.scores[r, mask][idx], b.flagged[r, mask][idx], target_fpr)
            for k in boots:
                boots[k].append(mb[k] - ma[k])
        out[pool] = {
            k: {"mean": mean[k], "low": float(np.percentile(v, 2.5)), "high": float(np.percentile(v, 97.5))}
            for k, v in boots.items()
        }
    return out


def fpr_label(target_fpr: float | None) -> str:
    """The "F1 @ ..." column name of ``target_fpr`` (reports written before it was recorded were all at 2%)."""
    return f"{0.02 if target_fpr is None else target_fpr:.0%} FPR"


def ablation_markdown(result: dict) -> str:
    at = fpr_label(result.get("target_fpr"))
    lines = [
        f"Ablation, `{result['cv']}` protocol, reference = `{result['reference']}`. Produced by: `{result['command']}`",
        "",
        f"| variant | AP (all) | F1 @ {at} (all) | AP (annotators: 2) | F1 @ {at} (annotators: 2) | ΔAP (all) | "
        f"ΔF1 @ {at} (all) | ΔAP (a: 2) | ΔF1 @ {at} (a: 2) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        s, d = row["summary"], row["delta"]
        cells = [row["variant"]]
        for pool in ("overall", "annotators_2"):
            cells += [f"{s[pool][k]['mean']:.3f}" for k in ("average_precision", "f1_at_fpr")]
        for pool in ("overall", "annotators_2"):
            cells += [f"{d[pool][k]['mean']:+.3f} [{d[pool][k]['low']:+.3f}, {d[pool][k]['high']:+.3f}]"
                      if pool in d else "–" for k in ("average_precision", "f1_at_fpr")]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@user_errors
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m training.ablation", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    p.add_argument("--config", type=Path, required=True, help="training config (TOML) whose variants are compared")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="directory to write ablation.json, ablation.md and oof_scores.npz")  # fmt: skip
    p.add_argument("--cv", default="3x5", metavar="REPEATSxFOLDS", help="the protocol (default 3x5)")
    default = ["config", "no_new_cues", "target_only", "nb", "stack_cue"]
    p.add_argument("--variants", nargs="+", default=default, metavar="NAME",
                   help=f"variants, the first the reference (default: {' '.join(default)}); each one of "
                   f"{', '.join(sorted(VARIANTS))}, or several joined by '+'")  # fmt: skip
    p.add_argument(
        "--merge", nargs="+", type=Path, metavar="ABLATION_JSON",
        help="instead of running, merge ablation.json files (each row keeps its own reference) into --output",
    )  # fmt: skip
    args = p.parse_args(argv)
    if args.merge:
        merged = merge_reports(args.merge)
        _write_json(args.output, merged)
        print(ablation_markdown(merged))
        return 0
    for key in args.variants:
        try:
            variant(key)
        except ValueError as exc:
            p.error(str(exc))
    command = "python -m training.ablation " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    result = run_ablation(args.config, args.output, cv=args.cv, names=args.variants, command=command)
    print(ablation_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
