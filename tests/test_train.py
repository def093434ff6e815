from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.config import config_from_dict, load_config
from feedback_nlp.errors import ColumnNotFoundError, DataValidationError
from feedback_nlp.train import data_fingerprint, load_training_data, split_train_test


def test_split_uses_the_split_column_when_present(small_corpus: Path) -> None:
    config = load_config(None, [f"data.paths=['{small_corpus.as_posix()}']"])
    data = load_training_data(config)
    train, test = split_train_test(data, config)
    assert set(train["split"]) == {"train"} and set(test["split"]) == {"test"}
    assert len(train) + len(test) == len(data)


def test_split_without_split_column_is_seeded_and_stratified(small_corpus: Path) -> None:
    data = pd.read_csv(small_corpus, dtype=str, keep_default_na=False).drop(columns="split")
    config = config_from_dict({"data": {"test_size": 0.2}})
    first = split_train_test(data, config)
    second = split_train_test(data, config)
    pd.testing.assert_frame_equal(first[1], second[1])
    assert abs(len(first[1]) - 0.2 * len(data)) <= 2
    assert set(first[1]["lang"]) == set(data["lang"])


def test_load_training_data_reports_missing_columns_of_every_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("text,sentiment\nhello,positive\n", encoding="utf-8")
    with pytest.raises(ColumnNotFoundError, match=r"a\.csv' lacks column\(s\) \['pain_point', 'need_type'"):
        load_training_data(config_from_dict({}), [tmp_path])


def test_load_training_data_rejects_labels_outside_the_configured_set(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("text,sentiment\nhi,positive\nho,mixed\nhu,angry\n", encoding="utf-8")
    config = config_from_dict({"heads": {"sentiment": {"labels": ["negative", "neutral", "positive"]}}})
    with pytest.raises(DataValidationError, match=r"'mixed': 1.*'angry': 1|'angry': 1.*'mixed': 1"):
        load_training_data(config, [tmp_path / "a.csv"])


def test_load_training_data_missing_path_is_clear(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="not found"):
        load_training_data(config_from_dict({}), [tmp_path / "nope.csv"])


def test_data_fingerprint_changes_with_a_label() -> None:
    frame = pd.DataFrame({"text": ["a", "b"], "y": ["x", "y"]})
    changed = frame.assign(y=["x", "x"])
    assert data_fingerprint(frame, ["text", "y"]) == data_fingerprint(frame.copy(), ["text", "y"])
    assert data_fingerprint(frame, ["text", "y"]) != data_fingerprint(changed, ["text", "y"])
