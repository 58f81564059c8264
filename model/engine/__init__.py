"""Linear TF-IDF inference with numpy only: what a fitted notecheck pipeline computes, for whole batches.

A notecheck model is ``documents -> FeatureUnion(TfidfVectorizer, ...) -> LogisticRegression``. At inference time
that is arithmetic on a few arrays, and scikit-learn's ``transform`` spends most of its time elsewhere: Python
strings for every character n-gram, a dict look-up and a Python counter per n-gram, per-call input validation,
joblib dispatch and sparse-matrix assembly. :class:`LinearTfidf` does the same arithmetic over a batch of
documents:

- *word* parts: the model's own tokenizer per document, then vocabulary look-ups of the word n-grams;
- *char* parts (n <= 3): the code points of all documents at once, each n-gram packed into one 64-bit integer
  (21 bits per code point) and looked up with ``numpy.searchsorted`` in a sorted key table, with no per-n-gram
  Python string;
- counting, (sublinear) tf, idf, the norm of each part, and the dot product with the coefficients, vectorised
  over the batch.

The package, by job: :mod:`model.engine.ngram_keys` (n-grams as integer keys and their look-up table),
:mod:`model.engine.tfidf_part` (one vectorizer: vocabulary, idf, n-gram look-up), :mod:`model.engine.linear`
(the rows of a batch, tf-idf arithmetic, the linear score, feature names) and :mod:`model.engine.compiled` (the
pipeline as an artifact describes it, and the models built on it). Everything is importable from here.

The result equals scikit-learn's ``FeatureUnion.transform(docs) @ coef`` (``tests/test_engine.py`` checks both
the matrix and the scores against scikit-learn on real notes), and scikit-learn is never imported: serving
starts without its ~2.5 s import. :class:`CompiledPipeline` bundles the parameters of the document step, the
features and the classifier's parameters; :mod:`model.pipeline` turns it into a scikit-learn ``Pipeline`` (and
back) for training and reference checks.
"""

from model.engine.compiled import TRUSTED_TYPES, CompiledModel, CompiledPipeline
from model.engine.linear import Features, LinearTfidf, sigmoid, top_contributions
from model.engine.tfidf_part import PREPROCESSORS, TfidfPart

#: The arithmetic of this engine (analyzers, tf-idf weighting, normalisation, the linear score). Bump it with any
#: change that can move a score: a model card records the version it was saved under, and loading checks it.
ENGINE_VERSION = 1

__all__ = [
    "ENGINE_VERSION",
    "PREPROCESSORS",
    "TRUSTED_TYPES",
    "CompiledModel",
    "CompiledPipeline",
    "Features",
    "LinearTfidf",
    "TfidfPart",
    "sigmoid",
    "top_contributions",
]
