"""Read and write tables by file suffix (CSV, TSV, Parquet, JSON Lines, Excel), in chunks.

Reading never changes a value: CSV and TSV cells are kept as the exact strings in the file, so a scored file's
original columns come out as they went in. Writing goes to a temporary file in the target folder that is renamed
into place only when everything is written, so an interrupted run leaves no half-written output behind.

Example::

    >>> from feedback_nlp.io import iter_table, AtomicTableWriter
    >>> with AtomicTableWriter("out.parquet") as writer:  # doctest: +SKIP
    ...     for chunk in iter_table("reviews.csv", chunk_size=50_000):
    ...         writer.write(chunk)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from feedback_nlp.errors import InputFormatError

EXCEL_MAX_ROWS = 1_048_575  # one row of the sheet's 1,048,576 is the header


class TableFormat(str, Enum):
    """The table formats feedback-nlp reads and writes."""

    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    JSONL = "jsonl"
    XLSX = "xlsx"


SUFFIX_FORMATS: dict[str, TableFormat] = {
    ".csv": TableFormat.CSV,
    ".tsv": TableFormat.TSV,
    ".tab": TableFormat.TSV,
    ".parquet": TableFormat.PARQUET,
    ".pq": TableFormat.PARQUET,
    ".jsonl": TableFormat.JSONL,
    ".ndjson": TableFormat.JSONL,
    ".xlsx": TableFormat.XLSX,
}
_SEPARATORS = {TableFormat.CSV: ",", TableFormat.TSV: "\t"}
# pandas 2 turns date-like JSON columns into timestamps unless told not to; pandas 3 only does so with dtype.
_JSON_OPTIONS: dict[str, Any] = {"convert_dates": False} if int(pd.__version__.split(".")[0]) < 3 else {}


def table_format(path: str | Path) -> TableFormat:
    """The :class:`TableFormat` of ``path``, chosen by its suffix; :class:`InputFormatError` if unknown."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        supported = ", ".join(sorted(SUFFIX_FORMATS))
        raise InputFormatError(
            f"'{path}' has an unsupported suffix '{suffix or '(none)'}'; supported: {supported}. "
            "Rename the file or convert it (e.g. save an .xls as .xlsx)."
        )
    return SUFFIX_FORMATS[suffix]


def iter_table(path: str | Path, chunk_size: int = 50_000, encoding: str = "utf-8") -> Iterator[pd.DataFrame]:
    """Yield the rows of the table at ``path`` as DataFrames of at most ``chunk_size`` rows, in file order.

    An empty file (0 bytes) yields one empty DataFrame with no columns; a header-only file yields one empty
    DataFrame with its columns. Raises :class:`InputFormatError` for files that cannot be decoded or parsed.
    """
    path = Path(path)
    fmt = table_format(path)
    if not path.is_file():
        raise InputFormatError(f"input file '{path}' not found")
    if path.stat().st_size == 0:
        yield pd.DataFrame()
        return
    readers = {
        TableFormat.CSV: _iter_delimited,
        TableFormat.TSV: _iter_delimited,
        TableFormat.PARQUET: _iter_parquet,
        TableFormat.JSONL: _iter_jsonl,
        TableFormat.XLSX: _iter_excel,
    }
    try:
        yield from readers[fmt](path, fmt, chunk_size, encoding)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1].hex()
        raise InputFormatError(
            f"'{path}' is not valid {encoding} text (byte 0x{bad} near byte {exc.start}); "
            "re-save it as UTF-8, or pass --encoding with its real encoding (e.g. --encoding cp1252)"
        ) from exc
    except (pd.errors.ParserError, pa.ArrowException, ValueError) as exc:
        if isinstance(exc, InputFormatError):
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputFormatError(f"cannot read '{path}' as {fmt.value}: {message}") from exc


def read_table(path: str | Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read the whole table at ``path`` into one DataFrame (for training and evaluation data)."""
    chunks = list(iter_table(path, encoding=encoding))
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def _iter_delimited(path: Path, fmt: TableFormat, chunk_size: int, encoding: str) -> Iterator[pd.DataFrame]:
    try:
        reader = pd.read_csv(
            path,
            sep=_SEPARATORS[fmt],
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig" if encoding.lower().replace("-", "") == "utf8" else encoding,
            chunksize=chunk_size,
        )
    except pd.errors.EmptyDataError:
        yield pd.DataFrame()
        return
    with reader:
        produced = False
        for chunk in reader:
            produced = True
            yield chunk.reset_index(drop=True)
        if not produced:  # header only
            yield pd.read_csv(path, sep=_SEPARATORS[fmt], dtype=str, nrows=0, encoding=reader.orig_options["encoding"])


def _iter_parquet(path: Path, fmt: TableFormat, chunk_size: int, encoding: str) -> Iterator[pd.DataFrame]:
    parquet = pq.ParquetFile(path)
    produced = False
    for batch in parquet.iter_batches(batch_size=chunk_size):
        produced = True
        yield batch.to_pandas()
    if not produced:
        yield parquet.schema_arrow.empty_table().to_pandas()


def _iter_jsonl(path: Path, fmt: TableFormat, chunk_size: int, encoding: str) -> Iterator[pd.DataFrame]:
    reader = pd.read_json(path, lines=True, chunksize=chunk_size, dtype=False, encoding=encoding, **_JSON_OPTIONS)
    with reader:
        produced = False
        for chunk in reader:
            produced = True
            yield chunk.reset_index(drop=True)
    if not produced:
        yield pd.DataFrame()


def _iter_excel(path: Path, fmt: TableFormat, chunk_size: int, encoding: str) -> Iterator[pd.DataFrame]:
    frame = pd.read_excel(path, dtype=object, engine="openpyxl")
    if frame.empty:
        yield frame
        return
    for start in range(0, len(frame), chunk_size):
        yield frame.iloc[start : start + chunk_size].reset_index(drop=True)


class AtomicTableWriter:
    """Write DataFrame chunks to ``path`` through a temporary file that replaces ``path`` only on success.

    Use as a context manager: leaving the block normally commits the file; an exception (including
    ``KeyboardInterrupt``) deletes the temporary file and leaves any existing ``path`` untouched.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.format = table_format(self.path)
        self.rows_written = 0
        self._tmp_path = self.path.with_name(f".{self.path.name}.partial-{os.getpid()}")
        self._handle: IO[str] | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._excel_chunks: list[pd.DataFrame] = []
        self._columns: list[str] | None = None

    def __enter__(self) -> AtomicTableWriter:
        if not self.path.parent.is_dir():
            raise InputFormatError(f"output folder '{self.path.parent}' does not exist; create it first")
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append ``frame``'s rows; every chunk must have the columns of the first."""
        if self._columns is None:
            self._columns = [str(column) for column in frame.columns]
        elif [str(column) for column in frame.columns] != self._columns:
            raise InputFormatError("internal error: chunks with different columns cannot go to one file")
        if self.format is TableFormat.XLSX:
            if self.rows_written + len(frame) > EXCEL_MAX_ROWS:
                raise InputFormatError(
                    f"an .xlsx sheet holds at most {EXCEL_MAX_ROWS:,} rows; write to .parquet or .csv instead"
                )
            self._excel_chunks.append(frame)
        elif self.format is TableFormat.PARQUET:
            self._write_parquet(frame)
        else:
            self._write_text(frame)
        self.rows_written += len(frame)

    def _write_text(self, frame: pd.DataFrame) -> None:
        if self._handle is None:
            self._handle = open(self._tmp_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            first = True
        else:
            first = False
        if self.format is TableFormat.JSONL:
            if len(frame):
                text = frame.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
                self._handle.write(text if text.endswith("\n") else text + "\n")
        else:
            frame.to_csv(self._handle, sep=_SEPARATORS[self.format], index=False, header=first)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._schema is None:
            fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
            self._schema = pa.schema(fields)
            self._parquet = pq.ParquetWriter(self._tmp_path, self._schema)
        try:
            table = table.cast(self._schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputFormatError(
                f"a column changes type part-way through the input ({exc}); write to .csv or .jsonl instead, "
                "or clean the column so every row has the same type"
            ) from exc
        assert self._parquet is not None
        self._parquet.write_table(table)

    def commit(self) -> None:
        """Finish the temporary file and move it to ``path``."""
        if self.format is TableFormat.XLSX:
            frame = pd.concat(self._excel_chunks, ignore_index=True) if self._excel_chunks else pd.DataFrame()
            frame.to_excel(self._tmp_path, index=False, engine="openpyxl")
        elif self.format is TableFormat.PARQUET:
            if self._parquet is None:
                pq.write_table(
                    pa.table({name: pa.array([], pa.string()) for name in self._columns or []}),
                    self._tmp_path,
                )
            else:
                self._parquet.close()
        else:
            if self._handle is None:
                self._write_text(pd.DataFrame(columns=self._columns or []))
            assert self._handle is not None
            self._handle.close()
        os.replace(self._tmp_path, self.path)

    def abort(self) -> None:
        """Drop the temporary file; ``path`` is left as it was."""
        if self._handle is not None:
            self._handle.close()
        if self._parquet is not None:
            with contextlib.suppress(Exception):
                self._parquet.close()
        with contextlib.suppress(FileNotFoundError):
            self._tmp_path.unlink()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write one DataFrame to ``path`` atomically, format chosen by suffix."""
    with AtomicTableWriter(path) as writer:
        writer.write(frame)


def describe_columns(columns: list[Any]) -> str:
    """The column list as users see it in error messages."""
    return "[" + ", ".join(repr(str(column)) for column in columns) + "]"
