"""Comment scoring: keyword ratio and positive/negative ratio per note, and their aggregation per creator.

- :class:`KeywordMatcher` finds many keywords at once with one Aho-Corasick automaton (pyahocorasick) over
  *characters* of a normalised text: NFKC (full-width to half-width), lower-case Latin, traditional to simplified
  Chinese (OpenCC ``t2s``), zero-width characters dropped and spaces between Chinese characters removed. Keywords
  are normalised the same way, so ``求鏈接``, ``求 链 接`` and ``ＬＡＮＲＵＯ`` match ``求链接`` and ``lanruo``, and a
  keyword that jieba would split into several words still matches. Latin keywords only match whole Latin words
  (``ai`` does not match ``said``), which a digit may end (``dior`` matches ``dior999``, a brand and its shade).
  A set may list *exclude* phrases: a hit lying inside one is cancelled (``托`` inside ``拜托``), and a
  *negation* mode: a hit negated in its clause (不会再回购, 不是广告) does not count for ``purchase_intent`` and
  counts for ``ad_suspicion`` only when the clause asks or doubts (不是广告吧); brand sets count every mention
  (:mod:`~model.comments.negation`).
- :class:`SentimentModel` wraps the sentiment artifact (``model/sentiment/``): the ad model's tokenizer stack
  (prepared document -> jieba TF-IDF -> logistic regression) with emoticons rewritten to emoji-code tokens first,
  and a neutral band chosen on validation data and stored in the model card.
- :class:`CommentScorer` scores a note's comments into a :class:`CommentReport`; :func:`aggregate_creators`
  sums reports per creator.

Defined results for awkward input: an empty comment list gives ``n_comments = 0`` and ratios and shares
``None``; a blank comment (empty, whitespace, or only invisible marks such as zero-width and bidi characters, as
:func:`model.schema.is_blank` reads a note's text) keeps its index, hits nothing and is ``neutral`` with probability
``None``; a comment longer than ``max_comment_chars`` is scored on its first ``max_comment_chars`` characters and
reported with ``truncated: true``; a comment that is not a string or an object with ``text`` is an
:class:`~model.errors.InvalidNoteError` naming its index.

Modules: :mod:`~model.comments.normalise` (text form for matching), :mod:`~model.comments.keywords` (keyword sets
and files), :mod:`~model.comments.matcher` (Aho-Corasick), :mod:`~model.comments.negation` (negated hits),
:mod:`~model.comments.sentiment` (the sentiment model), :mod:`~model.comments.metrics` (its evaluation),
:mod:`~model.comments.scorer` (per-note reports) and :mod:`~model.comments.creators` (per-creator aggregation).
Everything public is importable from here.
"""

from model.comments.creators import CREATOR_COLUMNS, aggregate_creators, creator_table
from model.comments.keywords import (
    DEFAULT_KEYWORDS_FILE,
    MAX_KEYWORD_CHARS,
    RESOURCES,
    KeywordConfig,
    default_keyword_excludes,
    default_keyword_negation,
    default_keyword_sets,
    merge_keyword_sets,
    read_keyword_config,
    read_keyword_file,
)
from model.comments.matcher import KeywordMatcher
from model.comments.metrics import sentiment_metrics, sentiment_table
from model.comments.negation import NEGATION_MODES
from model.comments.normalise import normalize_for_matching
from model.comments.scorer import (
    DEFAULT_MAX_COMMENT_CHARS,
    CommentReport,
    CommentScore,
    CommentScorer,
    load_comment_scorer,
    parse_comments,
)
from model.comments.sentiment import (
    DEFAULT_SENTIMENT_DIR,
    EMOTICON_VERSION,
    LABELS,
    SentimentModel,
    load_sentiment_model,
    mark_emoticons,
    sentiment_document,
    sentiment_documents,
)

__all__ = [
    "CREATOR_COLUMNS",
    "DEFAULT_KEYWORDS_FILE",
    "DEFAULT_MAX_COMMENT_CHARS",
    "DEFAULT_SENTIMENT_DIR",
    "EMOTICON_VERSION",
    "LABELS",
    "MAX_KEYWORD_CHARS",
    "NEGATION_MODES",
    "RESOURCES",
    "CommentReport",
    "CommentScore",
    "CommentScorer",
    "KeywordConfig",
    "KeywordMatcher",
    "SentimentModel",
    "aggregate_creators",
    "creator_table",
    "default_keyword_excludes",
    "default_keyword_negation",
    "default_keyword_sets",
    "load_comment_scorer",
    "load_sentiment_model",
    "mark_emoticons",
    "merge_keyword_sets",
    "normalize_for_matching",
    "parse_comments",
    "read_keyword_config",
    "read_keyword_file",
    "sentiment_document",
    "sentiment_documents",
    "sentiment_metrics",
    "sentiment_table",
]
