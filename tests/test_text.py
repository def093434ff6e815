from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from feedback_nlp import normalization, text
from feedback_nlp.language import detect_languages
from feedback_nlp.ngrams import char_ngrams, token_ngrams, tokens_of, with_prefix
from feedback_nlp.normalization import has_content, normalize, normalize_all
from feedback_nlp.text import TextFeaturizer, load_lemma_table


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<b>Sooooo</b> slow!!!", "soo slow!!!"),
        ("mail me at jo@example.com or see https://x.io/a?b=1", "mail me at _email_ or see _url_"),
        ("@Acme_Help order 123456 still missing", "_user_ acme_help order _num_ still missing"),
        ("write to jo@x.io, cc @bob", "write to _email_ , cc _user_ bob"),
        ("caf\u0065\u0301 &amp; cr\u00e8me", "café & crème"),
        ("love it😍👍", "love it 😍 👍"),
        ("5€ or $10", "5 € or $ 10"),
        ("nice :)", "nice _smile_"),
        ("WORST SERVICE EVER", "worst service ever _shout_"),
        (None, ""),
        (float("nan"), ""),
        (5, "5"),
    ],
)
def test_normalize_handles_markup_placeholders_emoji_and_casing(raw: object, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_all_skips_a_step_only_where_it_would_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    tricky = [
        "ÀÀ",
        "&Agrave;",
        "ＷＯ",
        "１２",
        "१२",
        "😍",
        "€",
        "\n",
        "http://X.IO/ab ",
    ]  # entities, NFKC, Devanagari digits
    alphabet = [*"aAbB WORST12345.,:/-!@_&;<>éÉ", *tricky]
    texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 40))) for _ in range(3_000)]
    with_triggers = normalize_all(texts)
    every_step = np.ones(len(texts), dtype=bool)
    monkeypatch.setattr(normalization, "_windows_in", lambda batch, *args, **kwargs: every_step)
    monkeypatch.setattr(normalization, "_repeats_in", lambda batch: every_step)
    assert with_triggers == normalize_all(texts)
    assert sum("_shout_" in text for text in with_triggers) > 100  # the alphabet does reach every step
    assert sum("_num_" in text for text in with_triggers) > 100


def test_normalize_cuts_very_long_texts() -> None:
    assert len(normalize("a" * 100_000 + " b", max_chars=5_000)) <= 5_000


@pytest.mark.parametrize(("text", "expected"), [("", False), ("   ", False), ("…", False), ("😡", True), ("5", True)])
def test_has_content(text: str, expected: bool) -> None:
    assert has_content(text) is expected


def test_detect_languages_recognises_the_seven_languages_and_flags_others() -> None:
    texts = [
        "The parcel arrived two days late and the box was crushed",
        "Le colis est arrivé avec deux jours de retard et la boîte était écrasée",
        "Il pacco è arrivato con due giorni di ritardo e la scatola era schiacciata",
        "Paczka dotarła z dwudniowym opóźnieniem, a pudełko było zgniecione",
        "పార్శిల్ రెండు రోజులు ఆలస్యంగా వచ్చింది, బాక్స్ నలిగిపోయింది",
        "El paquete llegó con dos días de retraso y la caja estaba aplastada",
        "Das Paket kam zwei Tage zu spät und der Karton war zerdrückt",
        "O pacote chegou com dois dias de atraso e a caixa estava amassada",
        "",
        "12345",
    ]
    assert detect_languages(texts) == ["en", "fr", "it", "pl", "te", "es", "de", "pt", "und", "und"]


def test_detect_languages_with_a_vocabulary_checks_unfamiliar_texts_against_every_language() -> None:
    spanish = "El paquete llegó con dos días de retraso y la caja estaba aplastada"
    vocabulary = {"es": frozenset(normalize(spanish).split(" "))}
    texts = [
        spanish,
        "O pacote chegou com dois dias de atraso e a caixa estava amassada",
    ]
    # Both are first guessed Spanish; the Portuguese one has too few known words, so every language is tried.
    assert detect_languages(texts, vocabulary, first_guess=["es", "es"]) == ["es", "pt"]
    assert detect_languages(texts, vocabulary) == ["es", "pt"]


def test_featurizer_detects_missing_languages_with_its_own_language_model() -> None:
    train = _frame(["the parcel was late again", "the app keeps crashing", "great service, thanks"])
    train = pd.concat(
        [train, _frame(["le colis est en retard", "l'application plante encore", "super service, merci"], "fr")]
    )
    featurizer = TextFeaturizer(min_df=1).fit(train)
    assert featurizer.language_model_ is not None
    texts = [normalize("the parcel was late and the app keeps crashing"), normalize("merci, le colis est arrivé")]
    matrix, languages = featurizer.featurize(texts, [None, None])
    assert languages == ["en", "fr"]
    assert matrix.shape == (2, len(featurizer.get_feature_names_out()))
    _, given = featurizer.featurize(texts, ["de", None])
    assert given == ["de", "fr"]


def test_featurizer_keeps_elisions_currency_hyphenated_and_telugu_words_whole() -> None:
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1)
    featurizer.lemma_tables_ = {"fr": load_lemma_table("fr"), "en": load_lemma_table("en")}
    texts = [
        normalize("Je n'aime pas l'appli, 5€ !"),
        normalize("I don't like it"),
        normalize("ఆన్‌లైన్ ₹99"),
        normalize("Die S-Bahn - nicht pünktlich -- wieder"),
    ]
    tokens = featurizer.word_tokens(texts, ["fr", "en", "te", "de"])
    assert tokens[0] == "je ne aimer pas neg_le neg_appli 5 € !"
    assert tokens[1] == "i do not neg_like neg_it"
    assert tokens[2] == "ఆన్\u200cలైన్ ₹ 99"
    assert tokens[3] == "die s-bahn nicht neg_pünktlich wieder"  # a lone dash ends the negation scope


HASHED_TEXTS = [
    ("Je n'aime pas l'appli, 5€ ! Pas du tout...", "fr"),
    ("I don't like it. Not good at all, never again!!", "en"),
    ("not", "en"),  # a scope open at the end of a text does not run into the next one
    ("good app", "en"),
    ("", "en"),
    ("?!", "en"),
    ("Die S-Bahn - nicht pünktlich -- wieder, kein WLAN?", "de"),
    ("ఆన్‌లైన్ ₹99 పని చేయడం లేదు!", "te"),
    ("nie działa, nigdy nie działało i nie będzie działać", "pl"),
    ("O pacote não chegou", "pt"),  # a language without a table or negation words
    ("no funciona, no no no no sirve", "es"),
    ("non funziona - mai più", "it"),
]


@pytest.mark.parametrize("negation", [True, False])
def test_word_features_from_hashes_equal_those_from_token_strings(negation: bool) -> None:
    texts = normalize_all([text for text, _ in HASHED_TEXTS] * 2)
    languages = [language for _, language in HASHED_TEXTS] * 2
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1, negation=negation).fit(
        pd.DataFrame({"text": texts, "language": languages})
    )
    words = featurizer.word_vocabulary_.transform(token_ngrams(featurizer.word_tokens(texts, languages), 2))
    from_hashes = featurizer._word_features(texts, languages)
    assert abs(from_hashes[:, : words.shape[1]] - words).max() == 0
    featurizer._tables_hashable = False  # the string path, with its lexicon counts
    from_strings = featurizer._word_features(texts, languages)
    assert from_hashes.shape == (len(texts), words.shape[1] + 2)
    assert from_hashes.nnz == from_strings.nnz > words.nnz  # some texts hold lexicon words
    assert abs(from_hashes - from_strings).max() == 0


def test_word_features_fall_back_to_token_strings_for_a_lemma_of_two_words() -> None:
    texts, languages = normalize_all(["a lot of bugs", "lots of bugs"]), ["en", "en"]
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1).fit(pd.DataFrame({"text": texts, "language": languages}))
    featurizer.lemma_tables_ = {"en": {"lots": "a lot"}}
    matrix = featurizer._word_features(texts, languages).toarray()
    names = list(featurizer.word_vocabulary_.names_)
    assert matrix[1, names.index("a lot")] > 0  # "lots" counted as the two words of its lemma


def test_with_prefix_gives_the_hash_of_the_prefixed_token() -> None:
    words = tokens_of(["good x ünïcödé ఆన్‌లైన్"])
    prefixed = tokens_of(["neg_good neg_x neg_ünïcödé neg_ఆన్‌లైన్"])
    assert (with_prefix(words.hashes, words.lengths, "neg_") == prefixed.hashes).all()


def test_lemma_tables_cover_the_languages_spacy_lookups_has() -> None:
    assert load_lemma_table("en")["orders"] == "order"
    assert load_lemma_table("pl")["zamówienia"] == "zamówienie"
    assert load_lemma_table("te") == {}


def _frame(texts: list[str], language: str = "en") -> pd.DataFrame:
    return pd.DataFrame({"text": [normalize(t) for t in texts], "language": [language] * len(texts)})


def test_featurizer_marks_negation_scope_and_lemmatises() -> None:
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1).fit(_frame(["not good at all", "good orders"]))
    names = set(featurizer.get_feature_names_out())
    assert {"not", "neg_good", "neg_at", "good", "order", "good order"} <= names
    assert "orders" not in names


def test_featurizer_pruned_lemma_tables_give_the_same_features_as_full_tables() -> None:
    train = _frame(["the orders were late", "my order is broken", "she ordered twice", "great service"])
    test = _frame(["two orders and one order", "ordering was broken", "unknown words entirely"])
    featurizer = TextFeaturizer(char_ngrams=False, min_df=1).fit(train)
    pruned = featurizer.transform(test)
    featurizer.lemma_tables_ = {"en": load_lemma_table("en")}
    full = featurizer.transform(test)
    assert (pruned != full).nnz == 0
    assert len(featurizer.lemma_tables_["en"]) > 1000


def test_featurizer_transform_shape_matches_feature_names() -> None:
    featurizer = TextFeaturizer(min_df=1).fit(_frame(["first text here", "second one 😀"]))
    matrix = featurizer.transform(_frame(["third 😀", ""]))
    assert matrix.shape == (2, len(featurizer.get_feature_names_out()))


@pytest.mark.parametrize("slice_characters", [2_000_000, 40])
def test_character_block_counted_word_by_word_and_in_parts_equals_counting_every_occurrence(
    monkeypatch: pytest.MonkeyPatch, slice_characters: int
) -> None:
    monkeypatch.setattr(text, "SLICE_CHARACTERS", slice_characters)
    train = _frame(["the app is slow", "slow slow delivery", "great app 😀", "l'app est lente", "app"])
    featurizer = TextFeaturizer(min_df=1).fit(train)
    texts = [normalize(t) for t in ["slow app, slow app", "", "a delivery that never came " * 5, "lente 😀", "x"]]
    matrix = featurizer.featurize(texts, ["en", "en", "en", "fr", "en"])[0]
    vocabulary = featurizer.char_vocabulary_
    assert vocabulary is not None
    expected = vocabulary.transform(char_ngrams(texts, *featurizer.char_ngram_range)).toarray()
    np.testing.assert_allclose(matrix[:, -vocabulary.size :].toarray(), expected, rtol=1e-6)
    assert expected[0].any() and expected[2].any()


def test_pickled_featurizer_keeps_its_lemma_tables_and_reads_the_older_layout() -> None:
    featurizer = TextFeaturizer(min_df=1).fit(_frame(["the orders were late", "orders arrive"]))
    tables = {lang: dict(table) for lang, table in featurizer.lemma_tables_.items()}
    assert tables["en"]["orders"] == "order"
    restored = pickle.loads(pickle.dumps(featurizer))
    assert restored.lemma_tables_ == tables == featurizer.lemma_tables_  # the original is not changed by saving
    state = featurizer.__getstate__()
    assert isinstance(state["lemma_tables_"]["en"], tuple)  # saved as two strings
    older = TextFeaturizer.__new__(TextFeaturizer)
    older.__setstate__({**state, "lemma_tables_": tables})  # models saved before the packing had dicts
    assert older.lemma_tables_ == tables
