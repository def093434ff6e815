"""Tokenisation with lookup lemmas (spacy-lookups-data) and negation marking, and the shared featurisation
(:class:`TextFeaturizer`) every head of the model reads. Texts arrive normalised
(:func:`feedback_nlp.normalization.normalize_all`).
"""

from __future__ import annotations

import gzip
import importlib.resources
import itertools
import json
import re
from collections.abc import Callable, Sequence
from functools import cache, cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.naive_bayes import MultinomialNB
from sklearn.utils.validation import check_is_fitted

from feedback_nlp.language import detect_languages, known_words
from feedback_nlp.lexicon import FEATURE_NAMES, LexiconHashes, lemmatized_lexicon, lexicon_counts
from feedback_nlp.ngrams import (
    NgramBatch,
    NgramTfidf,
    char_ngram_counts,
    char_ngrams,
    ngrams_of,
    token_ngrams,
    tokens_of,
)
from feedback_nlp.normalization import CURRENCY_CHARS, EMOJI_CHARS
from feedback_nlp.word_hashes import KEPT_PUNCT, LemmaHashes, marked_clauses, word_token_hashes

# Words that open a negation scope: the next few tokens are marked "neg_" so "not good" ≠ "good".
# Telugu negates with a following verb form (బాగా లేదు), which word bigrams and character n-grams capture.
NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset({"not", "no", "never", "without", "nothing", "nobody", "cannot", "neither", "nor"}),
    "fr": frozenset({"pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "personne"}),
    "it": frozenset({"non", "mai", "niente", "nulla", "nessun", "nessuno", "nessuna", "senza", "né"}),
    "pl": frozenset({"nie", "nigdy", "bez", "żaden", "żadna", "żadne", "nic", "ani"}),
    "es": frozenset({"no", "nunca", "nada", "ningún", "ninguna", "ninguno", "sin", "tampoco", "ni", "jamás"}),
    "de": frozenset({"nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne", "nichts", "weder"}),
}
_NEGATION_SCOPE = 3

# Lemma lookup tables shipped by spacy-lookups-data; Polish has one table per part of speech, merged in order.
_LEMMA_TABLES: dict[str, tuple[str, ...]] = {
    "en": ("lemma_lookup",),
    "fr": ("lemma_lookup",),
    "it": ("lemma_lookup",),
    "es": ("lemma_lookup",),
    "de": ("lemma_lookup",),
    "pl": ("lemma_lookup_noun", "lemma_lookup_verb", "lemma_lookup_adj", "lemma_lookup_adv"),
}


@cache
def load_lemma_table(language: str) -> dict[str, str]:
    """The full spacy-lookups-data lemma table of ``language`` as lowercase {form: lemma} ({} if none)."""
    table: dict[str, str] = {}
    folder = importlib.resources.files("spacy_lookups_data") / "data"
    for name in _LEMMA_TABLES.get(language, ()):
        with gzip.open(str(folder / f"{language}_{name}.json.gz"), "rt", encoding="utf-8") as handle:
            for form, lemma in json.load(handle).items():
                table.setdefault(form.lower(), (lemma[0] if isinstance(lemma, list) else lemma).lower())
    return table


# Punctuation runs split a text into clauses: they end a negation scope, and "!" / "?" are kept as features.
# Letters, digits, "_", emojis, currency signs, apostrophes, zero-width (non-)joiners and the combining marks
# Telugu and other Indic scripts write vowels with are not punctuation.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0900-\u0dff\u0e00-\u0eff\u200c\u200d"
_NOT_PUNCT = rf"\w\s'{_MARKS}{EMOJI_CHARS}{CURRENCY_CHARS}-"
_PUNCT_RUN = re.compile(rf"([^{_NOT_PUNCT}]+|(?<!\w)-+|-+(?!\w))")  # "s-bahn" is one word
_PUNCT_RUN_NO_HYPHEN = re.compile(rf"([^{_NOT_PUNCT}]+)")  # the same on a text without "-", three times faster


def _clauses(text: str, language: str) -> list[str]:
    """Text between punctuation runs, alternating with the runs: [clause, run, clause, …, clause]. Apostrophes
    stay with the word they elide, as the lemma tables list them: "l'app" → "l' app", "it's" → "it 's"
    (English "n't" becomes "not")."""
    punct_run = _PUNCT_RUN if "-" in text else _PUNCT_RUN_NO_HYPHEN
    if "'" not in text:
        return punct_run.split(text)
    if language == "en":
        return punct_run.split(text.replace("n't", " not").replace("'", " '"))
    return punct_run.split(text.replace("'", "' "))


class TextFeaturizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Shared featurisation: TF-IDF of lemmatised, negation-marked word n-grams, the counts of positive and
    negative lexicon words (:mod:`feedback_nlp.lexicon`), and TF-IDF of character n-grams.

    ``X`` is a DataFrame with columns ``text`` (normalised with :func:`normalize`) and ``language``. N-grams
    are counted for the whole batch at once (:mod:`feedback_nlp.ngrams`). After ``fit``, the lemma tables are
    cut down to the forms that can change a feature, so the saved model stays small and loads fast while
    predicting exactly what the full tables would.
    """

    def __init__(
        self,
        lemmatize: bool = True,
        negation: bool = True,
        lexicon: bool = True,
        word_ngram_max: int = 2,
        char_ngrams: bool = True,
        char_ngram_min: int = 3,
        char_ngram_max: int = 5,
        min_df: int = 2,
        max_word_features: int = 100_000,
        max_char_features: int = 150_000,
    ) -> None:
        self.lemmatize = lemmatize
        self.negation = negation
        self.lexicon = lexicon
        self.word_ngram_max = word_ngram_max
        self.char_ngrams = char_ngrams
        self.char_ngram_min = char_ngram_min
        self.char_ngram_max = char_ngram_max
        self.min_df = min_df
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features

    def fit(self, X: pd.DataFrame, y: Any = None) -> TextFeaturizer:
        """Learn the vocabularies (and the lemma forms worth keeping) from ``X``, whose languages are known."""
        languages = X["language"].tolist()
        self.lemma_tables_: dict[str, dict[str, str]] = (
            {lang: load_lemma_table(lang) for lang in set(languages)} if self.lemmatize else {}
        )
        self.lexicons_: dict[str, tuple[frozenset[str], frozenset[str]]] | None = None
        if self.lexicon:
            self.lexicons_ = {
                lang: lemmatized_lexicon(lang, self.lemma_tables_.get(lang, {})) for lang in sorted(set(languages))
            }
        texts = X["text"].tolist()
        self.known_words_ = known_words(texts, languages)
        self.word_vocabulary_ = NgramTfidf(self.min_df, self.max_word_features).fit(
            token_ngrams(self.word_tokens(texts, languages), self.word_ngram_max)
        )
        self.char_vocabulary_: NgramTfidf | None = None
        self.language_model_: MultinomialNB | None = None
        if self.char_ngrams:
            batch = char_ngrams(texts, *self.char_ngram_range)
            self.char_vocabulary_ = NgramTfidf(self.min_df, self.max_char_features).fit(batch)
            if len(set(languages)) > 1:
                # Language ID from the same character n-grams: naive Bayes, the classic for it. On held-out rows it
                # agrees with the given language on 100 % of texts of 25+ letters and 98 % of shorter ones (lingua's
                # seven-language detector: 95 %, and 236 MB of models per process).
                self.language_model_ = MultinomialNB(alpha=0.01).fit(self.char_vocabulary_.transform(batch), languages)
                del self.language_model_.feature_count_  # only needed to refit; half the saved model's size
        self._prune_lemma_tables()
        return self

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        """The feature matrix of ``X`` (rows in order); see :meth:`featurize`."""
        return self.featurize(X["text"].tolist(), X["language"].tolist())[0]

    def featurize(self, texts: list[str], languages: Sequence[str | None]) -> tuple[sp.csr_matrix, list[str]]:
        """The feature matrix of the normalised ``texts`` and each text's language: the given code, or where it
        is ``None`` the detected one (the fitted language model's guess, checked by :func:`detect_languages`)."""
        check_is_fitted(self, "word_vocabulary_")
        chars = None
        if (vocabulary := self.char_vocabulary_) is not None:
            chars = _in_characters(
                lambda part: vocabulary.weigh(char_ngram_counts(part, *self.char_ngram_range, vocabulary)), texts
            )
        found = list(languages)
        missing = [i for i, code in enumerate(found) if code is None]
        if missing:
            guess = None
            if self.language_model_ is not None and chars is not None:
                guess = [str(code) for code in self.language_model_.predict(chars[missing])]
            detected = detect_languages([texts[i] for i in missing], self.known_words_, guess)
            for i, code in zip(missing, detected):
                found[i] = code
        known: list[str] = [str(code) for code in found]
        words = self._word_features(texts, known)
        matrix = sp.hstack([words] if chars is None else [words, chars], format="csr", dtype=np.float32)
        return matrix, known

    @property
    def char_ngram_range(self) -> tuple[int, int]:
        """(smallest, largest) character n-gram length."""
        return self.char_ngram_min, self.char_ngram_max

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names: word n-grams as they are, the lexicon counts in ⟨…⟩, character n-grams wrapped in ‹…›."""
        check_is_fitted(self, "word_vocabulary_")
        names = list(self.word_vocabulary_.names_)
        if self.lexicons_ is not None:
            names += FEATURE_NAMES
        if self.char_vocabulary_ is not None:
            names += [f"‹{gram}›" for gram in self.char_vocabulary_.names_]
        return np.asarray(names, dtype=object)

    @property
    def n_word_features_(self) -> int:
        """How many of the leading columns are word n-grams (the lexicon counts and character n-grams follow)."""
        return len(self.word_vocabulary_.names_)

    def word_tokens(self, texts: list[str], languages: list[str]) -> list[str]:
        """Each text's lemmatised, negation-marked tokens, joined by spaces."""
        out: list[str] = []
        for text, language in zip(texts, languages):
            table = self.lemma_tables_.get(language, {})
            negations = NEGATIONS.get(language, frozenset()) if self.negation else frozenset()
            out.append(" ".join(_lemmas(text, language, table, negations)))
        return out

    def _word_features(self, texts: list[str], languages: list[str]) -> sp.csr_matrix:
        """The word n-gram block, then the two lexicon columns (when fitted with ``lexicon``). The tokens come
        from hashes alone (:mod:`feedback_nlp.word_hashes`), or from :meth:`word_tokens` where a lemma table has
        an entry that is not one token."""
        if self._tables_hashable:
            marked = [marked_clauses(_clauses(text, language)) for text, language in zip(texts, languages)]
            return _in_slices(
                lambda part, part_languages: self._word_blocks(
                    word_token_hashes(part, part_languages, self._lemma_hashes, _NEGATION_SCOPE), part_languages
                ),
                marked,
                languages,
            )
        return _in_slices(
            lambda part, part_languages: self._word_blocks(
                tokens_of(self.word_tokens(part, part_languages)), part_languages
            ),
            texts,
            languages,
        )

    def _word_blocks(self, tokens: NgramBatch, languages: Sequence[str]) -> sp.csr_matrix:
        words = self.word_vocabulary_.transform(ngrams_of(tokens, self.word_ngram_max))
        if self.lexicons_ is None:
            return words
        return sp.hstack([words, lexicon_counts(tokens, languages, self._lexicon_hashes)], format="csr")

    @cached_property
    def _tables_hashable(self) -> bool:
        """Whether every lemma table entry is one token, as :mod:`feedback_nlp.word_hashes` needs."""
        return all(map(LemmaHashes.fits, self.lemma_tables_.values()))

    @cached_property
    def _lemma_hash_cache(self) -> dict[str, LemmaHashes]:
        return {}

    def _lemma_hashes(self, language: str) -> LemmaHashes:
        if language not in self._lemma_hash_cache:
            negations = NEGATIONS.get(language, frozenset()) if self.negation else frozenset()
            self._lemma_hash_cache[language] = LemmaHashes(self.lemma_tables_.get(language, {}), negations)
        return self._lemma_hash_cache[language]

    @cached_property
    def _lexicon_hash_cache(self) -> dict[str, LexiconHashes | None]:
        return {}

    def _lexicon_hashes(self, language: str) -> LexiconHashes | None:
        if language not in self._lexicon_hash_cache:
            found = (self.lexicons_ or {}).get(language)
            self._lexicon_hash_cache[language] = None if found is None else LexiconHashes(*found)
        return self._lexicon_hash_cache[language]

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())  # a copy: object.__getstate__ gives __dict__ itself
        for derived in ("_tables_hashable", "_lemma_hash_cache", "_lexicon_hash_cache"):  # rebuilt on first use
            state.pop(derived, None)
        if "lemma_tables_" in state:
            state["lemma_tables_"] = {lang: _packed(table) for lang, table in state["lemma_tables_"].items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "lemma_tables_" in state:
            state["lemma_tables_"] = {lang: _unpacked(table) for lang, table in state["lemma_tables_"].items()}
        super().__setstate__(state)

    def _prune_lemma_tables(self) -> None:
        words = {part.removeprefix("neg_") for feature in self.word_vocabulary_.names_ for part in feature.split()}
        lexicons = self.lexicons_ or {}
        pruned: dict[str, dict[str, str]] = {}
        for language, table in self.lemma_tables_.items():
            positive, negative = lexicons.get(language, (frozenset(), frozenset()))
            useful = words | positive | negative  # only this language's lexicon can need its forms
            pruned[language] = {form: lemma for form, lemma in table.items() if lemma in useful or form in useful}
        self.lemma_tables_ = pruned


# Lemma tables are saved as two strings (forms, lemmas) instead of a dict: a quarter of a million entries load
# 0.5 s faster through joblib's pickle reader, which reads each separate string in Python.
_TABLE_SEPARATOR = "\x00"


def _packed(table: dict[str, str]) -> dict[str, str] | tuple[str, str]:
    if any(_TABLE_SEPARATOR in form or _TABLE_SEPARATOR in lemma for form, lemma in table.items()):
        return table
    return _TABLE_SEPARATOR.join(table), _TABLE_SEPARATOR.join(table.values())


def _unpacked(table: dict[str, str] | tuple[str, str]) -> dict[str, str]:
    if isinstance(table, dict):
        return table
    forms, lemmas = table
    return dict(zip(forms.split(_TABLE_SEPARATOR), lemmas.split(_TABLE_SEPARATOR))) if forms else {}


# Texts are counted this many at a time: the n-gram arrays of a slice take a few tens of MB, of a whole 5,000-row
# chunk several hundred; the speed is the same.
SLICE_ROWS = 1_000


def _in_slices(matrix_of: Callable[..., sp.csr_matrix], *columns: Sequence[Any]) -> sp.csr_matrix:
    """``matrix_of(*columns)``, computed ``SLICE_ROWS`` rows of the parallel ``columns`` at a time and stacked."""
    rows = len(columns[0])
    return _stacked_parts(matrix_of, [*range(0, rows, SLICE_ROWS), rows], *columns)


def _stacked_parts(matrix_of: Callable[..., sp.csr_matrix], cuts: list[int], *columns: Sequence[Any]) -> sp.csr_matrix:
    """``matrix_of`` of the rows between consecutive ``cuts`` of the parallel ``columns``, stacked (one call when
    there is only one part)."""
    if len(cuts) <= 2:
        return matrix_of(*columns)
    parts = [matrix_of(*(column[start:stop] for column in columns)) for start, stop in itertools.pairwise(cuts)]
    stacked: sp.csr_matrix = sp.vstack(parts, format="csr")
    return stacked


# The character block counts each distinct word of a batch once, so it gains from large batches, and its arrays
# take about 50 bytes per character: texts are taken up to this many characters at a time (a 5,000-row chunk of
# feedback is usually one part; 5,000 texts of 5,000 characters are twelve).
SLICE_CHARACTERS = 2_000_000


def _in_characters(matrix_of: Callable[[list[str]], sp.csr_matrix], texts: list[str]) -> sp.csr_matrix:
    """``matrix_of(texts)``, computed on consecutive parts of at most ``SLICE_CHARACTERS`` characters (or one
    text) and stacked."""
    ends = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
    cuts = [0]
    while cuts[-1] < len(texts):
        budget = (ends[cuts[-1] - 1] if cuts[-1] else 0) + SLICE_CHARACTERS
        cuts.append(max(int(np.searchsorted(ends, budget, side="right")), cuts[-1] + 1))
    return _stacked_parts(matrix_of, cuts, texts)


def _lemmas(text: str, language: str, table: dict[str, str], negations: frozenset[str]) -> list[str]:
    out: list[str] = []
    for i, part in enumerate(_clauses(text, language)):
        if i % 2:  # a punctuation run
            if part[0] in KEPT_PUNCT:
                out.append(part[0])
            continue
        scope = 0
        for token in part.split():
            lemma = table.get(token, token)
            if lemma in negations:
                out.append(lemma)
                scope = _NEGATION_SCOPE
            elif scope:
                out.append("neg_" + lemma)
                scope -= 1
            else:
                out.append(lemma)
    return out
