"""The batch n-gram counter agrees with scikit-learn's analyzers and with a plain dict lookup."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from feedback_nlp.ngrams import NgramTfidf, _sorted, char_ngram_counts, char_ngrams, token_ngrams

TEXTS = ["the app keeps crashing", "a b", "", "pas de remboursement 😡 !!", "పార్శిల్ ఆలస్యంగా వచ్చింది", "xy"]


def _names(batch_texts: list[str], n_min: int, n_max: int) -> list[set[str]]:
    return [set(names) for names in _names_with_repeats(batch_texts, n_min, n_max)]


@pytest.mark.parametrize(("n_min", "n_max"), [(3, 5), (2, 4), (1, 2)])
def test_char_ngrams_are_scikit_learns_char_wb_ngrams(n_min: int, n_max: int) -> None:
    analyzer = CountVectorizer(analyzer="char_wb", ngram_range=(n_min, n_max), lowercase=False).build_analyzer()
    for text, ours in zip(TEXTS, _names(TEXTS, n_min, n_max)):
        expected = set(analyzer(text))
        # scikit-learn also emits a whole padded word again when it is shorter than n, and the padding space on
        # its own as a 1-gram; we skip both.
        assert ours <= expected
        assert expected - ours <= {" "} | {f" {word} " for word in text.split()}


def test_token_ngrams_are_unigrams_and_bigrams_within_each_text() -> None:
    batch = token_ngrams(["not neg_good", "great", "", "a b c"], 2)
    per_doc: list[list[str]] = [[] for _ in range(4)]
    for i, doc in enumerate(batch.docs):
        per_doc[doc].append(batch.name(i))
    assert [sorted(names) for names in per_doc] == [
        ["neg_good", "not", "not neg_good"],
        ["great"],
        [],
        ["a", "a b", "b", "b c", "c"],
    ]


def test_equal_ngrams_get_equal_hashes_and_different_ones_differ() -> None:
    batch = token_ngrams(["slow app", "app slow", "slow app"], 2)
    by_name: dict[str, set[int]] = {}
    for i, value in enumerate(batch.hashes):
        by_name.setdefault(batch.name(i), set()).add(int(value))
    assert all(len(values) == 1 for values in by_name.values())
    assert len({next(iter(values)) for values in by_name.values()}) == len(by_name) == 4


def test_counts_match_a_plain_count_of_each_documents_ngrams() -> None:
    rng = np.random.default_rng(0)
    words = ["app", "slow", "late", "great", "refund", "never", "again", "x"]
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 12))) for _ in range(300)]
    vocabulary = NgramTfidf(min_df=3).fit(char_ngrams(texts[:150], 2, 4))  # later texts have unseen n-grams
    counts = vocabulary.counts(char_ngrams(texts, 2, 4))
    column = {name: i for i, name in enumerate(vocabulary.names_)}
    expected = np.zeros(counts.shape)
    for doc, found in enumerate(_names_with_repeats(texts, 2, 4)):
        for name in found:
            if name in column:
                expected[doc, column[name]] += 1
    np.testing.assert_array_equal(counts.toarray(), expected)
    assert counts.nnz == np.count_nonzero(expected)  # each (document, n-gram) cell once


@pytest.mark.parametrize(("n_min", "n_max"), [(3, 5), (1, 3), (2, 4)])
def test_counting_word_by_word_gives_the_counts_of_every_occurrence(n_min: int, n_max: int) -> None:
    rng = np.random.default_rng(1)
    words = ["app", "slow", "late", "a", "ok", "x", "కాల్", "సెంటర్", "€", "😡", "neg_good", "_num_", "naïve", "l'app"]
    texts = ["".join(rng.choice([*words, " ", "  "], size=rng.integers(0, 15))) for _ in range(400)]
    texts += ["", " ", "  slow  app ", "app"]
    vocabulary = NgramTfidf(min_df=2).fit(char_ngrams(texts[:200], n_min, n_max))
    expected = vocabulary.counts(char_ngrams(texts, n_min, n_max))
    found = char_ngram_counts(texts, n_min, n_max, vocabulary)
    assert found.shape == expected.shape
    assert (found != expected).nnz == 0
    np.testing.assert_allclose(
        vocabulary.weigh(found).toarray(), vocabulary.transform(char_ngrams(texts, n_min, n_max)).toarray()
    )
    assert char_ngram_counts([], n_min, n_max, vocabulary).shape == (0, vocabulary.size)


def _names_with_repeats(batch_texts: list[str], n_min: int, n_max: int) -> list[list[str]]:
    batch = char_ngrams(batch_texts, n_min, n_max)
    per_doc: list[list[str]] = [[] for _ in batch_texts]
    for i, doc in enumerate(batch.docs):
        per_doc[doc].append(batch.name(i))
    return per_doc


def test_ngram_tfidf_keeps_frequent_ngrams_and_matches_scikit_learn_weights() -> None:
    texts = ["slow app slow", "slow delivery app", "great app", "app"]
    batch = token_ngrams(texts, 1)
    ours = NgramTfidf(min_df=2).fit(batch)
    assert sorted(ours.names_) == ["app", "slow"]
    reference = CountVectorizer(min_df=2, token_pattern=r"\S+").fit(texts)
    expected = TfidfTransformer(sublinear_tf=True).fit_transform(reference.transform(texts)).toarray()
    order = [list(ours.names_).index(name) for name in reference.get_feature_names_out()]
    np.testing.assert_allclose(ours.transform(batch).toarray()[:, order], expected, rtol=1e-6)
    assert NgramTfidf(min_df=1, max_features=1).fit(batch).names_.tolist() == ["app"]  # the most frequent


def test_cell_keys_sort_like_numpy_in_both_key_widths() -> None:
    rng = np.random.default_rng(1)
    for keys in (
        rng.integers(0, 2**31 - 1, 50_000).astype(np.int32),
        rng.integers(0, 2**40, 1_000),
        np.zeros(0, np.int32),
    ):
        np.testing.assert_array_equal(_sorted(keys), np.sort(keys))
