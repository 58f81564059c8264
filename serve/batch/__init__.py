"""Batch scoring of note archives: streaming, parallel, resumable, and on a Dask cluster.

How a run works
---------------
1. **Plan.** Every input file is scanned once (bytes only for JSON Lines, the CSV parser for CSV, the footer for
   Parquet) and cut into :class:`Chunk` s of ``chunk_size`` rows, each with its byte offset (or row offset) and
   first line number. The plan depends only on the files and the options, so a resumed run plans the same chunks.
   Files that cannot be read at all (not Parquet despite ``.parquet``, binary or compressed data, a JSON array,
   UTF-16) get one *file-level* error row (``line`` 0) instead of crashing the run.
2. **Score.** :func:`score_chunk` reads its rows from the file (streaming, bounded by the chunk), scores them with
   a :class:`serve.scoring.RowScorer` cached once per process (the model is loaded once per worker, not once per
   chunk) and writes ``part-NNNNNN.<ext>`` atomically (temporary file + rename) with the chunk's id hashes.
   ``--jobs N`` runs it in a process pool, ``--engine dask`` as one ``dask.bag`` partition per chunk on a cluster.
3. **Record.** The parent appends one line per finished chunk to ``_manifest.jsonl`` (after a fingerprint line
   naming the inputs, sizes, modification times and options). ``--resume`` skips the chunks listed there whose
   part exists; a torn last line or a stray part without a manifest line is simply redone.
4. **Finish.** The local engine concatenates the parts in input order into the output file (atomically) and
   removes its ``OUTPUT.parts`` directory; the Dask engine leaves the partitioned directory ``OUTPUT/`` with
   ``part-NNNNNN.<ext>`` in input order. Both then report duplicated ids and write the per-creator report.

Memory is bounded by ``chunk_size`` rows per worker (and the plan: a few numbers per chunk), not by input size.

Defined behaviour for awkward input (each is tested in ``tests/test_batch.py``):

- reading: the rows, their line numbers and errors are those of :func:`model.notes.iter_records` (the reader of
  every command: decoding per line, CSV records numbered by the line they start on); chunks are read with the
  same code from their offsets. ``--encoding ENC`` decodes every line strictly with ENC.
- empty file: no rows, a note in the summary; a blank line is not a row.
- UTF-16/32 files are a file-level error (convert them).
- CRLF line ends are accepted everywhere.
- missing ``text`` column: a summary note naming the columns; each row without text (or title) is an error row.
- duplicated ids: every row is kept and scored (``file`` + ``line`` tell them apart); the summary counts them.
- huge rows: rows up to ``max_row_bytes`` (16 MiB) are read; a title or text over the one length limit
  (:data:`model.notes.MAX_TEXT_CHARS`, :data:`~model.notes.MAX_TITLE_CHARS`) makes an error row naming it; a
  longer row is an error row and is skipped over without being loaded into memory.

Modules, one per step and part: :mod:`~serve.batch.config` (options), :mod:`~serve.batch.plan` (1),
:mod:`~serve.batch.score` (2, the per-chunk function), :mod:`~serve.batch.record` (3, the manifest),
:mod:`~serve.batch.finish` (4), :mod:`~serve.batch.engines` (process pool, Dask), :mod:`~serve.batch.readers`,
:mod:`~serve.batch.writers`, :mod:`~serve.batch.report` (per creator) and :mod:`~serve.batch.run` (the whole run).
"""

from serve.batch.config import DEFAULT_CHUNK_SIZE, BatchConfig, ScorerSpec, output_format
from serve.batch.plan import Chunk, Plan, expand_inputs, make_plan
from serve.batch.readers import iter_output_rows, read_chunk
from serve.batch.report import creator_table, write_report
from serve.batch.run import Interrupted, run_batch
from serve.batch.score import score_chunk
from serve.batch.writers import encode_rows

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "BatchConfig",
    "Chunk",
    "Interrupted",
    "Plan",
    "ScorerSpec",
    "creator_table",
    "encode_rows",
    "expand_inputs",
    "iter_output_rows",
    "make_plan",
    "output_format",
    "read_chunk",
    "run_batch",
    "score_chunk",
    "write_report",
]
