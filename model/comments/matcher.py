"""Many keyword sets matched at once with one Aho-Corasick automaton (pyahocorasick) over the characters of a
normalised text (:mod:`model.comments.normalise`); a set may drop negated hits (:mod:`model.comments.negation`)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate

from model.comments.keywords import check_negation, check_sets
from model.comments.negation import CANCEL_UNLESS_QUESTION, IGNORE, Clauses, is_negated, may_negate
from model.comments.normalise import latin_kind, normalize_for_matching, normalize_many
from model.errors import InvalidParameterError
from model.notes import type_name


class KeywordMatcher:
    """Match many keyword sets against texts with one Aho-Corasick automaton.

    Parameters
    ----------
    sets : mapping of str to list of str
        Keyword-set name -> keywords. Hits are reported with the keyword's spelling as given. Every set must
        hold at least one keyword; an empty or whitespace-only keyword is an error (it would match everything).
        Keywords of one set that are equal after normalisation (``LANRUO`` and ``lanruo``) are merged into the
        first spelling; :attr:`merged` lists each ``(set, merged keyword, kept keyword)``.
    exclude : mapping of str to list of str, optional
        Set name -> phrases that cancel a hit of that set lying inside them (``托`` inside ``拜托``).
    negation : mapping of str to str, optional
        Set name -> what a negated hit of that set means (:data:`model.comments.negation.NEGATION_MODES`):
        ``ignore`` (every hit counts; the default for sets not named), ``cancel`` (不会再回购 is no purchase intent)
        or ``cancel_unless_question`` (不是广告 is no ad suspicion, 不是广告吧 is).
    """

    def __init__(
        self,
        sets: Mapping[str, Sequence[str]],
        *,
        exclude: Mapping[str, Sequence[str]] | None = None,
        negation: Mapping[str, str] | None = None,
    ) -> None:
        import ahocorasick

        checked = check_sets(sets, "sets")
        if not checked:
            raise InvalidParameterError("'sets' must hold at least one keyword set. Got an empty mapping.")
        excl = check_sets(exclude or {}, "exclude")
        unknown = sorted(set(excl) - set(checked))
        if unknown:
            raise InvalidParameterError(
                f"'exclude' names keyword sets that do not exist: {unknown}. Known sets: {sorted(checked)}."
            )
        neg = check_negation(negation or {}, "negation")
        unknown = sorted(set(neg) - set(checked))
        if unknown:
            raise InvalidParameterError(
                f"'negation' names keyword sets that do not exist: {unknown}. Known sets: {sorted(checked)}."
            )
        #: Set name -> negation mode, for the sets where a negation changes what counts.
        self.negation: dict[str, str] = {k: v for k, v in neg.items() if v != IGNORE}
        self.sets: dict[str, list[str]] = {}
        self.exclude: dict[str, list[str]] = {}
        self.merged: list[tuple[str, str, str]] = []
        # normalised pattern -> ([(set, canonical keyword)], [sets it excludes for])
        patterns: dict[str, tuple[list[tuple[str, str]], list[str]]] = {}
        for set_name, words in checked.items():
            if not words:
                raise InvalidParameterError(
                    f"Keyword set {set_name!r} must hold at least one keyword. Got an empty list."
                )
            kept: dict[str, str] = {}
            for i, (word, norm) in enumerate(zip(words, normalize_many(words), strict=True)):
                if not norm:
                    raise InvalidParameterError(
                        f"Keyword {i} of set {set_name!r} must contain visible characters. Got {word!r}."
                    )
                if norm in kept:
                    self.merged.append((set_name, word, kept[norm]))
                    continue
                kept[norm] = word
                patterns.setdefault(norm, ([], []))[0].append((set_name, word))
            self.sets[set_name] = list(kept.values())
        for set_name, words in excl.items():
            self.exclude[set_name] = []
            for i, (word, norm) in enumerate(zip(words, normalize_many(words), strict=True)):
                if not norm:
                    raise InvalidParameterError(
                        f"Exclude phrase {i} of set {set_name!r} must contain visible characters. Got {word!r}."
                    )
                self.exclude[set_name].append(word)
                patterns.setdefault(norm, ([], []))[1].append(set_name)
        automaton = ahocorasick.Automaton()
        for norm, (hits, excludes) in patterns.items():
            # a Latin keyword's edge may not touch a character of its own kind (latin_kind)
            automaton.add_word(
                norm, (len(norm), tuple(hits), tuple(excludes), latin_kind(norm[0]), latin_kind(norm[-1]))
            )
        automaton.make_automaton()
        self._automaton = automaton

    def __repr__(self) -> str:
        sizes = {k: len(v) for k, v in self.sets.items()}
        return f"KeywordMatcher(sets={sizes})"

    @property
    def n_keywords(self) -> int:
        return sum(len(v) for v in self.sets.values())

    def _match_normalized(self, norm: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in self.sets}
        matches = list(self._automaton.iter(norm)) if norm else ()
        if not matches:
            return out
        found: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
        cancel: dict[str, list[tuple[int, int]]] = {}
        n = len(norm)
        for end, (length, hits, excludes, latin_start, latin_end) in matches:
            start = end - length + 1
            for set_name in excludes:
                cancel.setdefault(set_name, []).append((start, end))
            if not hits:
                continue
            if latin_start and start > 0 and latin_kind(norm[start - 1]) == latin_start:
                continue
            if latin_end and end + 1 < n and latin_kind(norm[end + 1]) == latin_end:
                continue
            found.append((start, end, hits))
        negation = self.negation if self.negation and may_negate(norm) else {}
        negated: dict[int, bool] = {}
        clauses = Clauses(norm) if negation else None
        # A keyword inside a longer hit shares its negation (不是打广告: 广告 too): the hit's head is where the longest
        # hit around it starts.
        hits_of = _Holders((start, end) for start, end, _ in found) if negation else None
        covers = {set_name: _Holders(spans) for set_name, spans in cancel.items()}
        counted: set[tuple[str, str]] = set()
        # Keywords whose every set has counted them: their later hits change nothing. (A request may bring sets of
        # 64 keywords that all end at every character, "好" … "好好…好": looking each one up again for every set at
        # every character cost 170 µs a character.)
        done: set[int] = set()
        for start, end, hits in found:
            if id(hits) in done:
                continue
            head = hits_of.first_start(start, end) if hits_of is not None else start
            complete = True
            for set_name, word in hits:
                if (set_name, word) in counted:
                    continue
                cover = covers.get(set_name)
                if cover is not None and cover.first_start(start, end) is not None:
                    complete = False
                    continue
                mode = negation.get(set_name)
                if mode is not None:
                    if head not in negated:
                        negated[head] = is_negated(norm, head)
                    if negated[head] and not (mode == CANCEL_UNLESS_QUESTION and clauses.is_question(start, end + 1)):
                        complete = False
                        continue
                out[set_name].append(word)
                counted.add((set_name, word))
            if complete:
                done.add(id(hits))  # the automaton's own tuple, the same object at every hit of the keyword
        return out

    def match(self, text: str) -> dict[str, list[str]]:
        """Set name -> keywords of that set found in ``text`` (spelling as given, in order of first hit).
        Every set is present, with an empty list when nothing hit."""
        if not isinstance(text, str):
            raise InvalidParameterError(f"'text' must be a string. Got {type_name(text)} {text!r:.60} instead.")
        return self._match_normalized(normalize_for_matching(text))

    def match_many(self, texts: Sequence[str]) -> list[dict[str, list[str]]]:
        """:meth:`match` for many texts (one traditional->simplified conversion for all of them)."""
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise InvalidParameterError(f"'texts[{i}]' must be a string. Got {type_name(t)} {t!r:.60} instead.")
        return [self._match_normalized(norm) for norm in normalize_many(texts)]


class _Holders:
    """Spans ``(start, end)`` (inclusive ends, overlapping or nested) of a text, asked which of them hold a hit:
    sorted by start, the longer first at a tie, with the running maximum of their ends, the first whose end reaches
    the hit's is the holder that starts first, found by bisection (comparing every span with every hit was quadratic:
    a comment of 不是广告 written 1,250 times cost 0.2 s, one of 不想买 written 1,666 times 0.1 s)."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        spans = sorted(spans, key=lambda span: (span[0], -span[1]))
        self._starts = [s for s, _ in spans]
        self._reach = list(accumulate((e for _, e in spans), max))

    def first_start(self, start: int, end: int) -> int | None:
        """The smallest start of the spans holding ``(start, end)``, None when none does."""
        i = bisect_left(self._reach, end)
        return self._starts[i] if i < len(self._starts) and self._starts[i] <= start else None
