from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.config import config_from_dict, load_config
from feedback_nlp.errors import (
    CorruptModelError,
    DataValidationError,
    IncompatibleModelError,
    ModelNotFoundError,
    NotFittedError,
)
from feedback_nlp.model import FeedbackModel, normalize_label
from feedback_nlp.train import train

PROBES = [
    "The app crashes every time I open my invoices, please fix it",
    "Livraison rapide, produit parfait, merci !",
    "Vorrei più opzioni vegane nel box",
    "Nie mogę się zalogować od wczoraj",
    "డెలివరీ చాలా ఆలస్యం అయింది",
    "",
    "👍",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        ("False", "false"),
        ("1", "true"),
        (0, "false"),
        ("", None),
        (None, None),
        (" want ", "want"),
    ],
)
def test_normalize_label(value: object, expected: str | None) -> None:
    assert normalize_label(value) == expected


def test_predict_returns_every_output_column_with_valid_values(small_model: FeedbackModel) -> None:
    table = small_model.predict(PROBES)
    assert len(table) == len(PROBES)
    assert set(table["sentiment"].dropna()) <= {"negative", "neutral", "positive"}
    assert set(table["need_type"].dropna()) <= {"need", "want", "none"}
    assert table["sentiment_score"].dropna().between(-1, 1).all()
    assert table["pain_point_proba"].dropna().between(0, 1).all()
    assert table.loc[5, "sentiment"] is pd.NA and table.loc[5, "language"] == "und"
    assert table.loc[6, "sentiment"] is not pd.NA


def test_save_load_round_trip_gives_identical_predictions(small_model: FeedbackModel, tmp_path: Path) -> None:
    small_model.save(tmp_path / "copy")
    loaded = FeedbackModel.load(tmp_path / "copy")
    pd.testing.assert_frame_equal(small_model.predict(PROBES), loaded.predict(PROBES))


def test_same_data_and_seed_give_the_same_model_with_any_number_of_processes(
    small_config_path: Path, tmp_path: Path
) -> None:
    config = load_config(small_config_path, ["features.char_ngrams=false"])
    first = train(config, out_dir=tmp_path / "a").model.predict_proba(PROBES)
    second = train(config, out_dir=tmp_path / "b").model.predict_proba(PROBES)
    one_process = load_config(small_config_path, ["features.char_ngrams=false", "model.n_jobs=1"])
    third = train(one_process, out_dir=tmp_path / "c").model.predict_proba(PROBES)
    for head in first:
        pd.testing.assert_frame_equal(first[head], second[head])
        pd.testing.assert_frame_equal(first[head], third[head])


def test_explain_returns_terms_that_pushed_each_head(small_model: FeedbackModel) -> None:
    explanation = small_model.explain("The app crashes every time, I want a refund and I will cancel", top_n=3)
    assert set(explanation) == set(small_model.heads)
    assert all(len(terms) <= 3 for terms in explanation.values())
    assert all(weight > 0 for terms in explanation.values() for _, weight in terms)
    assert any(terms for terms in explanation.values())


def test_custom_head_is_learned_from_config(small_corpus: Path) -> None:
    data = pd.read_csv(small_corpus, dtype=str, keep_default_na=False)
    data["complaint"] = (data["pain_point"] == "true") & (data["sentiment"] == "negative")
    config = config_from_dict(
        {"heads": {"complaint": {"column": "complaint"}, "sentiment": {}}, "features": {"char_ngrams": False}}
    )
    model = FeedbackModel(config).fit(data["text"].tolist(), data, data["lang"].tolist())
    table = model.predict(["Terrible, the order never came and support ignores me", "Lovely, thanks"])
    assert {"complaint", "complaint_proba", "sentiment"} <= set(table.columns)
    assert model.heads["complaint"].is_binary


def test_fit_rejects_a_head_with_a_single_label() -> None:
    frame = pd.DataFrame({"text": ["a b", "c d", "e f"], "flag": ["true"] * 3})
    config = config_from_dict({"heads": {"flag": {}}, "features": {"min_df": 1, "char_ngrams": False}})
    with pytest.raises(DataValidationError, match="head 'flag'"):
        FeedbackModel(config).fit(frame["text"].tolist(), frame, ["en"] * 3)


def test_unfitted_model_says_so() -> None:
    with pytest.raises(NotFittedError):
        FeedbackModel().predict(["x"])


def test_load_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="not found"):
        FeedbackModel.load(tmp_path / "nothing")


def test_load_corrupt_model_file(small_model_dir: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(small_model_dir, tmp_path / "m"))
    (copy / "model.joblib").write_bytes(b"not a pickle")
    with pytest.raises(CorruptModelError, match="cannot be read"):
        FeedbackModel.load(copy)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("format_version", 99, "format version 99"),
        ("versions", {"scikit_learn": "0.24.2"}, "scikit-learn 0.24.2"),
    ],
)
def test_load_incompatible_model_names_versions_and_how_to_retrain(
    small_model_dir: Path, tmp_path: Path, key: str, value: object, message: str
) -> None:
    copy = Path(shutil.copytree(small_model_dir, tmp_path / "m"))
    metadata = json.loads((copy / "metadata.json").read_text("utf-8"))
    metadata[key] = value
    (copy / "metadata.json").write_text(json.dumps(metadata), "utf-8")
    with pytest.raises(IncompatibleModelError, match=message) as info:
        FeedbackModel.load(copy)
    assert "feedback-nlp train" in str(info.value)
