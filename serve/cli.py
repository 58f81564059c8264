"""The ``notecheck`` command line. ``main(argv=None)`` returns an exit code, so tests can call it directly.

Only ``notecheck train`` imports :mod:`training`; every other command runs on :mod:`model` alone.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

from model.errors import InvalidNoteError, InvalidParameterError, NotecheckError

#: Modules that add subcommands (see :func:`build_parser`).
EXTRA_COMMAND_MODULES: list[str] = [
    "serve.cmd_score",
    "serve.cmd_serve",
    "serve.cmd_comments",
    "serve.cmd_overlap",
    "serve.cmd_appeals",
    "serve.cmd_review",
    "serve.cmd_creators",
]


def add_model_arg(
    p: argparse.ArgumentParser, help: str = "ad model directory (default: the shipped one, model/default/)"
) -> None:
    p.add_argument("--model", type=Path, default=None, help=help)
    p.add_argument(
        "--allow-version-mismatch",
        action="store_true",
        help="load a model computed by another numpy-engine version (warns instead of refusing)",
    )


def add_encoding_arg(p: argparse.ArgumentParser, reads: str = "the note files") -> None:
    """``--encoding CODEC``, for every command that reads note files (``check``: standard input). The name is
    checked as the command line is read, so a codec Python does not know exits 2 before any file is opened."""
    p.add_argument(
        "--encoding", type=encoding_name, default=None, metavar="CODEC",
        help=f"decode {reads} strictly with this codec, e.g. big5 for Hong Kong and Taiwan text (default: each "
        "line as UTF-8, else GB18030)",
    )  # fmt: skip


def encoding_name(value: str) -> str:
    """An argparse type: a codec note files can be decoded with (see :func:`model.notes.encoding_problem`)."""
    from model.notes import encoding_problem

    why = encoding_problem(value)
    if why:
        raise argparse.ArgumentTypeError(why)
    return value


def add_report_command(
    subparsers: Any, name: str, *, inputs: str, help: str, description: str, inputs_help: str
) -> argparse.ArgumentParser:
    """The parser of a subcommand that reads files (one or more ``inputs``, shown as that metavar) and writes a
    report directory (``-o DIR``, required); the caller adds its own options."""
    p = subparsers.add_parser(name, help=help, description=description)
    p.add_argument("inputs", nargs="+", type=Path, metavar=inputs, help=inputs_help)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="directory to write")
    return p


def check_output_directory(path: Path, flag: str = "-o/--output", wants: str = "a directory to write") -> None:
    """Refuse, before any work, an output directory (``flag``) that exists as a file (found when writing, it would
    cost the run)."""
    if path.exists() and not path.is_dir():
        raise InvalidParameterError(f"{flag} {path}: exists and is not a directory; name {wants}.")


class SubcommandParser(argparse.ArgumentParser):
    """The parser of a subcommand: an argument it does not know is reported with its own usage. (argparse hands
    a subcommand's unknown arguments back to the top-level parser, whose usage lists only the commands.)"""

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> tuple[argparse.Namespace, list[str]]:
        namespace, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notecheck",
        description="Tell soft-text ads from genuine sharing in Chinese social-media notes, with reasons.",
    )
    parser.add_argument("--version", action="version", version=f"notecheck {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=SubcommandParser)

    p = sub.add_parser("train", help="train a model from a TOML config and write the artifact directory")
    p.add_argument("--config", type=Path, required=True,
                   help="training config (TOML): data sets, model parameters, target false-positive rate; e.g. "
                   "model/default/train.toml")  # fmt: skip
    p.add_argument("-o", "--output", type=Path, required=True, help="artifact directory to write")
    p.add_argument("--skip-bad-rows", action="store_true", help="skip (and report) rows that fail validation")
    p.add_argument("--no-ablation", action="store_true", help="skip the feature-group ablation (faster)")
    p.add_argument("--target-fpr", type=float, default=None, help="override the config's target_fpr")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument(
        "--cv",
        metavar="REPEATSxFOLDS",
        default=None,
        help="instead of training, run the repeated cross-validation protocol on the target source (e.g. 5x5) "
        "and write cv_report.md and cv_report.json to the output directory",
    )

    # evaluate has its own module but keeps its place (second) in the list of commands
    import_module("serve.cmd_evaluate").register(sub)

    p = sub.add_parser("check", help="decision, probability and reasons for one note")
    p.add_argument(
        "text", nargs="?", help="the note text, or - to read it from standard input (may be left out with --title)"
    )
    p.add_argument("--title", default="", help="the note's title (default: none)")
    add_model_arg(p)
    p.add_argument("--json", action="store_true", help="print one JSON object (the API's /v1/check response)")
    p.add_argument(
        "--top", type=_top, default=None,
        help="readable reasons to show, 0 to 50 (default 6; with --json 8, as the API's /v1/check)",
    )  # fmt: skip
    add_encoding_arg(p, reads="standard input (text -)")

    # Further subcommands live in their own modules: each has ``register(subparsers)`` which adds its parser
    # with ``set_defaults(func=run)`` where ``run(args) -> int``.
    for module in EXTRA_COMMAND_MODULES:
        import_module(module).register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("notecheck")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


def _top(value: str) -> int:
    """An argparse type: how many readable reasons to show, within the limit the API has too."""
    from model.classifier import MAX_TOP

    n = whole_count(value)
    if n > MAX_TOP:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_TOP} (as the API's top). Got {n}.")
    return n


def whole_count(value: str) -> int:
    """An argparse type: a whole number >= 0 (the training tools take their counts with it too)."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0. Got {value!r}.") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0. Got {n}.")
    return n


def load_ad_model(args: argparse.Namespace) -> Any:
    from model.artifacts import load_model

    return load_model(args.model, allow_version_mismatch=args.allow_version_mismatch)


def _cmd_train(args: argparse.Namespace) -> int:
    from training.train import run_training

    command = "notecheck " + " ".join(shlex.quote(a) for a in args.argv)
    check_output_directory(args.output, wants="a directory for the model")  # before any training, not after it
    if args.cv:
        from training.cv import run_cv, summary_table

        result = run_cv(
            args.config, args.output, cv=args.cv, command=command, skip_bad_rows=args.skip_bad_rows,
            progress=not args.quiet, target_fpr=args.target_fpr,
        )  # fmt: skip
        print(f"wrote {args.output}/cv_report.md and cv_report.json")
        print(summary_table(result["summary"], result["target_fpr"]))
        return 0
    metrics = run_training(
        args.config,
        args.output,
        skip_bad_rows=args.skip_bad_rows,
        ablation=not args.no_ablation,
        progress=not args.quiet,
        command=command,
        target_fpr=args.target_fpr,
    )
    test = metrics["test"]
    target = metrics["target_source"]
    print(f"wrote {args.output}")
    # the target source first: pooled with corpora that are easy by their style, the figures say little of it
    for name, m in ((f"{target} (the target source)", test["per_source"].get(target)), ("all sources pooled", test)):
        if m:
            print(
                f"test split, {name}: n={m['n']} ROC AUC={_f(m['roc_auc'])} F1={_f(m['f1'])} "
                f"FPR={_f(m['false_positive_rate'])} at threshold {test['threshold']:.4f}"
            )
    from training.report import metrics_table

    print(metrics_table(test["per_source"], target=target))
    return 0


def _f(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}"


def _read_stdin_text(encoding: str | None = None) -> str:
    """Standard input as text, read like a line of a note file (UTF-8, else GB18030; strictly ``encoding`` when
    given); binary input is refused."""
    from model.notes import UTF8_BOM, decode_line, not_text

    raw = sys.stdin.buffer.read()
    why = not_text(raw[:4096], "a note's text", what="standard input")
    if why:
        raise InvalidNoteError(f"{why}.")
    raw = raw.removeprefix(UTF8_BOM)
    # The decoder of a note file's lines, so that the same bytes are read, and refused in the same words, here
    text, problem = decode_line(raw, encoding, stdin=True)
    if problem:
        raise InvalidNoteError(f"{problem}.")
    # The line end that `echo`, `print` and editors add is not part of the note (a line of a note file does not
    # carry it either); other line breaks inside the text are the writer's and stay.
    return text.removesuffix("\n").removesuffix("\r")


def _cmd_check(args: argparse.Namespace) -> int:
    from model.notes import check_length, parse_note

    if args.encoding and args.text != "-":
        # the text of the command line is already text: an encoding given with it would silently do nothing
        raise InvalidParameterError(
            f"--encoding decodes standard input, read with the text -. Got --encoding {args.encoding} with "
            f"{'the text on the command line' if args.text is not None else 'no text'}."
        )
    text = _read_stdin_text(args.encoding) if args.text == "-" else args.text
    row = _json_note(text, args.title) if args.text == "-" else None
    if row is not None:
        # what check reads of a note: its label and comments are no business of it (score and comments read them)
        note = check_length(parse_note({k: v for k, v in row.items() if k not in ("label", "comments")},
                                       where="standard input: "))  # fmt: skip
        args.title, text = note.title, note.text
        print(
            "note: standard input is a JSON note: its title and text are checked"
            + ("; its comments are not (notecheck comments scores them)" if row.get("comments") else ""),
            file=sys.stderr,
        )
    else:
        note = check_length(parse_note({"title": args.title, "text": text}))  # no text and no title: an error
    text = text or ""
    model = load_ad_model(args)
    top = args.top if args.top is not None else (JSON_TOP if args.json else TEXT_TOP)
    result = model.check(note, top=top)
    if args.json:  # the fields of the API's /v1/check response, in its order (no id or comments here: null)
        out = {"id": None, **result.to_dict(), "comments": None, "model_version": model.version}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    from serve.check_output import format_check, use_colour

    print(format_check(result, {"title": args.title, "text": text}, colour=use_colour(sys.stdout)))
    return 0


def _json_note(text: str, title: str) -> dict[str, Any] | None:
    """Standard input that is one JSON object, as a row of a note file is (``{"title": ..., "text": ...}``), or
    None for a note's plain text. Read as text, its keys and quotes were scored as the writer's words and its
    comments pushed it towards ad (求链接), with no word said."""
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        row = json.loads(stripped)
    except ValueError:
        return None  # braces around words: a note's text
    if not isinstance(row, dict) or not {"title", "text", "description"} & set(row):
        return None
    if title:
        raise InvalidParameterError(
            f"--title gives the title of a note whose text is standard input; standard input is a JSON note with "
            f"its own fields. Got --title {title!r}: put the title in the JSON note."
        )
    return row


#: Reasons `check` shows by default: on a terminal a few; with --json as many as /v1/check returns by default
#: (the setting top_reasons), since --json prints that response.
TEXT_TOP, JSON_TOP = 6, 8

COMMANDS = {"train": _cmd_train, "check": _cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    func = getattr(args, "func", None) or COMMANDS[args.command]
    return run_reporting(lambda: func(args), f"notecheck {args.command}")


def run_reporting(run: Callable[[], int], name: str) -> int:
    """Run a command's body and end it as every notecheck command ends: its own status, or one ``error:`` line on
    stderr and status 2 for bad input or an unreadable file, 130 on Ctrl-C, 143 on SIGTERM (:mod:`serve.sigterm`),
    141 when the reader of standard output went away, and for a bug its traceback and :data:`INTERNAL_ERROR`.
    ``name`` is the command as typed, for the messages (``notecheck score``, ``python -m training.cv``)."""
    from serve.sigterm import Terminated, sigterm_as_interrupt, status_of, stop_line

    try:
        with sigterm_as_interrupt():  # SIGTERM takes Ctrl-C's path: workers stopped, temporary files removed
            code = run()
            sys.stdout.flush()  # a full disk or closed pipe behind standard output shows here
        return code
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: one line and the shell's status, never a traceback
        how = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        print(stop_line(f"{how}: {name} stopped before it finished"), file=sys.stderr)
        return status_of(exc)
    except NotecheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"error: {exc.filename}: no such file", file=sys.stderr)
        return 2
    except BrokenPipeError as exc:
        if exc.filename is not None:
            print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        # The reader of standard output stopped reading (`| head`): what it wanted it has, nothing failed here.
        # Exit as a process killed by SIGPIPE does (128 + 13), quietly, as the shell's own tools do.
        _discard_stdout()
        return 141
    except OSError as exc:  # no permission, disk full, read-only file system: one line naming what failed
        if exc.filename is None:  # writing standard output (the one unnamed file)
            _discard_stdout()
            print(f"error: cannot write standard output: {exc.strerror or exc}", file=sys.stderr)
        else:
            print(f"error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: its traceback for the report, and a status no other outcome has
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(
            f"error: {name} stopped on an unexpected error, a bug in notecheck (the traceback above "
            f"says where): {type(exc).__name__}: {exc}. What it wrote may be incomplete.",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


#: Exit status of a command stopped by a bug (sysexits' EX_SOFTWARE): not 1, which promises a complete output.
INTERNAL_ERROR = 70


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush does not fail again."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (a test's capture): nothing is flushed to the old one
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
