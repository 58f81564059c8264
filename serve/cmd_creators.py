"""``notecheck creators ARCHIVE... -o DIR``: the creator audit a brand can act on — per creator notes, ad share,
water ratio, keyword ratios and positive share, raw and without suspect comments — as CSV, Markdown and PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from model.comments import aggregate_creators
from serve.cli import add_encoding_arg, add_model_arg, add_report_command
from serve.cmd_comments import build_scorer, failed_rows, read_rows, score_rows
from serve.creators import counted, write_creator_report


def register(subparsers: Any) -> None:
    p = add_report_command(
        subparsers,
        "creators",
        inputs="ARCHIVE",
        inputs_help="note files, directories or glob patterns, as in score",
        help="creator audit: ad share, water ratio, keyword ratios and positive share (raw and clean) per creator",
        description="Read note archives (files, directories or glob patterns, as in score; the note schema, with "
        "comments and 'author'), score each note with the "
        "ad model and its comments with the sentiment model, keyword sets and water detection (grouped by "
        "creator), and write DIR/creators.csv, DIR/creators.md and DIR/creators.png. --model picks the "
        "sentiment model directory.",
    )
    p.add_argument("--keywords", type=Path, default=None, help="JSON file of keyword sets added to the defaults")
    add_model_arg(
        p, help="sentiment model directory (default: the shipped one, model/sentiment/); the ad model is --ad-model"
    )
    p.add_argument("--ad-model", type=Path, default=None, help="ad model for the ad share (default: shipped)")
    p.add_argument("--top", type=int, default=30, help="creators in the chart (most flagged first; default 30)")
    add_encoding_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.top < 1:
        print(f"error: --top must be >= 1. Got {args.top}.", file=sys.stderr)
        return 2
    from serve.batch.plan import expand_inputs
    from serve.cli import check_output_directory, load_ad_model

    check_output_directory(args.output)
    files = expand_inputs(args.inputs, exclude=[args.output])  # a rerun does not read its own creators.csv
    scorer = build_scorer(args)
    ad_model = load_ad_model(
        argparse.Namespace(model=args.ad_model, allow_version_mismatch=args.allow_version_mismatch)
    )
    rows, notes = read_rows(files, encoding=args.encoding)
    rows = score_rows(scorer, rows, notes, ad_model)
    errors = [r for r in rows if "error" in r]
    for r in errors:
        print(f"error: {r['error']}", file=sys.stderr)
    creators = aggregate_creators(rows)  # failed rows count as notes with errors, as in score --report
    paths, note = write_creator_report(creators, args.output, top=args.top)
    if note:
        print(f"note: creators.png: {note}", file=sys.stderr)
    print(f"{len(rows)} notes ({len(errors)} failed), {counted(creators)}; wrote {', '.join(map(str, paths))}")
    return failed_rows(rows)
