"""Feature-level explanations of the ad model, for diagnostics: which columns of a note's TF-IDF row push it towards
"ad" and towards "genuine", with readable names and their share of the log-odds.

Writers never see these (they see :mod:`model.highlights`, spans of their own words); :meth:`model.AdModel.explain`
and ``AdModel.check(..., features=True)`` give them to whoever studies the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.feature_labels import Placeholders, feature_label

if TYPE_CHECKING:
    from model.engine import LinearTfidf


@dataclass(frozen=True)
class Reason:
    """One feature's push on the decision: ``contribution`` is its share of the log-odds (positive = ad)."""

    feature: str
    label: str
    kind: str
    contribution: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    towards_ad: tuple[Reason, ...]
    towards_genuine: tuple[Reason, ...]
    intercept: float
    log_odds: float


class FeatureExplanations:
    """What :class:`model.classifier.AdModel` explains about its features (a mixin over the model's engine,
    coefficients and intercept; the readable names are kept as they are first asked for)."""

    _engine: LinearTfidf
    _coef: np.ndarray
    _intercept: float
    _readable: dict[int, tuple[str, str, str]]  # column -> (feature, label, kind)
    _marker_names: dict[str, str]  # placeholder -> readable name

    def describe_feature(self, j: int) -> tuple[str, str, str]:
        """(feature name, human label, kind) of column ``j``."""
        found = self._readable.get(j)
        if found is None:
            feature = self._engine.feature_name(j)
            found = (feature, *feature_label(feature))
            self._readable[j] = found
        return found

    def _marker_name(self, marker: str) -> str:
        """The readable name of a placeholder such as ``⟦cue:price⟧`` (kept, like :meth:`describe_feature`)."""
        name = self._marker_names.get(marker)
        if name is None:
            name = self._marker_names[marker] = feature_label("word__" + marker)[0]
        return name

    def _label(self, j: int, places: Placeholders) -> tuple[str, str, str]:
        """:meth:`describe_feature` of column ``j`` as it reads for one prepared document: a character n-gram
        found only inside the document's placeholders (``e:`` of ``⟦cue:price⟧``, ``ti`` of ``⟦has:title⟧``)
        is named after those placeholders, not as characters the writer never typed."""
        feature, label, kind = self.describe_feature(j)
        if kind == "chars" and feature.startswith("char__"):
            markers = places.source(feature[len("char__") :])
            if markers:
                names = list(dict.fromkeys(self._marker_name(m) for m in markers))
                whose = "its marker" if len(markers) == 1 else "their markers"
                names = names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
                gram = feature[len("char__") :].replace("⟦", "‹").replace("⟧", "›")
                label = f"{', '.join(names)} (characters “{gram}” of {whose})"
        return feature, label, kind

    def _explain_arrays(
        self, idx: np.ndarray, data: np.ndarray, doc_cues: dict[str, list[str]], top: int, doc: str
    ) -> Explanation:
        contrib = data * self._coef[idx]
        # A contribution shown as 0.0 (rounded to 4 places) explains nothing and reads as neither direction.
        shown = np.where(np.abs(contrib) >= 0.00005, contrib, 0.0)
        pos = _strongest(shown, top)
        picked = pos + _strongest(-shown, top)
        reasons = []
        places = Placeholders(doc)
        # Python ints and floats once for all picked entries (numpy scalars one at a time cost more than the rest).
        for j, value in zip(idx[picked].tolist(), contrib[picked].tolist(), strict=True):
            feature, label, kind = self._label(j, places)
            evidence: tuple[str, ...] = ()
            if kind == "cue":
                cue = feature.split("⟦cue:", 1)[1].split("⟧", 1)[0]
                evidence = tuple(doc_cues.get(cue, ()))
            reasons.append(Reason(feature, label, kind, round(value, 4), evidence))
        return Explanation(
            towards_ad=tuple(reasons[: len(pos)]),
            towards_genuine=tuple(reasons[len(pos) :]),
            intercept=round(self._intercept, 4),
            log_odds=round(float(contrib.sum() + self._intercept), 4),
        )


def _strongest(values: np.ndarray, top: int) -> list[int]:
    """Positions of the ``top`` largest positive values, largest first, ties in position order (what a stable
    sort of every value would give), partitioning first so only the candidates are sorted."""
    cand = np.flatnonzero(values > 0)
    if len(cand) > top > 0:
        v = values[cand]
        kth = np.partition(v, len(v) - top)[len(v) - top]  # the top-th largest value
        cand = cand[v >= kth]  # ties with it stay candidates; the stable sort below picks the earliest
    return cand[np.argsort(-values[cand], kind="stable")][: max(top, 0)].tolist()


def cue_evidence(found: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Up to five distinct matched texts per cue, in order of appearance."""
    out: dict[str, list[str]] = {}
    for name, text in found:
        hits = out.setdefault(name, [])
        if text not in hits and len(hits) < 5:
            hits.append(text)
    return out
