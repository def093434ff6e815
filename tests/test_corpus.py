"""Keeps the training corpus honest: schema, label values, size and coverage floors, duplicates, languages."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.language import detect_languages

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
COLUMNS = [
    "id",
    "text",
    "lang",
    "sentiment",
    "pain_point",
    "need_type",
    "topic",
    "churn_risk",
    "domain",
    "channel",
    "split",
]
TOPICS = {"price_value", "delivery", "product_quality", "usability", "reliability", "customer_support", "billing",
          "account_access", "features", "other"}  # fmt: skip
VALUES = {
    "sentiment": {"negative", "neutral", "positive"},
    "pain_point": {"true", "false"},
    "need_type": {"need", "want", "none"},
    "topic": TOPICS,
    "churn_risk": {"true", "false"},
    "channel": {"app_review", "nps_survey", "csat_survey", "support_ticket", "social_post", "chat"},
    "split": {"train", "test"},
}
MIN_ROWS = {"en": 1200, "fr": 1000, "it": 1000, "pl": 1000, "es": 1000, "de": 1000, "te": 600}


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    frames = [pd.read_csv(CORPUS / f"{lang}.csv", dtype=str, keep_default_na=False) for lang in MIN_ROWS]
    return pd.concat(frames, ignore_index=True)


def test_corpus_schema_and_label_values(corpus: pd.DataFrame) -> None:
    assert list(corpus.columns) == COLUMNS
    assert corpus["id"].is_unique
    assert (corpus["text"].str.strip() != "").all()
    for column, allowed in VALUES.items():
        assert set(corpus[column]) <= allowed, column


def test_corpus_size_floors(corpus: pd.DataFrame) -> None:
    counts = corpus["lang"].value_counts()
    assert len(corpus) >= 8000
    for lang, floor in MIN_ROWS.items():
        assert counts.get(lang, 0) >= floor, lang


@pytest.mark.parametrize("lang", list(MIN_ROWS))
def test_corpus_label_coverage_per_language(corpus: pd.DataFrame, lang: str) -> None:
    rows = corpus[corpus["lang"] == lang]
    share = {column: rows[column].value_counts(normalize=True) for column in ("sentiment", "need_type", "churn_risk")}
    assert all(share["sentiment"].get(value, 0) >= 0.12 for value in VALUES["sentiment"])
    assert share["need_type"].get("need", 0) >= 0.12 and share["need_type"].get("want", 0) >= 0.12
    assert share["churn_risk"].get("true", 0) >= 0.06
    assert set(rows["topic"]) == TOPICS
    assert rows["domain"].nunique() >= 12 and set(rows["channel"]) == VALUES["channel"]
    assert 0.12 <= (rows["split"] == "test").mean() <= 0.18


def test_corpus_lengths_look_like_real_feedback(corpus: pd.DataFrame) -> None:
    words = corpus["text"].str.split().str.len()
    assert 20 <= words.median() <= 40
    assert (words > 60).mean() >= 0.10
    assert (words <= 3).sum() >= 50


def test_corpus_exact_duplicates_under_one_percent(corpus: pd.DataFrame) -> None:
    normalised = corpus["text"].map(lambda text: re.sub(r"\W+", " ", text.lower()).strip())
    assert normalised.duplicated().mean() < 0.01


def test_corpus_language_matches_the_detector(corpus: pd.DataFrame) -> None:
    """Rows of four words or more must be detected as their ``lang`` (short texts are ambiguous by nature)."""
    long_rows = corpus[corpus["text"].str.split().str.len() >= 4]
    detected = pd.Series(detect_languages(long_rows["text"].tolist()), index=long_rows.index)
    agreement = (detected == long_rows["lang"]).groupby(long_rows["lang"]).mean()
    assert (agreement >= 0.97).all(), agreement.to_dict()
