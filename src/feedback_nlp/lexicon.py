"""Sentiment lexicons written for this project, as two features: how many positive and how many negative words a
text holds.

The training corpus cannot contain every evaluative word customers use; a word the corpus never saw has no n-gram
weight, but if it is in a lexicon it still moves the text through the two shared lexicon columns. One list per
language (``lexicons/<code>.tsv``: ``term<TAB>positive|negative``), written for feedback-nlp. Entries are
lemmatised with the same tables as the texts, and a word in a negation scope ("neg_good") counts for the other
side.
"""

from __future__ import annotations

import csv
import importlib.resources
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd
import scipy.sparse as sp

from feedback_nlp.ngrams import NgramBatch, tokens_of, with_prefix
from feedback_nlp.word_hashes import NEGATION_PREFIX, tokens_by_language

POLARITIES = ("positive", "negative")
FEATURE_NAMES = ("⟨positive words⟩", "⟨negative words⟩")


@cache
def load_lexicon(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """The (positive, negative) words of ``language``'s bundled lexicon; two empty sets where there is none."""
    resource = importlib.resources.files("feedback_nlp") / "lexicons" / f"{language}.tsv"
    if not resource.is_file():
        return frozenset(), frozenset()
    words: dict[str, set[str]] = {polarity: set() for polarity in POLARITIES}
    for row in csv.DictReader(resource.read_text(encoding="utf-8").splitlines(), delimiter="\t"):
        words[row["polarity"]].add(row["term"])
    return frozenset(words["positive"]), frozenset(words["negative"])


def lemmatized_lexicon(language: str, lemma_table: Mapping[str, str]) -> tuple[frozenset[str], frozenset[str]]:
    """``language``'s lexicon through ``lemma_table`` (as texts are): one-word lemmas that only one side holds."""
    positive, negative = (
        {lemma for word in words if len((lemma := lemma_table.get(word, word)).split()) == 1}
        for words in load_lexicon(language)
    )
    both = positive & negative
    return frozenset(positive - both), frozenset(negative - both)


class LexiconHashes:
    """One language's lexicon as the hashes of the tokens that count as positive and as negative."""

    def __init__(self, positive: Iterable[str], negative: Iterable[str]) -> None:
        def hashes(words: Iterable[str], flipped: Iterable[str]) -> np.ndarray:
            plain = tokens_of([" ".join(words)])
            negated = tokens_of([" ".join(flipped)])
            return np.concatenate([plain.hashes, with_prefix(negated.hashes, negated.lengths, NEGATION_PREFIX)])

        self.positive = hashes(positive, negative)  # "great", and "neg_awful" ("not awful")
        self.negative = hashes(negative, positive)


def lexicon_counts(
    tokens: NgramBatch, languages: Sequence[str], lexicons: Callable[[str], LexiconHashes | None]
) -> sp.csr_matrix:
    """For each document of ``tokens`` (lemmatised, negation-marked words), log(1 + positive words) and
    log(1 + negative words); ``lexicons(language)`` gives a language's hashes (``None``: no lexicon)."""
    counts = np.zeros((tokens.n_docs, 2), dtype=np.float32)
    for language, mine in tokens_by_language(tokens, languages):
        if (lexicon := lexicons(language)) is None:
            continue
        words = pd.Index(tokens.hashes[mine], copy=False)
        for column, side in enumerate((lexicon.positive, lexicon.negative)):
            hits = mine[words.isin(side)]
            counts[:, column] += np.bincount(tokens.docs[hits], minlength=tokens.n_docs)
    return sp.csr_matrix(np.log1p(counts))
