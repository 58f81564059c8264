"""``notecheck score``: batch scoring of note archives (see :mod:`serve.batch`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from serve.cli import add_model_arg


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "score",
        help="score note files (streaming, parallel, resumable) and print a summary",
        description=(
            "Score JSON Lines, CSV or Parquet note files. Every input row yields one output row, in input order; "
            "a bad row becomes a row with its 'error'. Without -o only the summary is printed."
        ),
    )
    p.add_argument("inputs", nargs="+", help="files, directories or glob patterns of .jsonl/.csv/.parquet")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="output file; its extension (.jsonl, .csv, .parquet) picks the format. With --engine dask a "
        "directory of part files of that format",
    )
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run with the same -o")
    p.add_argument("--engine", choices=["local", "dask"], default="local")
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default with --engine dask: a local cluster)",
    )
    p.add_argument("--keywords", type=Path, default=None, help="JSON keyword sets for comment scoring")
    p.add_argument("--report", type=Path, default=None, metavar="DIR", help="write the per-creator report here")
    p.add_argument("--encoding", default=None, help="decode text inputs with this encoding (default: UTF-8/GB18030)")
    p.add_argument("--chunk-size", type=int, default=None, help="rows per chunk (default 2000)")
    p.add_argument("--no-comments", action="store_true", help="do not score comments")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar (default: only when standard error is a terminal)")  # fmt: skip
    add_model_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from serve.batch import DEFAULT_CHUNK_SIZE, BatchConfig, Interrupted, run_batch

    cfg = BatchConfig(
        inputs=list(args.inputs),
        output=args.output,
        jobs=args.jobs,
        resume=args.resume,
        engine=args.engine,
        scheduler=args.scheduler,
        encoding=args.encoding,
        keywords_file=args.keywords,
        report_dir=args.report,
        model_dir=args.model,
        allow_version_mismatch=args.allow_version_mismatch,
        chunk_size=args.chunk_size or DEFAULT_CHUNK_SIZE,
        progress=args.progress,
        comments=not args.no_comments,
    )
    try:
        summary = run_batch(cfg)
    except Interrupted as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 130
    print(summary.render())
    return 1 if summary.file_errors else 0
