"""Functions the notebooks call, one module per job: :mod:`.splits` (the data as training sees it),
:mod:`.evaluation` (the trained model on held-out notes), :mod:`.thresholds` (the operating-threshold trade-off),
:mod:`.comments` (comment scores per note and per creator) and :mod:`.tables` (Markdown tables). The notebooks
hold no logic of their own and import everything from here; everything is tested
(tests/test_notebook_helpers.py)."""

from model.comments import creator_table  # the one creator table (of `notecheck creators`), for notebook 02
from training.notebook_helpers.comments import (
    CommentRun,
    creator_inputs,
    keyword_counts,
    note_comment_table,
    plot_creator_shares,
    rank_creators,
    score_archive,
)
from training.notebook_helpers.evaluation import Scored, misclassified, report_plots, score_examples, top_terms
from training.notebook_helpers.splits import (
    DataSplits,
    check_split_matches_card,
    class_balance,
    dataset_summary,
    load_splits,
    split_balance,
)
from training.notebook_helpers.tables import markdown_table
from training.notebook_helpers.thresholds import plot_threshold_tradeoff, threshold_tradeoff

__all__ = [
    "CommentRun",
    "DataSplits",
    "Scored",
    "check_split_matches_card",
    "class_balance",
    "creator_inputs",
    "creator_table",
    "dataset_summary",
    "keyword_counts",
    "load_splits",
    "markdown_table",
    "misclassified",
    "note_comment_table",
    "plot_creator_shares",
    "plot_threshold_tradeoff",
    "rank_creators",
    "report_plots",
    "score_archive",
    "score_examples",
    "split_balance",
    "threshold_tradeoff",
    "top_terms",
]
