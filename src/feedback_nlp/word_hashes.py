"""A batch's word tokens as hashes, without building each token's string.

:meth:`~feedback_nlp.text.TextFeaturizer.word_tokens` makes each text's lemmatised, negation-marked tokens as
strings, one token at a time; fitting needs them for the features' names. Scoring needs only the tokens' hashes
(for word n-grams and the lexicon counts), and those come without per-token Python work: the tokens of the whole
batch are hashed in NumPy, a lemma replaces a token's hash through pandas' hash index, negation scopes are found
with cumulative maxima, and "neg_" is put in front of a hash arithmetically (:func:`~feedback_nlp.ngrams.with_prefix`).
The hashes equal those of :func:`~feedback_nlp.ngrams.tokens_of` over ``word_tokens`` (tested), so the fitted
vocabulary finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from feedback_nlp.ngrams import NgramBatch, tokens_of, with_prefix

RUN_MARK = "\x02"  # stands for a punctuation run among the tokens; itself punctuation, so no word contains it
KEPT_PUNCT = ("!", "?")  # the punctuation kept as a token (first character of a run)
NEGATION_PREFIX = "neg_"
# The hashes of the run tokens (a dropped run, then one per kept character) and of the kept characters themselves;
# a word with one of these 64-bit hashes is as unlikely as any other collision.
_RUN_HASHES = tokens_of([" ".join([RUN_MARK] + [RUN_MARK + char for char in KEPT_PUNCT])]).hashes
_KEPT_HASHES = tokens_of([" ".join(KEPT_PUNCT)]).hashes


class LemmaHashes:
    """One language's lemma table and negation words as hashes."""

    def __init__(self, table: Mapping[str, str], negations: frozenset[str]) -> None:
        forms = tokens_of([" ".join(table)])
        lemmas = tokens_of([" ".join(table.values())])
        self.forms = pd.Index(forms.hashes)
        self.lemma_hashes, self.lemma_lengths = lemmas.hashes, lemmas.lengths
        self.negations = tokens_of([" ".join(negations)]).hashes

    @staticmethod
    def fits(table: Mapping[str, str]) -> bool:
        """Whether every form and lemma of ``table`` is one token (not empty, no whitespace), as hashing assumes."""
        return all(len(form.split()) == 1 == len(lemma.split()) for form, lemma in table.items())


def word_token_hashes(
    marked_texts: Sequence[str],
    languages: Sequence[str],
    tables: Callable[[str], LemmaHashes],
    negation_scope: int,
) -> NgramBatch:
    """The lemmatised, negation-marked tokens of texts given as their words separated by spaces, each
    punctuation run replaced by ``RUN_MARK`` followed by its first character where that is "!" or "?";
    ``tables(language)`` gives a language's lemma and negation hashes. Positions point at the surface words.
    """
    tokens = tokens_of(marked_texts)
    is_run = np.isin(tokens.hashes, _RUN_HASHES)
    hashes, lengths = tokens.hashes.copy(), tokens.lengths
    is_negation = np.zeros(len(hashes), dtype=bool)
    for language, positions in tokens_by_language(tokens, languages):
        table = tables(language)
        mine = positions[~is_run[positions]]
        found = table.forms.get_indexer(pd.Index(hashes[mine], copy=False))
        has_lemma = found >= 0
        hashes[mine[has_lemma]] = table.lemma_hashes[found[has_lemma]]
        lengths[mine[has_lemma]] = table.lemma_lengths[found[has_lemma]]
        is_negation[mine] = np.isin(hashes[mine], table.negations)
    in_scope = _in_negation_scope(tokens, is_run, is_negation, negation_scope)
    hashes[in_scope] = with_prefix(hashes[in_scope], lengths[in_scope], NEGATION_PREFIX)
    for run_hash, kept_hash in zip(_RUN_HASHES[1:], _KEPT_HASHES):
        hashes[tokens.hashes == run_hash] = kept_hash
    keep = ~is_run | np.isin(tokens.hashes, _RUN_HASHES[1:])
    return NgramBatch(
        tokens.docs[keep], hashes[keep], tokens.starts[keep], tokens.ends[keep], tokens.joined, tokens.n_docs
    )


def tokens_by_language(tokens: NgramBatch, languages: Sequence[str]) -> Iterator[tuple[str, np.ndarray]]:
    """Each language of a batch (``languages``: one per document) with the positions of its documents' tokens."""
    codes, names = pd.factorize(np.asarray(languages, dtype=object))
    token_languages = codes[tokens.docs]
    for code, language in enumerate(names):
        yield str(language), np.flatnonzero(token_languages == code)


def _in_negation_scope(tokens: NgramBatch, is_run: np.ndarray, is_negation: np.ndarray, scope: int) -> np.ndarray:
    """The words at most ``scope`` words after a negation word in the same clause (not negations themselves)."""
    position = np.arange(len(is_run))
    # A scope ends at a punctuation run and where a text ends: the last such reset before each token.
    first_of_text = np.flatnonzero(np.concatenate([[True], tokens.docs[1:] != tokens.docs[:-1]]))[: len(is_run)]
    reset = np.where(is_run, position, -1)
    reset[first_of_text] = np.maximum(reset[first_of_text], first_of_text - 1)
    reset = np.maximum.accumulate(reset) if len(reset) else reset
    last_negation = np.maximum.accumulate(np.where(is_negation, position, -1)) if len(position) else position
    in_scope: np.ndarray = (last_negation > reset) & (position - last_negation <= scope) & ~is_negation & ~is_run
    return in_scope


def marked_clauses(clauses: list[str]) -> str:
    """A text's clauses and punctuation runs (as :func:`~feedback_nlp.text._clauses` gives them) as one string
    for :func:`word_token_hashes`."""
    clauses[1::2] = [RUN_MARK + run[0] if run[0] in KEPT_PUNCT else RUN_MARK for run in clauses[1::2]]
    return " ".join(clauses)  # spaces may repeat: tokens are what lies between spaces
