"""``notecheck score``: batch scoring of note archives (see :mod:`serve.batch`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from serve.batch.config import DEFAULT_CHUNK_SIZE
from serve.cli import add_encoding_arg, add_model_arg


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "score",
        help="score note files (streaming, parallel, resumable) and print a summary",
        description=(
            "Score JSON Lines, CSV or Parquet note files. Every input row yields one output row, in input order; "
            "a bad row becomes a row with its 'error'. Without -o only the summary is printed. The summary goes "
            "to standard output, 'error:' and 'note:' lines to standard error."
        ),
        epilog="exit status: 0 when every row was scored; 1 when rows failed (any error row, or more than "
        "--max-error-rate of them), the output is still complete; 2 for a usage error, when nothing could be "
        "written (e.g. a full disk) or when a worker process died (continue with --resume); 130 when interrupted "
        "by Ctrl-C, 143 when stopped by SIGTERM (continue with --resume).",
    )
    p.add_argument("inputs", nargs="+", help="files, directories or glob patterns of .jsonl/.csv/.parquet")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="output file; its extension (.jsonl or .ndjson, .csv, .parquet) picks the format. With --engine dask a "
        "directory of part files of that format",
    )
    p.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run with the same -o")
    p.add_argument("--engine", choices=["local", "dask"], default="local",
                   help="local: a process pool of --jobs workers (default); dask: a Dask cluster")  # fmt: skip
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default with --engine dask: a local cluster)",
    )
    p.add_argument("--keywords", type=Path, default=None, help="JSON keyword sets for comment scoring")
    p.add_argument("--report", type=Path, default=None, metavar="DIR", help="write the per-creator report here")
    add_encoding_arg(p)
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                   help=f"rows per chunk, the unit of work and memory (default {DEFAULT_CHUNK_SIZE})")  # fmt: skip
    p.add_argument("--max-error-rate", type=float, default=0.0, metavar="RATE",
                   help="exit 0 while at most this share of rows (0-1) are error rows (default 0: any error row "
                   "exits 1)")  # fmt: skip
    p.add_argument("--no-comments", action="store_true", help="do not score comments")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar (default: only when standard error is a terminal)")  # fmt: skip
    add_model_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from serve.batch import BatchConfig, Interrupted, run_batch
    from serve.sigterm import stop_line

    if not 0.0 <= args.max_error_rate <= 1.0:
        raise InvalidParameterError(f"--max-error-rate must be between 0 and 1. Got {args.max_error_rate} instead.")
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
        chunk_size=args.chunk_size,
        progress=args.progress,
        comments=not args.no_comments,
    )
    try:
        summary = run_batch(cfg)
    except Interrupted as exc:  # Ctrl-C (130) or SIGTERM (143): the finished chunks are kept for --resume
        print(stop_line(str(exc)), file=sys.stderr)
        return exc.status
    print(summary.render())
    if diagnostics := summary.diagnostics():
        print(diagnostics, file=sys.stderr)
    failed = summary.errored > 0 and summary.error_rate > args.max_error_rate
    if failed:
        print(f"error: {summary.errored} of {summary.read} row(s) failed ({summary.error_rate:.2%}, more than "
              f"--max-error-rate {args.max_error_rate:g}); exit status 1", file=sys.stderr)  # fmt: skip
    return 1 if failed else 0
