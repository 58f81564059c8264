"""What water detection must know about *all* of a creator's notes, gathered in a first pass over an input that
is then scored in pieces (``notecheck score`` scores chunks of rows; ``notecheck comments`` sees the whole input
at once and needs none of this).

Three rules of :class:`~model.comments.water.WaterDetector` look beyond one note: ``duplicate`` (a near copy of
another comment on any of the creator's notes), ``template`` (the creator has enough generic-praise comments
to make a family) and ``same_commenter`` (a commenter on many of the creator's notes). :class:`CrossNoteIndex`
reads every note once and answers them per creator as :class:`CrossNoteFlags`: the hashes of the duplicate
comment texts, the creators with a template family and the repeat commenters. A chunk's comments are then
flagged exactly as if all of the creator's notes had been passed to the detector together (the same code
decides: :meth:`WaterDetector.duplicate_texts`).

Memory: what the first pass gathers (each long enough comment's word characters, each commenter) is appended to
``buckets`` temporary files by a hash of the creator, and the buckets are judged one at a time, so the pass
holds about one bucket (the input's comment text / ``buckets``, at least the largest creator's) plus a few
counters per creator. The flags kept for scoring are 8 bytes per duplicate text and per repeat commenter.
"""

from __future__ import annotations

import hashlib
import io
import math
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.comments.water import WaterDetector, is_creator, word_chars
from model.schema import Note


def _key(*parts: str) -> int:
    """A 63-bit hash of ``parts`` (stable across processes and machines)."""
    h = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8, person=b"notecheck-water").digest()
    return int.from_bytes(h, "little") >> 1


def _creator_key(creator: str) -> str:
    return f"{_key(creator):016x}"


def _member(sorted_keys: np.ndarray, key: int) -> bool:
    i = int(np.searchsorted(sorted_keys, key))
    return i < len(sorted_keys) and int(sorted_keys[i]) == key


@dataclass(frozen=True)
class CreatorFacts:
    """The cross-note facts of one creator that :meth:`WaterDetector.flag` uses instead of its own grouping."""

    flags: CrossNoteFlags
    creator: str

    def is_duplicate(self, chars: str) -> bool:
        """Whether a comment with these word characters is an exact or near duplicate on the creator's notes."""
        return _member(self.flags.duplicates, _key(_creator_key(self.creator), chars))

    @property
    def template_family(self) -> bool:
        return _member(self.flags.template_creators, _key(_creator_key(self.creator)))

    def is_repeat_commenter(self, author: str) -> bool:
        return _member(self.flags.repeat_commenters, _key(_creator_key(self.creator), author))


@dataclass(frozen=True)
class CrossNoteFlags:
    """Creator-level answers of a first pass (see the module docstring); sorted 63-bit keys."""

    duplicates: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    template_creators: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    repeat_commenters: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def creator(self, creator: str) -> CreatorFacts:
        return CreatorFacts(self, creator)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, duplicates=self.duplicates, template_creators=self.template_creators,
                 repeat_commenters=self.repeat_commenters)  # fmt: skip
        return buf.getvalue()

    @classmethod
    def load(cls, path: str | Path) -> CrossNoteFlags:
        with np.load(path) as data:
            return cls(data["duplicates"], data["template_creators"], data["repeat_commenters"])


def _named(exc: OSError, fh: io.TextIOBase) -> OSError:
    """``exc`` naming the bucket file: a write error says which file (the CLI's one-line message needs it)."""
    return OSError(exc.errno, exc.strerror, getattr(fh, "name", None))


def _sorted(keys: Iterable[int]) -> np.ndarray:
    return np.unique(np.fromiter(keys, dtype=np.int64))


class CrossNoteIndex:
    """First pass: :meth:`add` every note of the input (in input order), then :meth:`finish`."""

    def __init__(self, water: WaterDetector, *, buckets: int = 16, directory: str | Path | None = None) -> None:
        self.water = water
        self.buckets = max(1, int(buckets))
        # ``directory``: where the buckets go (a batch run puts them in its work directory, beside its output,
        # where the user made room, rather than in a /tmp that may be small).
        self._dir = Path(tempfile.mkdtemp(prefix="notecheck-crossnote-", dir=directory))
        self._files = [open(self._dir / f"{i:03d}.tsv", "w", encoding="utf-8") for i in range(self.buckets)]
        self._notes: dict[str, int] = {}  # creator key -> notes
        self._generic: dict[str, int] = {}  # creator key -> generic-praise comments
        self._n = 0

    def add(self, note: Note) -> None:
        """One note (every parsed note of the input, with or without comments: creators' note counts matter)."""
        self._n += 1
        if note.author is None:
            return  # judged on its own, within its chunk
        ck = _creator_key(note.author)
        self._notes[ck] = self._notes.get(ck, 0) + 1
        if not note.comments:
            return
        out = self._files[int(ck, 16) % self.buckets]
        try:
            self._write(out, ck, note)
        except OSError as exc:
            raise _named(exc, out) from exc

    def _write(self, out: io.TextIOBase, ck: str, note: Note) -> None:
        w = self.water
        for c in note.comments:
            if is_creator(c.author, note.author):
                continue  # the creator's own reply: no engagement (WaterDetector.flag)
            chars = word_chars(c.text)
            if kind := w.duplicate_kind(c.text, chars):
                out.write(f"d\t{ck}\t{kind}\t{chars}\n")
            if w.may_template(chars):
                self._generic[ck] = self._generic.get(ck, 0) + 1
            if c.author:
                out.write(f"c\t{ck}\t{self._n}\t{_key(ck, c.author)}\n")

    def finish(self) -> CrossNoteFlags:
        """Judge every bucket; the temporary files are removed."""
        try:
            for fh in self._files:
                try:
                    fh.close()  # the buffered tail of a bucket is written here: a full disk can show now
                except OSError as exc:
                    raise _named(exc, fh) from exc
            dups: list[int] = []
            repeat: list[int] = []
            for i in range(self.buckets):
                self._judge(self._dir / f"{i:03d}.tsv", dups, repeat)
            template = [_key(ck) for ck, n in self._generic.items() if n >= self.water.template_min_family]
            return CrossNoteFlags(_sorted(dups), _sorted(template), _sorted(repeat))
        finally:
            self.close()

    def close(self) -> None:
        for fh in self._files:
            try:
                fh.close()
            except OSError:
                pass  # cleaning up after a failed write, already raised by add() or finish(); the files go anyway
        shutil.rmtree(self._dir, ignore_errors=True)

    def _judge(self, path: Path, dups: list[int], repeat: list[int]) -> None:
        texts: dict[str, tuple[list[str], list[int]]] = {}  # creator key -> comments' word characters, kinds
        commenters: dict[tuple[str, str], set[str]] = {}  # (creator key, commenter key) -> notes
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if parts[0] == "d":
                    chars, kinds = texts.setdefault(parts[1], ([], []))
                    kinds.append(int(parts[2]))
                    chars.append(parts[3])
                else:
                    commenters.setdefault((parts[1], parts[3]), set()).add(parts[2])
        for ck, (chars, kinds) in texts.items():
            dups.extend(_key(ck, t) for t in self.water.duplicate_texts(chars, kinds))
        w = self.water
        for (ck, commenter), notes in commenters.items():
            need = max(w.same_commenter_min_notes, math.ceil(w.same_commenter_share * self._notes[ck]))
            if len(notes) >= need:
                repeat.append(int(commenter))
