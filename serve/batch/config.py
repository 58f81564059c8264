"""Options of a batch run: what the user asked for (:class:`BatchConfig`) and what a worker needs to build
its scorer (:class:`ScorerSpec`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import InvalidParameterError
from model.notes import MAX_ROW_BYTES, encoding_problem
from serve.outputs import format_of

if TYPE_CHECKING:
    from model.comments import KeywordConfig

DEFAULT_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class ScorerSpec:
    """What a worker needs to build its :class:`RowScorer` (picklable; the scorer itself is cached per process)."""

    model_dir: str | None = None
    allow_version_mismatch: bool = False
    keywords: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    # The keyword file's exclude phrases and negation modes (None when it has none): the worker's comment scorer
    # takes them as ``notecheck comments`` does.
    keyword_exclude: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    keyword_negation: tuple[tuple[str, str], ...] | None = None
    comments: bool = True
    top: int = 3
    cross_note: str | None = None  # the first pass's file (serve.batch.crossnote), read once per worker


@dataclass
class BatchConfig:
    """Options of one batch run (see ``notecheck score --help``)."""

    inputs: list[str]
    output: Path | None = None
    jobs: int | None = None
    resume: bool = False
    engine: str = "local"
    scheduler: str | None = None
    encoding: str | None = None
    keywords_file: Path | None = None
    report_dir: Path | None = None
    model_dir: Path | None = None
    allow_version_mismatch: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    max_row_bytes: int = MAX_ROW_BYTES
    progress: bool | None = None  # None: only when standard error is a terminal
    comments: bool = True

    def validate(self) -> None:
        if self.report_dir is not None:
            from serve.cli import check_output_directory

            wants = "a directory for creators.csv, creators.md and creators.png"
            check_output_directory(Path(self.report_dir), "--report", wants)
        if self.engine not in ("local", "dask"):
            raise InvalidParameterError(
                f"The --engine option (engine) must be 'local' or 'dask'. Got {self.engine!r} instead."
            )
        if self.jobs is not None and self.jobs < 1:
            raise InvalidParameterError(
                f"The --jobs option (jobs) must be a positive integer. Got {self.jobs} instead."
            )
        if self.chunk_size < 1:
            raise InvalidParameterError(
                f"The --chunk-size option (chunk_size) must be a positive integer. Got {self.chunk_size} instead."
            )
        if self.max_row_bytes < 1024:
            raise InvalidParameterError(
                f"The 'max_row_bytes' option must be at least 1024. Got {self.max_row_bytes} instead."
            )
        if self.encoding:  # the command line checks it as it is read; a caller of run_batch has it checked here
            why = encoding_problem(self.encoding)
            if why:
                raise InvalidParameterError(f"The --encoding option (encoding): {why}.")
        if self.output is not None:
            format_of(Path(self.output), OUTPUT_FORMATS, "The -o/--output option (output)")
        if self.resume and self.output is None:
            raise InvalidParameterError("--resume needs the output path (-o) of the run to continue. Got none.")
        if self.scheduler and self.engine != "dask":
            raise InvalidParameterError(f"--scheduler needs --engine dask. Got --engine {self.engine}.")


#: The formats ``score -o`` writes, by the output's extension.
OUTPUT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def output_format(path: Path) -> str | None:
    return OUTPUT_FORMATS.get(path.suffix.lower())


def read_keywords(path: Path) -> KeywordConfig:
    """Keyword sets, exclude phrases and negation modes from a JSON file in the format of ``notecheck comments
    --keywords`` (see :func:`model.comments.read_keyword_config`)."""
    from model.comments import read_keyword_config

    return read_keyword_config(path)
