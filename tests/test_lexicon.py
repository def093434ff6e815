from __future__ import annotations

import csv
import importlib.resources

import numpy as np
import pandas as pd
import pytest

from feedback_nlp.language import SUPPORTED_LANGUAGES
from feedback_nlp.lexicon import FEATURE_NAMES, POLARITIES, lemmatized_lexicon, load_lexicon
from feedback_nlp.normalization import normalize_all
from feedback_nlp.text import TextFeaturizer, load_lemma_table


@pytest.mark.parametrize("language", sorted(SUPPORTED_LANGUAGES))
def test_each_language_has_a_clean_lexicon_of_both_polarities(language: str) -> None:
    path = importlib.resources.files("feedback_nlp") / "lexicons" / f"{language}.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    assert rows[0] == ["term", "polarity"]
    terms = [row[0] for row in rows[1:]]
    assert all(len(row) == 2 and row[1] in POLARITIES for row in rows[1:])
    assert len(terms) == len(set(terms)), "a term is listed twice"
    assert all(term == term.lower() and term.split() == [term] and "'" not in term for term in terms)
    positive, negative = load_lexicon(language)
    assert len(positive) >= 500 and len(negative) >= 500
    assert not positive & negative


def test_lexicon_entries_are_lemmatised_like_the_texts() -> None:
    positive, negative = lemmatized_lexicon("en", load_lemma_table("en"))
    assert "love" in positive and "loved" not in positive
    assert "disappoint" in negative or "disappointing" in negative
    assert not positive & negative


def _lexicon_columns(featurizer: TextFeaturizer, texts: list[str], language: str) -> np.ndarray:
    matrix, _ = featurizer.featurize(normalize_all(texts), [language] * len(texts))
    names = list(featurizer.get_feature_names_out())
    return np.expm1(matrix[:, [names.index(name) for name in FEATURE_NAMES]].toarray()).round()


def test_lexicon_counts_positive_and_negative_words_with_negation_flipping_them() -> None:
    train = pd.DataFrame({"text": normalize_all(["the parcel came", "an app"]), "language": ["en", "en"]})
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1).fit(train)
    texts = [
        "Great app, I love it!",
        "Terrible and useless.",
        "Not great at all.",  # a negated positive word counts as negative
        "Never disappointed, the staff were not rude.",
        "The parcel came on Tuesday.",
        "",
    ]
    assert _lexicon_columns(featurizer, texts, "en").tolist() == [[2, 0], [0, 2], [0, 1], [2, 0], [0, 0], [0, 0]]


def test_lexicon_words_unseen_in_training_still_count_in_their_inflected_forms() -> None:
    train = pd.DataFrame({"text": normalize_all(["ta przesyłka", "ten sklep"]), "language": ["pl", "pl"]})
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1).fit(train)
    assert "świetny" not in featurizer.word_vocabulary_.names_
    counts = _lexicon_columns(featurizer, ["Świetna obsługa, polecam!", "Fatalna, beznadziejna obsługa."], "pl")
    assert counts[0, 0] >= 1 and counts[0, 1] == 0
    assert counts[1, 1] >= 2 and counts[1, 0] == 0


def test_without_lexicon_there_are_no_lexicon_columns() -> None:
    train = pd.DataFrame({"text": normalize_all(["great app", "bad app"]), "language": ["en", "en"]})
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1, lexicon=False).fit(train)
    assert not set(FEATURE_NAMES) & set(featurizer.get_feature_names_out())
    assert featurizer.transform(train).shape[1] == len(featurizer.word_vocabulary_.names_)


# Common neutral words that a lexicon entry once turned into a lexicon lemma through the lemma table ("mniami" →
# "mień", the lemma of "mnie"; "pasada" → "pasar"; "gelassen" → "lassen"; "fraîche" → "frais", also "fees").
NEUTRAL_WORDS = {
    "en": ["kind", "move", "please", "like"],
    "fr": ["frais", "passer", "envoyer"],
    "it": ["succedere", "data", "risolvere", "interessare"],
    "es": ["pasar", "agua", "mejorar", "resolver"],
    "de": ["lassen", "liegen", "fallen", "schicken", "punkt", "einladen"],
    "pl": ["mnie", "oko", "trwać", "wrócić", "pomóc"],
}


@pytest.mark.parametrize("language", sorted(NEUTRAL_WORDS))
def test_no_lexicon_entry_turns_a_common_neutral_word_into_a_lexicon_word(language: str) -> None:
    table = load_lemma_table(language)
    positive, negative = lemmatized_lexicon(language, table)
    assert not {table.get(word, word) for word in NEUTRAL_WORDS[language]} & (positive | negative)
