from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.errors import InputFormatError
from feedback_nlp.io import AtomicTableWriter, iter_table, read_table, table_format, write_table


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl", ".xlsx"])
def test_write_then_read_round_trips_every_format(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"id": ["007", "8"], "text": ['say "hi", then\nleave', "émoji 😀"]})
    path = tmp_path / f"t{suffix}"
    write_table(frame, path)
    back = read_table(path)
    assert back["text"].tolist() == frame["text"].tolist()
    assert back["id"].tolist() == ["007", "8"]


def test_iter_table_keeps_csv_cells_as_exact_strings(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,price,flag\n007,1.50,NA\n", encoding="utf-8")
    frame = read_table(path)
    assert frame.iloc[0].tolist() == ["007", "1.50", "NA"]


def test_iter_table_yields_chunks_in_order(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pd.DataFrame({"n": range(10)}).to_csv(path, index=False)
    chunks = list(iter_table(path, chunk_size=3))
    assert [len(c) for c in chunks] == [3, 3, 3, 1]
    assert pd.concat(chunks)["n"].astype(int).tolist() == list(range(10))


def test_iter_table_empty_file_gives_one_empty_frame(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    chunks = list(iter_table(path))
    assert len(chunks) == 1 and chunks[0].empty


def test_iter_table_header_only_keeps_columns(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,text\n", encoding="utf-8")
    (chunk,) = list(iter_table(path))
    assert list(chunk.columns) == ["id", "text"] and chunk.empty


def test_iter_table_non_utf8_names_the_byte_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("text\ncafé crème\n".encode("latin-1"))
    with pytest.raises(InputFormatError, match=r"not valid utf-8.*--encoding"):
        read_table(path)
    assert read_table(path, encoding="latin-1")["text"].tolist() == ["café crème"]


def test_iter_table_bom_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufefftext\nhello\n".encode())
    assert list(read_table(path).columns) == ["text"]


@pytest.mark.parametrize("name", ["data.xls", "data.json", "data"])
def test_table_format_rejects_unknown_suffix_with_the_supported_list(name: str) -> None:
    with pytest.raises(InputFormatError, match=r"supported: .*\.csv"):
        table_format(name)


def test_atomic_writer_leaves_no_file_and_keeps_old_output_on_error(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), AtomicTableWriter(path) as writer:
        writer.write(pd.DataFrame({"a": [1]}))
        raise KeyboardInterrupt
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_atomic_writer_parquet_rejects_a_column_changing_type(tmp_path: Path) -> None:
    with (
        pytest.raises(InputFormatError, match="changes type"),
        AtomicTableWriter(tmp_path / "o.parquet") as w,
    ):
        w.write(pd.DataFrame({"a": [1, 2]}))
        w.write(pd.DataFrame({"a": ["x", "y"]}))
    assert list(tmp_path.iterdir()) == []


def test_atomic_writer_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with (
        pytest.raises(InputFormatError, match="does not exist"),
        AtomicTableWriter(tmp_path / "no" / "o.csv"),
    ):
        pass
