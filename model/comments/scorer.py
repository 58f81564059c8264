"""Scoring one note's comments: per comment a sentiment label, keyword hits and a water (``suspect``) flag; per
note the keyword ratio and positive share, raw and with suspect comments removed (:class:`CommentReport`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from model.comments.crossnote import CrossNoteFlags
from model.comments.keywords import (
    DEFAULT_KEYWORDS_FILE,
    check_negation,
    check_sets,
    merge_keyword_sets,
    read_keyword_config,
)
from model.comments.matcher import KeywordMatcher
from model.comments.sentiment import LABELS, SentimentModel, load_sentiment_model
from model.comments.water import CreatorNote, WaterDetector, is_creator
from model.errors import InvalidNoteError, InvalidParameterError
from model.notes import Comment, Note, parse_comment, type_name
from model.schema import is_blank

DEFAULT_MAX_COMMENT_CHARS = 1000


@dataclass(frozen=True)
class CommentScore:
    index: int
    label: str
    positive_probability: float | None
    keyword_hits: dict[str, list[str]]
    truncated: bool = False
    empty: bool = False
    suspect_reason: str | None = None
    #: written by the note's author: no engagement of the audience, left out of the ``_clean`` figures
    creator_reply: bool = False

    @property
    def suspect(self) -> bool:
        return self.suspect_reason is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "label": self.label,
            "positive_probability": self.positive_probability,
            "keyword_hits": {k: list(v) for k, v in self.keyword_hits.items()},
            "truncated": self.truncated,
            "empty": self.empty,
            "suspect": self.suspect,
            "suspect_reason": self.suspect_reason,
            "creator_reply": self.creator_reply,
        }


@dataclass(frozen=True)
class CommentReport:
    """Scores of one note's comments.

    ``keyword_ratio[set]`` is the share of comments hitting at least one keyword of the set; ``keyword_hits[set][kw]``
    counts the comments containing ``kw``; ``matched_comments[set]`` lists their indices. ``positive_share`` =
    positive / (positive + negative), ``None`` when no comment is polar. The ``_weighted`` variants weight each
    comment by 1 + its likes; ``None`` when no comment carries likes. ``water_ratio`` is the share of suspect
    comments (:mod:`model.comments.water`); the ``_clean`` variants are computed over the audience's comments
    only: neither suspect nor among the ``n_creator_replies`` (replies by the note's author, which no water rule
    judges: answering fans is not bought engagement, nor is it the audience speaking).
    A share of no comments is undefined, not 0: without comments every ratio and share is ``None`` (the counts
    say 0), and without comments left after the suspects the ``_clean`` ones are.
    """

    n_comments: int
    comments: tuple[CommentScore, ...]
    keyword_ratio: dict[str, float | None]
    keyword_hits: dict[str, dict[str, int]]
    matched_comments: dict[str, list[int]]
    label_counts: dict[str, int]
    positive_share: float | None
    positive_share_weighted: float | None = None
    keyword_ratio_weighted: dict[str, float | None] = field(default_factory=dict)
    n_truncated: int = 0
    n_empty: int = 0
    water_ratio: float | None = 0.0
    suspect_reasons: dict[str, int] = field(default_factory=dict)
    keyword_ratio_clean: dict[str, float | None] = field(default_factory=dict)
    label_counts_clean: dict[str, int] = field(default_factory=dict)
    positive_share_clean: float | None = None
    n_creator_replies: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_comments": self.n_comments,
            "comments": [c.to_dict() for c in self.comments],
            "keyword_ratio": dict(self.keyword_ratio),
            "keyword_ratio_weighted": dict(self.keyword_ratio_weighted),
            "keyword_hits": {k: dict(v) for k, v in self.keyword_hits.items()},
            "matched_comments": {k: list(v) for k, v in self.matched_comments.items()},
            "label_counts": dict(self.label_counts),
            "positive_share": self.positive_share,
            "positive_share_weighted": self.positive_share_weighted,
            "n_truncated": self.n_truncated,
            "n_empty": self.n_empty,
            "water_ratio": self.water_ratio,
            "suspect_reasons": dict(self.suspect_reasons),
            "keyword_ratio_clean": dict(self.keyword_ratio_clean),
            "label_counts_clean": dict(self.label_counts_clean),
            "positive_share_clean": self.positive_share_clean,
            "n_creator_replies": self.n_creator_replies,
        }


def share(num: float, den: float) -> float | None:
    """``num / den`` to 6 places; ``None`` when ``den`` is 0: a share of nothing is undefined, not 0."""
    return None if den <= 0 else round(num / den, 6)


def parse_comments(comments: Any, *, name: str = "comments") -> list[Comment]:
    """Validate a note's comments: a list of strings, objects ``{text, likes, author}`` (or CHASM's
    ``{content}``) or :class:`~model.notes.Comment`; a :class:`~model.notes.Note` gives its own comments."""
    if isinstance(comments, Note):
        return list(comments.comments)
    if comments is None or isinstance(comments, (str, bytes, Mapping, Comment)):
        raise InvalidNoteError(
            f"'{name}' must be a list of comments (strings or objects with 'text'). Got a single "
            f"{type_name(comments)} {comments!r:.60} instead; wrap it in a list."
        )
    try:
        items = list(comments)
    except TypeError:
        raise InvalidNoteError(f"'{name}' must be a list of comments. Got {type_name(comments)}.") from None
    return [c if isinstance(c, Comment) else parse_comment(c, where=f"{name}: ", index=i) for i, c in enumerate(items)]


class CommentScorer:
    """Keyword ratio and sentiment of a note's comments.

    Parameters
    ----------
    sentiment : SentimentModel
    keyword_sets : mapping of str to list of str, optional
        The sets every request is matched against (default: the shipped sets with their exclude phrases).
        Request keywords passed to :meth:`score` are *added* to these.
    keyword_exclude : mapping of str to list of str, optional
        Exclude phrases per set (default: the shipped ones when ``keyword_sets`` is None, else none).
    keyword_negation : mapping of str to str, optional
        What a negated hit means per set (``ignore`` / ``cancel`` / ``cancel_unless_question``, see
        :mod:`model.comments.negation`; default: the shipped modes when ``keyword_sets`` is None, else ``ignore``
        for every set). Request keywords added to a set follow its mode.
    max_comment_chars : int
        The sentiment model reads the first ``max_comment_chars`` characters of a longer comment, reported as
        truncated; keywords are found in the whole comment.
    water : WaterDetector or None
        Flags suspect comments (default: :class:`~model.comments.water.WaterDetector` with its defaults); None
        flags none.
    """

    def __init__(
        self,
        *,
        sentiment: SentimentModel,
        keyword_sets: Mapping[str, Sequence[str]] | None = None,
        keyword_exclude: Mapping[str, Sequence[str]] | None = None,
        keyword_negation: Mapping[str, str] | None = None,
        max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS,
        water: WaterDetector | str | None = "default",
    ) -> None:
        if not isinstance(sentiment, SentimentModel):
            raise InvalidParameterError(
                f"The 'sentiment' parameter of CommentScorer must be a SentimentModel. Got {type_name(sentiment)}."
            )
        if isinstance(max_comment_chars, bool) or not isinstance(max_comment_chars, int) or max_comment_chars < 1:
            raise InvalidParameterError(
                "The 'max_comment_chars' parameter of CommentScorer must be an int >= 1. "
                f"Got {max_comment_chars!r} instead."
            )
        self.sentiment = sentiment
        self.max_comment_chars = max_comment_chars
        if water == "default":
            water = WaterDetector()
        if water is not None and not isinstance(water, WaterDetector):
            raise InvalidParameterError(
                f"The 'water' parameter of CommentScorer must be a WaterDetector or None. Got {type_name(water)}."
            )
        self.water = water
        if keyword_sets is None:
            keyword_sets, shipped_exclude, shipped_negation = read_keyword_config(DEFAULT_KEYWORDS_FILE)
            keyword_exclude = shipped_exclude if keyword_exclude is None else keyword_exclude
            keyword_negation = shipped_negation if keyword_negation is None else keyword_negation
        self.keyword_sets = check_sets(keyword_sets, "keyword_sets")
        self.keyword_exclude = check_sets(keyword_exclude or {}, "keyword_exclude")
        self.keyword_negation = check_negation(keyword_negation or {}, "keyword_negation")
        self.matcher = KeywordMatcher(self.keyword_sets, exclude=self.keyword_exclude, negation=self.keyword_negation)

    def with_keywords(
        self,
        keyword_sets: Mapping[str, Sequence[str]],
        *,
        exclude: Mapping[str, Sequence[str]] | None = None,
        negation: Mapping[str, str] | None = None,
    ) -> CommentScorer:
        """A scorer with the same sentiment model and water detection whose sets are these plus ``keyword_sets``
        (a keyword file's sets, with its exclude phrases and negation modes; a mode given here wins)."""
        return CommentScorer(
            sentiment=self.sentiment,
            keyword_sets=merge_keyword_sets(self.keyword_sets, keyword_sets),
            keyword_exclude=merge_keyword_sets(self.keyword_exclude, check_sets(exclude or {}, "exclude")),
            keyword_negation={**self.keyword_negation, **check_negation(negation or {}, "negation")},
            max_comment_chars=self.max_comment_chars,
            water=self.water,
        )

    def _matcher_for(self, keywords: Mapping[str, Sequence[str]] | None) -> KeywordMatcher:
        if keywords is None:
            return self.matcher
        extra = check_sets(keywords, "keywords")
        if not extra:
            return self.matcher
        return KeywordMatcher(
            merge_keyword_sets(self.keyword_sets, extra), exclude=self.keyword_exclude, negation=self.keyword_negation
        )

    def score(
        self, comments: Any, keywords: Mapping[str, Sequence[str]] | None = None, *, note_text: str = ""
    ) -> CommentReport:
        """Score one note's comments. ``keywords`` (set -> keywords) are added to the scorer's sets;
        ``note_text`` (the note's title and text) lets comments that copy it be flagged."""
        if isinstance(comments, Note):
            return self.score_many([comments], keywords=keywords)[0]
        return self.score_many([comments], keywords=keywords, note_texts=[note_text])[0]

    def score_many(
        self,
        notes_comments: Iterable[Any],
        keywords: Mapping[str, Sequence[str]] | None = None,
        *,
        note_texts: Sequence[str] | None = None,
        creators: Sequence[str | None] | None = None,
        cross_note: CrossNoteFlags | None = None,
    ) -> list[CommentReport]:
        """:meth:`score` for many notes at once (one sentiment pass over all comments): one report per item.

        Water detection looks at all notes of a creator together: a :class:`~model.notes.Note` item brings its
        own text and ``author``; for lists of comments, ``note_texts`` and ``creators`` give them (one per item).
        Notes without a creator are judged each on its own. When these notes are only part of the input (a chunk),
        ``cross_note`` (a first pass over all of it, :mod:`model.comments.crossnote`) makes the rules that look
        across a creator's notes judge them as if all were here."""
        if isinstance(notes_comments, (str, bytes, Mapping)):
            raise InvalidNoteError(
                "'notes_comments' must be a list with one list of comments per note. Got a single "
                f"{type_name(notes_comments)}."
            )
        items = list(notes_comments)
        parsed = [parse_comments(c, name="comments" if i == 0 else f"notes_comments[{i}]") for i, c in enumerate(items)]
        texts_of = _aligned(note_texts, len(items), "note_texts")
        creators_of = _aligned(creators, len(items), "creators")
        for i, item in enumerate(items):
            if isinstance(item, Note):
                texts_of[i] = texts_of[i] or "\n".join(t for t in (item.title, item.text) if t)
                creators_of[i] = creators_of[i] if creators_of[i] is not None else item.author
        suspects = self._suspects(parsed, texts_of, creators_of, cross_note)
        matcher = self._matcher_for(keywords)
        cap = self.max_comment_chars
        # keywords are found in the whole comment ("好"*1500 + "求链接" asks for the link); only the sentiment model
        # reads the first ``cap`` characters, its cost growing with the text
        hits = matcher.match_many([c.text for cs in parsed for c in cs])
        probs, labels = self.sentiment.predict_labeled([c.text[:cap] for cs in parsed for c in cs])
        reports = []
        pos = 0
        for cs, creator in zip(parsed, creators_of, strict=True):
            n = len(cs)
            reports.append(
                self._report(
                    cs,
                    hits[pos : pos + n],
                    probs[pos : pos + n],
                    labels[pos : pos + n],
                    matcher,
                    suspects[len(reports)],
                    [is_creator(c.author, creator) for c in cs],
                )
            )
            pos += n
        return reports

    def _suspects(
        self,
        parsed: list[list[Comment]],
        texts: list[str | None],
        creators: list[str | None],
        cross_note: CrossNoteFlags | None = None,
    ) -> list[list[str | None]]:
        out: list[list[str | None]] = [[None] * len(cs) for cs in parsed]
        if self.water is None:
            return out
        groups: dict[Any, list[int]] = {}
        for i, creator in enumerate(creators):
            groups.setdefault(("creator", creator) if creator is not None else ("note", i), []).append(i)
        for (kind, creator), members in groups.items():
            facts = cross_note.creator(creator) if cross_note is not None and kind == "creator" else None
            flags = self.water.flag(
                [CreatorNote(text=texts[i] or "", comments=parsed[i]) for i in members],
                facts,
                creator=creator if kind == "creator" else None,
            )
            for i, f in zip(members, flags, strict=True):
                out[i] = f
        return out

    def _report(
        self,
        comments: list[Comment],
        hits: list[dict[str, list[str]]],
        probs: np.ndarray,
        labels: list[str],
        matcher: KeywordMatcher,
        suspects: list[str | None],
        own: list[bool],
    ) -> CommentReport:
        n = len(comments)
        has_likes = any(c.likes is not None for c in comments)
        weights = np.array([1 + (c.likes or 0) for c in comments], dtype=np.float64)
        scored: list[CommentScore] = []
        counts = dict.fromkeys(LABELS, 0)
        kw_counts: dict[str, dict[str, int]] = {s: {} for s in matcher.sets}
        matched: dict[str, list[int]] = {s: [] for s in matcher.sets}
        matched_w: dict[str, float] = dict.fromkeys(matcher.sets, 0.0)
        pos_w = neg_w = 0.0
        counts_clean = dict.fromkeys(LABELS, 0)
        matched_clean: dict[str, int] = dict.fromkeys(matcher.sets, 0)
        reasons: dict[str, int] = {}
        replies = 0
        for i, (c, h, p, label, why, mine) in enumerate(zip(comments, hits, probs, labels, suspects, own, strict=True)):
            prob = None if not math.isfinite(p) else round(float(p), 6)
            counts[label] += 1
            if why is not None:
                reasons[why] = reasons.get(why, 0) + 1
            elif mine:
                replies += 1
            else:
                counts_clean[label] += 1
                for set_name, words in h.items():
                    matched_clean[set_name] += bool(words)
            if label == "positive":
                pos_w += weights[i]
            elif label == "negative":
                neg_w += weights[i]
            for set_name, words in h.items():
                if words:
                    matched[set_name].append(i)
                    matched_w[set_name] += weights[i]
                    for w in words:
                        kw_counts[set_name][w] = kw_counts[set_name].get(w, 0) + 1
            scored.append(
                CommentScore(
                    index=i,
                    label=label,
                    positive_probability=prob,
                    keyword_hits=h,
                    truncated=len(c.text) > self.max_comment_chars,
                    empty=is_blank(c.text),  # invisible marks alone too, as a note's blank text
                    suspect_reason=why,
                    creator_reply=mine,
                )
            )
        total_w = float(weights.sum())
        water = sum(reasons.values())
        n_clean = n - water - replies
        return CommentReport(
            n_comments=n,
            comments=tuple(scored),
            keyword_ratio={s: share(len(idx), n) for s, idx in matched.items()},
            keyword_hits=kw_counts,
            matched_comments=matched,
            label_counts=counts,
            positive_share=share(counts["positive"], counts["positive"] + counts["negative"]),
            positive_share_weighted=share(pos_w, pos_w + neg_w) if has_likes else None,
            keyword_ratio_weighted={s: (share(w, total_w) if has_likes else None) for s, w in matched_w.items()},
            n_truncated=sum(s.truncated for s in scored),
            n_empty=sum(s.empty for s in scored),
            water_ratio=share(water, n),
            suspect_reasons=reasons,
            keyword_ratio_clean={s: share(k, n_clean) for s, k in matched_clean.items()},
            label_counts_clean=counts_clean,
            positive_share_clean=share(counts_clean["positive"], counts_clean["positive"] + counts_clean["negative"]),
            n_creator_replies=replies,
        )


def _aligned(values: Sequence[Any] | None, n: int, name: str) -> list[Any]:
    if values is None:
        return [None] * n
    values = list(values)
    if len(values) != n:
        raise InvalidParameterError(f"'{name}' must have one value per note ({n}). Got {len(values)}.")
    return values


def load_comment_scorer(directory: str | Path | None = None, *, allow_version_mismatch: bool = False) -> CommentScorer:
    """A :class:`CommentScorer` with the sentiment model in ``directory`` (default: the shipped one) and the
    shipped keyword sets."""
    return CommentScorer(sentiment=load_sentiment_model(directory, allow_version_mismatch=allow_version_mismatch))
