from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.errors import ColumnNotFoundError, CorruptModelError, FeedbackNLPWarning, InputFormatError
from feedback_nlp.io import read_table, write_table
from feedback_nlp.model import FeedbackModel
from feedback_nlp.score import OUTPUT_COLUMNS, guess_text_columns, score_file, score_frame

AWKWARD = Path(__file__).resolve().parent / "data" / "awkward.csv"


def _score(model: FeedbackModel, source: Path, out: Path, **options: object) -> pd.DataFrame:
    with pytest.warns(FeedbackNLPWarning):
        score_file(source, out, model, id_column="id", chunk_size=3, **options)  # type: ignore[arg-type]
    return read_table(out)


def test_score_file_keeps_every_row_once_in_order_with_original_columns(
    small_model: FeedbackModel, tmp_path: Path
) -> None:
    original = read_table(AWKWARD)
    scored = _score(small_model, AWKWARD, tmp_path / "out.csv")
    assert len(scored) == len(original)
    pd.testing.assert_frame_equal(scored[original.columns], original)
    assert set(OUTPUT_COLUMNS) <= set(scored.columns)
    assert list(scored.columns[: len(original.columns)]) == list(original.columns)


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".xlsx", ".tsv"])
def test_score_file_writes_every_format(small_model: FeedbackModel, tmp_path: Path, suffix: str) -> None:
    scored = _score(small_model, AWKWARD, tmp_path / f"out{suffix}")
    assert scored["id"].astype(str).tolist() == read_table(AWKWARD)["id"].tolist()
    assert scored["priority"].astype(int).between(0, 100).all()


def test_score_file_empty_texts_get_no_labels_and_zero_priority(small_model: FeedbackModel, tmp_path: Path) -> None:
    scored = _score(small_model, AWKWARD, tmp_path / "out.parquet").set_index("id")
    for row_id in ("r3", "r4", "r10"):
        assert pd.isna(scored.loc[row_id, "sentiment"])
        assert scored.loc[row_id, "priority"] == 0
        assert scored.loc[row_id, "priority_reasons"] == "no text"
    assert not pd.isna(scored.loc["r5", "sentiment"])  # emoji-only is scored
    assert not pd.isna(scored.loc["r6", "sentiment"])  # numbers-only is scored


def test_score_file_guesses_title_and_body_and_nps(small_model: FeedbackModel, tmp_path: Path) -> None:
    with pytest.warns(FeedbackNLPWarning):
        summary = score_file(AWKWARD, tmp_path / "o.csv", small_model)
    assert summary.text_columns == ["title", "body"] and summary.text_columns_guessed
    assert (summary.score_column, summary.score_kind) == ("nps", "NPS")
    assert summary.rows == 10 and summary.empty_texts == 3


def test_score_file_warns_about_duplicate_ids_but_keeps_rows(small_model: FeedbackModel, tmp_path: Path) -> None:
    with pytest.warns(FeedbackNLPWarning, match="1 row"):
        summary = score_file(AWKWARD, tmp_path / "o.csv", small_model, id_column="id", chunk_size=4)
    assert summary.duplicate_ids == 1 and summary.rows == 10


def test_score_file_missing_column_lists_columns_and_suggests_the_closest(
    small_model: FeedbackModel, tmp_path: Path
) -> None:
    with pytest.raises(
        ColumnNotFoundError,
        match=r"'Body' not found; columns are \['id', 'title', 'body', 'nps'\]"
        r"; did you mean 'body'\? pass --text-col body",
    ):
        score_file(AWKWARD, tmp_path / "o.csv", small_model, text_columns=["Body"])
    assert not (tmp_path / "o.csv").exists()


def test_score_file_empty_input_gives_valid_empty_output(small_model: FeedbackModel, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    score_file(empty, tmp_path / "o.csv", small_model)
    assert list(read_table(tmp_path / "o.csv").columns) == list(OUTPUT_COLUMNS)
    header_only = tmp_path / "header.csv"
    header_only.write_text("id,text\n", encoding="utf-8")
    score_file(header_only, tmp_path / "h.parquet", small_model)
    scored = read_table(tmp_path / "h.parquet")
    assert scored.empty and {"id", "text", *OUTPUT_COLUMNS} <= set(scored.columns)


def test_score_file_interrupted_run_leaves_no_output(small_model: FeedbackModel, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    write_table(pd.DataFrame({"text": ["late parcel"] * 50}), big)

    def interrupt(rows: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        score_file(big, tmp_path / "out.csv", small_model, chunk_size=10, on_progress=interrupt)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


def test_score_file_refuses_to_overwrite_its_input(small_model: FeedbackModel) -> None:
    with pytest.raises(InputFormatError, match="overwrite the input"):
        score_file(AWKWARD, AWKWARD, small_model)


def test_score_frame_handles_a_100kb_text_and_keeps_clashing_columns(small_model: FeedbackModel) -> None:
    frame = pd.DataFrame({"text": ["slow app " * 12_000, "fine"], "topic": ["mine", "mine"]})
    scored = score_frame(small_model, frame, ["text"])
    assert scored["topic"].tolist() == ["mine", "mine"]
    assert "topic_predicted" in scored and len(scored) == 2


def test_guess_text_columns_without_a_known_name_says_what_to_pass() -> None:
    with pytest.raises(ColumnNotFoundError, match="--text-col"):
        guess_text_columns(["a", "b"])


def test_score_file_with_two_workers_gives_the_same_output(small_model: FeedbackModel, tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    original = read_table(AWKWARD)
    write_table(pd.concat([original] * 6, ignore_index=True), source)
    with pytest.warns(FeedbackNLPWarning, match="NPS value"):
        score_file(source, tmp_path / "one.parquet", small_model, chunk_size=7, workers=1)
    with pytest.warns(FeedbackNLPWarning, match="NPS value"):
        score_file(source, tmp_path / "two.parquet", small_model, chunk_size=7, workers=2)
    pd.testing.assert_frame_equal(read_table(tmp_path / "one.parquet"), read_table(tmp_path / "two.parquet"))


def test_score_file_workers_load_the_model_from_its_folder_and_report_a_damaged_one(
    small_model: FeedbackModel, small_model_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "many.csv"
    write_table(pd.DataFrame({"text": ["The app crashes when I pay", "Great service, thanks!"] * 20}), source)
    score_file(source, tmp_path / "one.csv", small_model, chunk_size=8, workers=1)
    score_file(source, tmp_path / "two.csv", small_model_dir, chunk_size=8, workers=2)
    pd.testing.assert_frame_equal(read_table(tmp_path / "one.csv"), read_table(tmp_path / "two.csv"))
    damaged = tmp_path / "damaged"
    shutil.copytree(small_model_dir, damaged)
    (damaged / "model.joblib").write_bytes(b"not a model")
    with pytest.raises(CorruptModelError, match="cannot be read"):
        score_file(source, tmp_path / "three.csv", damaged, workers=2)
    assert not (tmp_path / "three.csv").exists()


def test_score_file_uses_a_given_language_column_and_detects_where_empty(
    small_model: FeedbackModel, tmp_path: Path
) -> None:
    source = tmp_path / "langs.csv"
    texts = ["The parcel arrived two days late", "Le colis est arrivé en retard", "Das Paket kam zu spät"]
    write_table(pd.DataFrame({"text": texts, "lang": ["en-GB", "FR", ""]}), source)
    score_file(source, tmp_path / "out.csv", small_model, language_column="lang")
    assert read_table(tmp_path / "out.csv")["language"].tolist() == ["en", "fr", "de"]
    with pytest.raises(ColumnNotFoundError, match="--lang-col"):
        score_file(source, tmp_path / "o2.csv", small_model, language_column="language_code")
