"""The ad classifier at inference time: probabilities, decisions and reasons.

The fitted scikit-learn pipeline is ``NoteDocuments -> FeatureUnion(word TF-IDF [, char TF-IDF]) ->
LogisticRegression``. :class:`AdModel` wraps it with what training decided: the sigmoid calibration of the
decision function, the operating threshold (chosen on validation data at a target false-positive rate on
genuine notes) and the lower edge of the "review" band.

Notes become documents in :mod:`model.documents`; the feature-level explanations (diagnostics) are in
:mod:`model.explanation`; the writer-facing highlights and reasons come from :mod:`model.highlights`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from model.cue_contacts import CN_NUMERAL, SAME_NUMBER
from model.cues import CUE_PATTERNS
from model.declared import declared_spans
from model.documents import DocumentBuilder, as_notes
from model.engine import CompiledModel, CompiledPipeline, Features, sigmoid
from model.errors import InvalidParameterError
from model.explanation import Explanation, FeatureExplanations, cue_evidence
from model.highlights import (
    CATEGORIES,
    MAX_HIGHLIGHTS,
    Highlight,
    Parsed,
    ReadableReason,
    Span,
    advice,
    as_quoted,
    attribute_parsed,
    declared_first,
    is_help_notice,
    note_fields,
    parse_feature,
    phrases,
    reasons,
    strongest,
    with_declared,
)
from model.notes import Note
from model.text import Prepared

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

DECISIONS = ("ad", "review", "genuine")
#: Readable reasons of a default check; the advice is drawn from them whatever ``top`` a caller asks for.
_ADVICE_REASONS = 8
#: The most readable reasons a caller may ask for (``notecheck check --top``, the API's ``top``).
MAX_TOP = 50


def __getattr__(name: str) -> Any:
    # ``NoteDocuments`` is a scikit-learn estimator; it lives in model.pipeline so that inference never imports
    # scikit-learn. Importing it from here still works.
    if name == "NoteDocuments":
        from model.pipeline import NoteDocuments

        return NoteDocuments
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class CheckResult:
    decision: str
    ad_probability: float
    threshold: float
    review_threshold: float
    explanation: Explanation | None  # feature-level contributions (diagnostics; only when asked for)
    cues: tuple[dict[str, Any], ...] = field(default=())
    highlights: tuple[Highlight, ...] = ()  # spans of the note as sent, strongest first
    reasons: tuple[ReadableReason, ...] = ()  # readable categories with their evidence spans
    advice: dict[str, str] | None = None  # one sentence for the writer when flagged (zh and en)
    declared: Span | None = None  # the words declaring the note an ad (model.declared), which decided it "ad"
    #: the note offers a messenger id (WeChat, QQ, LINE), which makes it "review" at least (AdModel.decide)
    contact: bool = False

    @property
    def decided_by_contact(self) -> bool:
        """Whether the note is ``review`` by its messenger id alone (:func:`decided_by_contact`)."""
        return decided_by_contact(self.decision, self.ad_probability, self.review_threshold, contact=self.contact)

    def to_dict(self) -> dict[str, Any]:
        """The writer-facing result as plain data, in the order of the API's response (without the diagnostics):
        what decided (probability, thresholds, declaration) first. Each reason carries its ``quotes`` and the
        declaration its ``quoted`` words, as the writer is shown them (:func:`~model.highlights.as_quoted`), so
        that no reader of the result needs the quoting rule."""
        d = self.declared
        return {
            "decision": self.decision,
            "ad_probability": self.ad_probability,
            "threshold": self.threshold,
            "review_threshold": self.review_threshold,
            "declared": None if d is None else {**d.to_dict(), "quoted": as_quoted(d.text)},
            "contact": self.contact,
            "highlights": [h.to_dict() for h in self.highlights],
            "reasons": [
                {"category": r.category, "label_zh": r.label_zh, "label_en": r.label_en, "direction": r.direction,
                 "weight": r.weight, "evidence": [e.to_dict() for e in r.evidence], "quotes": r.quotes()}
                for r in self.reasons
            ],
            "advice": None if self.advice is None else dict(self.advice),
        }  # fmt: skip


class AdModel(FeatureExplanations, CompiledModel):
    """A fitted ad classifier with its calibration, operating threshold and model card.

    ``pipeline`` is a fitted scikit-learn ``Pipeline`` (as training makes it) or a
    :class:`model.engine.CompiledPipeline` (as :func:`model.load_model` reads it). Either way predictions run on
    the compiled form (:mod:`model.engine`), which never imports scikit-learn; :attr:`pipeline` gives the
    scikit-learn form, built on first use.
    """

    def __init__(
        self,
        pipeline: Pipeline | CompiledPipeline,
        *,
        calibration: dict[str, float],
        threshold: float,
        review_threshold: float,
        card: dict[str, Any] | None = None,
    ) -> None:
        if not 0.0 <= review_threshold <= threshold <= 1.0:
            raise InvalidParameterError(
                f"The thresholds of AdModel must satisfy 0 <= review_threshold <= threshold <= 1. Got "
                f"review_threshold={review_threshold}, threshold={threshold}."
            )
        compiled = self._use_pipeline(pipeline, how_to_fit="Fit it with training.fit first.")
        self.calibration = {"a": float(calibration["a"]), "b": float(calibration["b"])}
        self.threshold = float(threshold)
        self.review_threshold = float(review_threshold)
        self.card: dict[str, Any] = dict(card or {})
        self._engine = compiled.features
        self._coef = self._engine.coef
        self._intercept = self._engine.intercept
        self._documents = DocumentBuilder(**compiled.documents)
        # Highlights end on the words the model's own tokenizer sees (a phrase "周末爬" of "周末爬山" is no phrase)
        word_parts = [p.tokenizer for p in self._engine.parts if getattr(p, "tokenizer", None) is not None]
        self._segment = word_parts[0].segment if word_parts else None
        self._readable: dict[int, tuple[str, str, str]] = {}  # column -> (feature, label, kind), filled lazily
        self._marker_names: dict[str, str] = {}  # placeholder -> readable name, filled lazily
        self._names: np.ndarray | None = None
        self._parsed: list[Parsed | None] | None = None  # column -> parse_feature of its name, filled lazily

    # -- scores -----------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.card.get("model_version", "unversioned"))

    def documents(self, notes: Iterable[Note]) -> list[str]:
        """The prepared documents of validated notes."""
        return self._documents.documents(notes)

    def transform(self, notes: Iterable[Any]) -> Features:
        """TF-IDF rows of notes (dicts, strings or :class:`Note`)."""
        return self._engine.transform(self.documents(as_notes(notes)))

    def _calibrate(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z, self.calibration["a"], self.calibration["b"])

    def decision_function(self, notes: Iterable[Any]) -> np.ndarray:
        return self._engine.decision(self.transform(notes))

    def predict_proba(self, notes: Iterable[Any]) -> np.ndarray:
        """Calibrated probability that each note is an ad (1-D array, one value per note)."""
        return self.predict_proba_documents(self.documents(as_notes(notes)))

    def predict_proba_documents(self, docs: Sequence[str]) -> np.ndarray:
        """:meth:`predict_proba` of notes already prepared by :meth:`documents`, for a caller that needs what the
        model reads of each note as well (the labelling queue takes two notes read alike as copies)."""
        return self._calibrate(self._engine.decision(self._engine.transform(docs)))

    def decide(
        self, probability: float, *, explained: bool = True, declared: bool = False, contact: bool = False
    ) -> str:
        """The decision for a note of ``probability``: ``ad`` at or above :attr:`threshold`, ``review`` at or above
        :attr:`review_threshold`, else ``genuine``. A note the model would call an ad although none of its phrases
        pushes towards ad, or whose text is too short to judge (``explained=False``: a bare number, "x", "你好",
        see :func:`_explained`) goes to ``review`` instead: the product promises no ad verdict without words of
        the writer's to show for it, and a human reads what the model cannot point to. A note that declares
        itself an ad (``declared``, see :mod:`model.declared`) is ``ad`` whatever its probability: its own words are
        the verdict's evidence. A note that offers a messenger id (``contact``: a WeChat, QQ or LINE id,
        :func:`offers_contact`) is ``review`` at least: a funnel to a private channel written after a long diary was
        decided genuine at 0.154 (each word's weight shrinks as a note grows; the same funnel alone is 0.99). A
        phone number is no such funnel (honest diners give a restaurant's), nor is 微信 without an id.
        :meth:`check` and :meth:`score` decide so;
        this method alone knows only what it is told."""
        if declared:
            return "ad"
        if probability >= self.threshold:
            return "ad" if explained else "review"
        if probability >= self.review_threshold or contact:
            return "review"
        return "genuine"

    def predict(self, notes: Iterable[Any]) -> list[str]:
        return self.score(as_notes(notes), top=0).decisions

    # -- reasons ----------------------------------------------------------------------------------------
    def feature_names(self) -> np.ndarray:
        if self._names is None:
            self._names = self._engine.feature_names()
        return self._names

    def explain(self, note: Any, *, top: int = 8) -> Explanation:
        """Top features pushing this note towards "ad" and towards "genuine", with their contributions."""
        _check_top(top, "explain")
        (parsed,) = as_notes([note], name="note")
        found: list[tuple[str, str]] = []
        doc = self._documents.document(parsed, found)
        X = self._engine.transform([doc])
        return self._explain_arrays(*X.row(0), cue_evidence(found), top, doc)

    def check(self, note: Any, *, top: int = 8, features: bool = False) -> CheckResult:
        """Decision, calibrated probability, thresholds, highlights, readable reasons and advice for one note;
        with ``features`` also the feature-level :class:`Explanation` (for model diagnostics)."""
        (parsed,) = as_notes([note], name="note")
        return self._check_parsed([parsed], top=top, features=features)[0]

    def check_many(self, notes: Iterable[Any], *, top: int = 8, features: bool = False) -> list[CheckResult]:
        return self._check_parsed(as_notes(notes), top=top, features=features)

    def _check_parsed(self, parsed: list[Note], *, top: int, features: bool = False) -> list[CheckResult]:
        _check_top(top, "check")
        found: list[list[tuple[str, str]]] = [[] for _ in parsed]
        prepared: list[dict[str, Prepared]] = [{} for _ in parsed]
        build = self._documents.document
        docs = [build(*args) for args in zip(parsed, found, prepared, strict=True)]
        X = self._engine.transform(docs)
        z = self._engine.decision(X)
        probs = self._calibrate(z)
        out = []
        for i in range(len(parsed)):
            evidence = cue_evidence(found[i])
            p = float(probs[i])
            idx, data = X.row(i)
            highlights = self.highlights(parsed[i], docs[i], idx, data, prepared[i])
            declared = declared_spans(parsed[i].title, parsed[i].text, prepared[i])
            if declared:  # the words that decided are shown leaning towards ad, not as the model weighed them
                highlights = with_declared(highlights, declared, self._lift(float(z[i])))
            contact = offers_contact(found[i])
            explained = _explained(highlights, parsed[i])
            decision = self.decide(p, explained=explained, declared=bool(declared), contact=contact)
            # The advice names the drivers a default check shows, however few reasons were asked for (`--top 0`
            # still flags the note for its contact details, not for "its overall wording").
            readable = declared_first(reasons(highlights, top=max(top, _ADVICE_REASONS)), declared)
            out.append(
                CheckResult(
                    decision=decision,
                    ad_probability=round(p, 6) if math.isfinite(p) else 0.0,
                    threshold=self.threshold,
                    review_threshold=self.review_threshold,
                    explanation=self._explain_arrays(idx, data, evidence, top, docs[i]) if features else None,
                    cues=tuple({"cue": k, "label": CUE_PATTERNS[k].label, "evidence": v} for k, v in evidence.items()),
                    highlights=tuple(highlights[:MAX_HIGHLIGHTS]),
                    reasons=tuple(readable[: max(top, 0)]),
                    advice=advice(
                        decision,
                        readable,
                        declared[0] if declared else None,
                        letters=_letters(parsed[i]),
                        contact_decided=decided_by_contact(decision, p, self.review_threshold, contact=contact),
                        # the fields as normalised for the document (simplified, Cantonese read), not again
                        help_notice=decision != "genuine"
                        and is_help_notice("\n".join(norm for norm, _ in prepared[i].values())),
                    ),
                    declared=declared[0] if declared else None,
                    contact=contact,
                )
            )
        return out

    def _lift(self, z: float) -> float:
        """The log-odds (of the decision function, as highlight weights are) that a note scoring ``z`` lacks to
        reach the ad threshold; 0 at or above it."""
        a, b, t = self.calibration["a"], self.calibration["b"], self.threshold
        if not (0.0 < t < 1.0 and a > 0.0 and math.isfinite(z)):
            return 0.0  # no threshold in log-odds to reach (or a calibration that falls as the score rises)
        return max(0.0, (math.log(t / (1.0 - t)) - b) / a - z)

    def highlights(
        self, note: Note, doc: str, idx: np.ndarray, data: np.ndarray, prepared: dict[str, Prepared] | None = None
    ) -> list[Highlight]:
        """Spans of the note's title and text as sent, with the log-odds their features contribute (see
        :mod:`model.highlights`), from one row of :meth:`transform`; ``prepared`` is what the document builder
        found in the fields (computed again when None). All of them, strongest first: reasons are grouped from
        them all, and :meth:`check` shows the first :data:`~model.highlights.MAX_HIGHLIGHTS`."""
        contrib = data * self._coef[idx]
        pick = strongest(contrib)
        # What attribution asks of each column, parsed from its name once per model: a list indexed by column is
        # cheaper than building 64 names per note and looking each up by its text.
        kept = self._parsed
        if kept is None:
            kept = self._parsed = [None] * self._engine.n_features
        cols = idx[pick].tolist()
        parsed = [kept[j] or self._parse_column(j) for j in cols]
        # what explain_spans does, with the kept parses
        fields = note_fields(note.title, note.text, prepared)
        return phrases(fields, attribute_parsed(fields, doc, parsed, contrib[pick].tolist()), self._segment)

    def _parse_column(self, j: int) -> Parsed:
        parsed = parse_feature(str(self.feature_names()[j]))
        self._parsed[j] = parsed  # type: ignore[index]
        return parsed

    def score(self, notes: Iterable[Note], *, top: int = 3) -> Scored:
        """Probabilities and decisions of validated notes, for a whole batch at once (what archive scoring needs),
        and for each note flagged ``ad`` or ``review`` its ``top`` readable reasons towards "ad" as text (the same
        reasons :meth:`check` gives, with their weights, e.g. ``联系方式 contact details (+1.94): “加VX”``), and its
        contact details after them when they are not among them; genuine notes get none. The decisions are
        :meth:`check`'s: a note at or above the threshold is attributed even with ``top=0``, to know whether any
        phrase explains an ad verdict (:meth:`decide`), and a note that declares itself an ad is one."""
        _check_top(top, "score")
        notes = list(notes)
        prepared: list[dict[str, Prepared]] = [{} for _ in notes]
        build = self._documents.document
        found: list[list[tuple[str, str]]] = [[] for _ in notes]
        docs = [build(*args) for args in zip(notes, found, prepared, strict=True)]
        X = self._engine.transform(docs)
        z = self._engine.decision(X)
        probs = self._calibrate(z)
        out: list[list[str]] = [[] for _ in range(X.n_rows)]
        contact = [offers_contact(f) for f in found]
        own = [self.decide(float(p), contact=c) for p, c in zip(probs.tolist(), contact, strict=True)]
        declared = [declared_spans(n.title, n.text, fields) for n, fields in zip(notes, prepared, strict=True)]
        attributed = probs >= (self.review_threshold if top > 0 else self.threshold)
        if top > 0:  # a declared note, or one offering contact details, is flagged whatever its probability
            attributed |= np.fromiter(map(bool, declared), dtype=bool, count=len(declared))
            attributed |= np.asarray(contact, dtype=bool)
        for i in np.flatnonzero(attributed).tolist():
            found = self.highlights(notes[i], docs[i], *X.row(i), prepared[i])
            own[i] = self.decide(float(probs[i]), explained=_explained(found, notes[i]), contact=contact[i])
            if top > 0:
                if declared[i]:  # the reasons check gives (the model's own decision above is the model's alone)
                    found = with_declared(found, declared[i], self._lift(float(z[i])))
                readable = declared_first(reasons(found, top=len(CATEGORIES) * 2), declared[i])
                towards_ad = [r for r in readable if r.direction == "ad"]
                # and the contact details whenever the note has them, as the advice names them: a WeChat id that
                # was a note's fourth reason was in no row of an audit's output
                shown = towards_ad[:top] + [r for r in towards_ad[top:] if r.category == "contact"][:1]
                out[i] = [r.text() for r in shown]
        decisions = ["ad" if d else o for d, o in zip(declared, own, strict=True)]
        return Scored(probs, out, decisions, [d[0] if d else None for d in declared], own, contact)


class Scored(NamedTuple):
    """What :meth:`AdModel.score` gives for a batch of notes, in their order."""

    probabilities: np.ndarray
    reasons: list[list[str]]  # readable reasons towards "ad" of flagged notes; none for genuine ones
    decisions: list[str]
    declared: list[Span | None]  # the words declaring a note an ad, which decided it (CheckResult.declared)
    model_decisions: list[str]  # the decisions of the probability alone, as if no note declared itself an ad
    contact: list[bool] | None = None  # which notes offer a messenger id (AdModel.decide: review at least)


def _check_top(top: Any, method: str) -> None:
    """``top`` as the CLI and the API take it: a whole number, 0 or more (-1 gave no reasons without a word)."""
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 0:
        raise InvalidParameterError(
            f"The 'top' parameter of AdModel.{method} must be a whole number >= 0. Got {top!r} instead."
        )


#: The fewest letters or digits (a Chinese character is a letter) in which the model may call a note an ad. A note's
#: features are normalised to unit length, so in a note of a word or two that word carries all of it: "你好" (the
#: salutation of SMS and WeChat promotions) scored ad 0.68, "推荐" 0.63. No labelled Xiaohongshu note is that short
#: (the shortest has 7); of the other corpora's ads, 3 promotional SMS and 4 WeChat ads of 10,713.
MIN_AD_LETTERS = 4


#: Channel words of a messenger cue, which are no id ("加vx", "wechat", "加VIP" read as 加V).
_CHANNEL_WORDS = frozenset({"v", "vx", "wx", "line", "id", "wechat", "weixin", "qq", "vip"})
#: A digit or a Chinese numeral: a QQ cue with one gives a number to add.
_HAS_NUMBER = re.compile(r"\d|" + CN_NUMERAL)
#: Runs of an id's characters in a matched cue (letters and digits set apart by single spaces joined first).
_ID_RUN = re.compile(r"[a-z0-9][-_a-z0-9]*")
#: A WeChat cue ending in "the same number (as the phone)": 微信同号, vx同手机号.
_SAME_AS_PHONE = re.compile(SAME_NUMBER + "$")
#: A space between two letters or digits of an id ("dx 8 8 6 6"), taken out before its runs are read.
_ID_SPACE = re.compile(r"(?<=[a-z0-9]) (?=[a-z0-9])")


def offers_contact(found: Iterable[tuple[str, str]]) -> bool:
    """Whether the cues ``found`` in a note (``(kind, matched text)``, as :func:`model.text.prepare_document` gives
    them) offer a messenger id: a QQ number (not "qq群" alone: "辅导员把我们拉进了班级qq群" offers none), or a
    WeChat or LINE cue with an id in it ("加vx：mei_bai_888", not "加vx", "官方微信" or "关注微信公众号", which honest
    notes say of where they booked), or a WeChat id said to be the note's phone number ("电话138…，微信同号"). A phone
    number alone is no such funnel: an honest diner gives the restaurant's."""
    found = list(found)
    phone = any(kind == "phone" for kind, _ in found)
    for kind, text in found:
        if kind == "qq" and _HAS_NUMBER.search(text):  # a number, not a class's "qq群" named in passing
            return True
        if kind == "wechat":
            if phone and _SAME_AS_PHONE.search(text):
                return True
            joined = _ID_SPACE.sub("", text)
            ids = [r for r in _ID_RUN.findall(joined) if r not in _CHANNEL_WORDS]
            if any(len(r) >= 4 for r in ids):
                return True
    return False


def decided_by_contact(decision: str, probability: float, review_threshold: float, *, contact: bool) -> bool:
    """Whether a note is ``review`` by its messenger id alone (:meth:`AdModel.decide`): below the review threshold,
    where its probability would have made it genuine. What ``check`` prints, the advice and ``score``'s warning say."""
    return contact and decision == "review" and probability < review_threshold


def _explained(highlights: list[Highlight], note: Note) -> bool:
    """Whether an ad verdict can be shown to the writer: some phrase of the note pushes towards ad, in a note long
    enough to judge (:data:`MIN_AD_LETTERS`)."""
    return _letters(note) >= MIN_AD_LETTERS and any(h.weight > 0 for h in highlights)


def _letters(note: Note) -> int:
    """The letters and digits of a note's title and text (a Chinese character is a letter)."""
    return sum(map(str.isalnum, note.title)) + sum(map(str.isalnum, note.text))
