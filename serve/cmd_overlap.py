"""``notecheck overlap FOLLOWERS... -o DIR``: fan overlap between creators (pairwise Jaccard and shares), the top
pairs and a heatmap."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from serve.batch.plan import each_once
from serve.charts import chart_names
from serve.cli import add_report_command, check_output_directory
from serve.outputs import make_dir
from serve.overlap import OverlapCounter, exact_check, overlap_matrix
from serve.terminal import md_cell

COLUMNS = ["creator_a", "creator_b", "jaccard", "share_a_in_b", "share_b_in_a", "followers_a", "followers_b", "common"]


def register(subparsers: Any) -> None:
    p = add_report_command(
        subparsers,
        "overlap",
        inputs="FOLLOWERS",
        inputs_help="follower files: one per creator (one id per line) or CSVs with creator,follower_id columns",
        help="fan overlap between creators from follower-id exports",
        description="Pairwise fan overlap of creators. Each FOLLOWERS file is one creator's follower ids (one per "
        "line; the creator is the file's stem) or a CSV with 'creator' and 'follower_id' columns. Writes "
        "DIR/overlap.csv (creator_a, creator_b, jaccard, share_a_in_b, share_b_in_a, ...), DIR/overlap.md (top "
        "pairs) and DIR/overlap.png (heatmap). Exact while all followers fit --exact-limit, else MinHash. With "
        "--min-jaccard J only pairs with Jaccard >= J are listed, and with MinHash only the pairs LSH proposes are "
        "estimated.",
    )
    p.add_argument(
        "--top", type=int, default=20, help="pairs in the Markdown table and creators in the heatmap (default 20)"
    )
    p.add_argument(
        "--exact-limit",
        type=int,
        default=2_000_000,
        help="exact sets while the distinct followers read so far are at most this many (default 2M)",
    )
    p.add_argument(
        "--sketch-size",
        type=int,
        default=4096,
        help="MinHash sketch size k when not exact (Jaccard error about sqrt(J(1-J)/k); default 4096)",
    )
    p.add_argument(
        "--check-sample",
        type=int,
        default=20,
        help="with MinHash, pairs whose exact Jaccard is computed to report the error (default 20)",
    )
    p.add_argument(
        "--min-jaccard",
        type=float,
        default=0.0,
        help="list only pairs whose Jaccard (exact or estimated) is at least this; with MinHash, only the candidate "
        "pairs of LSH are estimated (a pair at exactly this Jaccard is found with probability >= 0.99). Default 0: "
        "every pair is listed",
    )
    p.add_argument("--all-pairs", action="store_true", help="with --min-jaccard, estimate every pair instead of LSH")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _positive(value: int, name: str) -> None:
    if value < 1:
        raise InvalidParameterError(f"{name} must be >= 1. Got {value}.")  # a usage error: exit 2


def run(args: argparse.Namespace) -> int:
    _positive(args.top, "--top")
    _positive(args.exact_limit, "--exact-limit")
    _positive(args.sketch_size, "--sketch-size")
    if not 0.0 <= args.min_jaccard <= 1.0:
        raise InvalidParameterError(f"--min-jaccard must be between 0 and 1. Got {args.min_jaccard}.")
    check_output_directory(args.output)
    folders = [str(p) for p in args.inputs if p.is_dir()]
    if folders:  # a folder may hold other files than follower exports: each creator's file is named
        print(
            f"error: {', '.join(folders)}: a directory; name the follower files in it, e.g. {folders[0]}/*.txt",
            file=sys.stderr,
        )
        return 2
    missing = [str(p) for p in args.inputs if not p.is_file()]
    if missing:
        print(f"error: follower file(s) not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    from tqdm import tqdm

    counter = OverlapCounter(exact_limit=args.exact_limit, k=args.sketch_size)
    quiet = args.quiet or not sys.stderr.isatty()  # as `score`: no bars of carriage returns in a log or pipe
    with tqdm(desc="followers read", unit=" lines", disable=quiet, file=sys.stderr) as bar:
        # Read twice (a shell glob and the file named again), every id of a file would be a repeated follower
        # id of its own creator.
        for path in each_once(args.inputs, what="follower file"):
            counter.add_file(path, progress=bar)
    for line in counter.notes.messages():
        print(line, file=sys.stderr)
    for c in counter.creators.values():
        if c.followers == 0:  # its shares are 0 of 0: printed as 0.0, which a reader takes for no overlap measured
            print(
                f"note: {', '.join(dict.fromkeys(c.sources))}: creator {c.name!r} has no followers; its Jaccard and "
                "shares with every other creator are 0 (no overlap to measure)",
                file=sys.stderr,
            )
    _note_merged(counter)
    if len(counter.creators) < 2:
        print(f"error: fan overlap needs at least two creators. Got {len(counter.creators)}.", file=sys.stderr)
        return 2
    n = len(counter.creators)
    among, params = None, None
    if args.min_jaccard > 0 and not counter.exact and not args.all_pairs:
        among, params = counter.candidates(args.min_jaccard)
    with tqdm(total=n * (n - 1) // 2 if among is None else len(among), desc="pairs", unit=" pairs",
              disable=quiet, file=sys.stderr) as bar:  # fmt: skip
        rows = counter.pairs(min_jaccard=args.min_jaccard, among=among, progress=bar)
    check = [] if counter.exact else exact_check(counter, rows, args.check_sample)
    out: Path = args.output
    make_dir(out)
    with open(out / "overlap.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    method = "exact" if counter.exact else f"bottom-k MinHash, k = {args.sketch_size}"
    md = [f"# Fan overlap of {n} creators ({method})", ""]
    listed = _listed(n, len(rows), args.min_jaccard, among, params, counter.bins, exact=counter.exact)
    if listed:
        md += [listed, ""]
    md += [
        "| creator A | creator B | Jaccard | share of A's followers following B | share of B's in A | common |",
        "|---|---|---|---|---|---|",
    ]
    md += [
        f"| {md_cell(r['creator_a'])} | {md_cell(r['creator_b'])} | {r['jaccard']:.4f} | {r['share_a_in_b']:.4f} | "
        f"{r['share_b_in_a']:.4f} | {r['common']:.0f} |"
        for r in rows[: args.top]
    ]
    if check:
        errors = [c["error"] for c in check]
        md += [
            "",
            f"MinHash error against exact Jaccard on {len(check)} sampled pairs: mean {sum(errors) / len(errors):.4f}, "
            f"max {max(errors):.4f}.",
        ]
    names = _heatmap(out / "overlap.png", rows, args.top, sorted(counter.creators))
    if names.legend:
        md += ["", f"Chart: {names.note}.", "", "| id | creator |", "|---|---|"]
        md += [f"| {i} | {md_cell(n)} |" for i, n in names.legend]
        print(f"note: overlap.png: {names.note}", file=sys.stderr)
    (out / "overlap.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print(
        f"{n} creators, {_pairs(len(rows))} listed ({method}); wrote {out / 'overlap.csv'}, "
        f"{out / 'overlap.md'}, {out / 'overlap.png'}"
    )
    if check:
        print(f"MinHash error vs exact on {len(check)} pairs: max {max(c['error'] for c in check):.4f}")
    return 0


def _note_merged(counter: OverlapCounter) -> None:
    """Name the creators whose followers came from several files (two exports with one stem in other folders, a
    CSV and a file of their own): counted together as one creator, which is right for the parts of one export
    and wrong for two creators who share a name, so the user is told rather than left to guess."""
    merged = {n: list(dict.fromkeys(c.sources)) for n, c in counter.creators.items() if len(set(c.sources)) > 1}
    if merged:
        shown = "; ".join(f"{n} ({', '.join(files)})" for n, files in list(merged.items())[:5])
        more = " ..." if len(merged) > 5 else ""
        print(
            f"note: {len(merged)} creator(s) have followers in more than one file, counted together as one "
            f"creator: {shown}{more}",
            file=sys.stderr,
        )


def _pairs(n: int) -> str:
    return f"{n} pair" if n == 1 else f"{n} pairs"


def _listed(n: int, listed: int, min_jaccard: float, among: Any, params: Any, bins: int, *, exact: bool) -> str:
    """What overlap.csv holds when not every pair is listed (empty when it is)."""
    if min_jaccard <= 0:
        return ""
    text = (
        f"{listed} of {_pairs(n * (n - 1) // 2)} {'has' if listed == 1 else 'have'} Jaccard >= {min_jaccard} and "
        f"{'is' if listed == 1 else 'are'} listed; the other pairs are "
        f"below it ({'exactly' if exact else 'estimated' if among is None else 'estimated or not proposed by LSH'}) "
        "and not listed (0 in "
        "the heatmap)."
    )
    if among is not None:
        from serve.overlap_lsh import candidate_probability

        bands, rows = params
        text += (
            f" LSH ({bands} bands of {rows} of {bins} MinHash bins) proposed {_pairs(len(among))}; a pair at Jaccard "
            f"{min_jaccard} is proposed with probability {candidate_probability(min_jaccard, bands, rows):.3f}, "
            f"one at {min_jaccard + 0.05:.2f} with {candidate_probability(min_jaccard + 0.05, bands, rows):.4f}."
        )
    return text


def _heatmap(path: Path, rows: list[dict[str, Any]], top: int, creators: list[str]) -> Any:
    """The heatmap of the ``top`` creators of the most overlapping pairs, and of the other ``creators`` while there
    is room (pairs not listed under --min-jaccard are 0): a run listing no pair still draws its creators."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen: list[str] = []
    for r in rows:
        for n in (r["creator_a"], r["creator_b"]):
            if n not in chosen and len(chosen) < top:
                chosen.append(n)
    for n in creators:
        if n not in chosen and len(chosen) < top:
            chosen.append(n)
    names = chart_names(chosen)
    m = overlap_matrix(chosen, rows)
    size = max(4.0, 0.35 * len(chosen) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(m, cmap="viridis", vmin=0, vmax=max(0.01, float(m[~(m == 1)].max(initial=0))))
    ax.set_xticks(range(len(chosen)), names.labels, rotation=90, fontfamily=names.font or "sans-serif")
    ax.set_yticks(range(len(chosen)), names.labels, fontfamily=names.font or "sans-serif")
    ax.set_title("Fan overlap (Jaccard)")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return names
