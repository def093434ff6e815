"""Batch scoring: any table in, the same rows out with label, probability and priority columns added.

Files are read and written in chunks, so memory stays flat whatever the size; the output goes through a
temporary file, so an interrupted run leaves nothing half-written. Every input row comes out exactly once, in
order, with its original columns untouched.

Example::

    >>> from feedback_nlp import score_file
    >>> summary = score_file("data/examples/reviews.csv", "scored.csv")  # doctest: +SKIP
    >>> summary.rows  # doctest: +SKIP
    312
"""

from __future__ import annotations

import difflib
import itertools
import multiprocessing
import os
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from feedback_nlp.errors import ColumnNotFoundError, FeedbackNLPWarning, InputFormatError, ModelNotFoundError
from feedback_nlp.io import AtomicTableWriter, describe_columns, iter_table
from feedback_nlp.model import FeedbackModel, Predictions
from feedback_nlp.priority import compute_priority, nps_severity, rating_severity

MODEL_ENV_VAR = "FEEDBACK_NLP_MODEL"
DEFAULT_MODEL_DIR = Path("models") / "default"
TEXT_COLUMN_NAMES = (
    "text", "review", "review_text", "reviewtext", "body", "review_body", "comment", "comments", "feedback",
    "verbatim", "message", "content", "description", "answer", "response", "free_text", "ticket_text", "note",
)  # fmt: skip
TITLE_COLUMN_NAMES = ("title", "review_title", "subject", "summary", "headline")
NPS_COLUMN_NAMES = ("nps", "nps_score", "likelihood_to_recommend", "ltr", "recommend_score")
RATING_COLUMN_NAMES = ("rating", "stars", "star_rating", "score", "review_rating", "csat")
OUTPUT_COLUMNS = (
    "language", "sentiment", "sentiment_score", "pain_point", "pain_point_proba", "need_type",
    "need_type_proba", "topic", "topic_proba", "churn_risk", "churn_risk_proba", "priority", "priority_reasons",
)  # fmt: skip


@dataclass
class ScoreSummary:
    """What a scoring run did: rows, columns used, where the output went and what was noticed."""

    rows: int = 0
    output: Path | None = None
    text_columns: list[str] = field(default_factory=list)
    text_columns_guessed: bool = False
    score_column: str | None = None
    score_kind: str | None = None
    language_column: str | None = None
    languages: Counter[str] = field(default_factory=Counter)
    empty_texts: int = 0
    duplicate_ids: int = 0


def resolve_model_dir(model_dir: str | Path | None = None) -> Path:
    """The model folder to use: ``model_dir``, else $FEEDBACK_NLP_MODEL, else the bundled ``models/default``
    (looked up in the current folder, then in the source checkout feedback-nlp was installed from)."""
    if model_dir is not None:
        return Path(model_dir)
    if os.environ.get(MODEL_ENV_VAR):
        return Path(os.environ[MODEL_ENV_VAR])
    candidates = [Path.cwd() / DEFAULT_MODEL_DIR, Path(__file__).resolve().parents[2] / DEFAULT_MODEL_DIR]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise ModelNotFoundError(
        f"no model given and the bundled model '{DEFAULT_MODEL_DIR}' was not found here or next to the "
        f"installed package; run from the feedback-nlp checkout, pass --model DIR or set {MODEL_ENV_VAR}"
    )


def auto_workers(input_path: str | Path) -> int:
    """Worker processes for ``score_file`` when the user does not say: one for files under 5 MB (start-up would
    cost more than it saves), else one per core, at most four."""
    size = Path(input_path).stat().st_size if Path(input_path).is_file() else 0
    return 1 if size < 5_000_000 else max(1, min(os.cpu_count() or 1, 4))


def load_model(model_dir: str | Path | None = None) -> FeedbackModel:
    """Load ``model_dir`` (default: the bundled model, see :func:`resolve_model_dir`)."""
    return FeedbackModel.load(resolve_model_dir(model_dir))


def checked_model_dir(model_dir: str | Path | None = None) -> Path:
    """The model folder :func:`load_model` would load, checked for presence and compatibility without loading
    it (so a bad model fails before any work starts)."""
    directory = resolve_model_dir(model_dir)
    FeedbackModel.check(directory)
    return directory


def find_column(columns: Sequence[object], name: str, option: str) -> str:
    """``name`` if it is one of ``columns``; otherwise a :class:`ColumnNotFoundError` suggesting the closest."""
    names = [str(column) for column in columns]
    if name in names:
        return name
    lowered = {column.lower(): column for column in names}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    hint = f"; did you mean '{lowered[close[0]]}'? pass {option} {lowered[close[0]]}" if close else f"; pass {option}"
    raise ColumnNotFoundError(f"column '{name}' not found; columns are {describe_columns(names)}{hint}")


def guess_column(columns: Sequence[object], candidates: Sequence[str]) -> str | None:
    """The first column whose normalised name is one of ``candidates`` (in candidate order)."""
    by_key = {str(column).strip().lower().replace(" ", "_").replace("-", "_"): str(column) for column in columns}
    return next((by_key[name] for name in candidates if name in by_key), None)


def guess_text_columns(columns: Sequence[object]) -> list[str]:
    """The text column(s) to score when none is given: a body-like column, preceded by a title if present."""
    body = guess_column(columns, TEXT_COLUMN_NAMES)
    if body is None:
        raise ColumnNotFoundError(
            f"no text column given and none of the usual names found; columns are {describe_columns(list(columns))}; "
            "pass --text-col NAME (repeat it to join several, e.g. --text-col title --text-col body)"
        )
    title = guess_column(columns, TITLE_COLUMN_NAMES)
    return [title, body] if title else [body]


# What scoring a chunk needs besides the model: text columns, score column, score kind ("NPS"/"rating"), language column.
ChunkOptions = tuple[list[str], "str | None", str, "str | None"]


def join_text_columns(frame: pd.DataFrame, text_columns: Sequence[str]) -> list[str]:
    """The text of each row: the given columns' non-empty values joined with ". " (title + body)."""
    parts = [frame[column].astype("string").fillna("").str.strip() for column in text_columns]
    joined = parts[0]
    for part in parts[1:]:
        separator = pd.Series(". ", index=frame.index).where((joined != "") & (part != ""), "")
        joined = joined + separator + part
    return [str(text) for text in joined]


def score_frame(
    model: FeedbackModel,
    frame: pd.DataFrame,
    text_columns: Sequence[str],
    score_column: str | None = None,
    score_kind: str = "NPS",
    language_column: str | None = None,
) -> pd.DataFrame:
    """``frame`` with the scoring columns appended (see ``OUTPUT_COLUMNS``); original columns untouched.

    ``score_column`` (NPS 0–10 or rating 1–5, by ``score_kind``) feeds priority when given.
    ``language_column`` holds known language codes ("fr", "fr-CA"); rows where it is empty are detected.
    An output column whose name the input already has is added as ``<name>_predicted``.
    """
    options: ChunkOptions = (list(text_columns), score_column, score_kind, language_column)
    return _attach(frame, _predict_columns(model, frame, options))


def _predict_columns(model: FeedbackModel, frame: pd.DataFrame, options: ChunkOptions) -> pd.DataFrame:
    """Just the scoring columns of :func:`score_frame` (same index as ``frame``)."""
    text_columns, score_column, score_kind, language_column = options
    texts = join_text_columns(frame, text_columns) if len(frame) else []
    languages = frame[language_column].astype("string").tolist() if language_column else None
    predictions = model.predict_full(texts, languages)
    predicted: pd.DataFrame = predictions.table.set_axis(frame.index)
    scores = frame[score_column] if score_column else None
    signals = priority_signals(predictions, scores, score_kind)
    priority, reasons = compute_priority(signals, model.config.priority, scores, score_kind)
    predicted["priority"] = priority
    predicted["priority_reasons"] = reasons
    predicted.loc[predictions.empty, "priority_reasons"] = "no text"
    return predicted


def _attach(frame: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """``frame`` followed by the ``predicted`` columns, renamed ``<name>_predicted`` where ``frame`` has the name."""
    clash = [column for column in predicted.columns if column in frame.columns]
    renamed = predicted.rename(columns={column: f"{column}_predicted" for column in clash})
    combined: pd.DataFrame = pd.concat([frame, renamed], axis=1)
    return combined


def priority_signals(predictions: Predictions, scores: pd.Series | None, score_kind: str) -> pd.DataFrame:
    """The inputs of :func:`~feedback_nlp.priority.compute_priority` from one prediction pass: P(pain point),
    P(need), P(want), P(churn risk), P(negative) for the heads the model has, and the score's severity."""
    signals: pd.DataFrame = pd.DataFrame(index=range(len(predictions.table)))
    wanted = {
        "pain_point": ("true",),
        "churn_risk": ("true",),
        "need_type": ("need", "want"),
        "sentiment": ("negative",),
    }
    for head, labels in wanted.items():
        for label in labels:
            if head in predictions.proba and label in predictions.proba[head]:
                signals[head if label == "true" else label] = predictions.proba[head][label].to_numpy()
    if scores is not None:
        severity = nps_severity if score_kind == "NPS" else rating_severity
        signals["score"] = severity(scores.reset_index(drop=True)).to_numpy()
    signals.loc[predictions.empty] = 0.0
    return signals


def score_file(
    input_path: str | Path,
    output_path: str | Path | None = None,
    model: FeedbackModel | str | Path | None = None,
    text_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    nps_column: str | None = None,
    rating_column: str | None = None,
    chunk_size: int = 5_000,
    encoding: str = "utf-8",
    on_progress: Callable[[int], None] | None = None,
    workers: int = 1,
    language_column: str | None = None,
) -> ScoreSummary:
    """Score the table at ``input_path`` and write it to ``output_path`` (default ``<name>.scored<suffix>``).

    Text columns are guessed when not given (see :func:`guess_text_columns`), as is an NPS or rating column
    for priority. ``on_progress`` is called with the number of rows done after each chunk. With ``workers`` > 1
    chunks are scored in that many processes (each loads the model once); output order and content are the same
    as with one, and at most ``2 × workers`` chunks are in memory at a time. ``language_column`` names a column
    of known language codes, used instead of detection where it is filled.
    """
    input_path = Path(input_path)
    output = Path(output_path) if output_path else input_path.with_name(f"{input_path.stem}.scored{input_path.suffix}")
    if output.resolve() == input_path.resolve():
        raise InputFormatError(f"output '{output}' would overwrite the input; choose another --out")
    source = model if isinstance(model, FeedbackModel) else checked_model_dir(model)
    summary = ScoreSummary(output=output)
    seen_ids: set[object] = set()
    chunks = iter_table(input_path, chunk_size=chunk_size, encoding=encoding)
    first = next(chunks)
    _resolve_columns(first, summary, text_columns, id_column, nps_column, rating_column)
    if language_column and first.shape[1]:
        summary.language_column = find_column(list(first.columns), language_column, "--lang-col")
    options = (summary.text_columns, summary.score_column, summary.score_kind or "NPS", summary.language_column)
    with AtomicTableWriter(output) as writer:
        if first.shape[1] == 0:  # an empty file: no columns at all
            writer.write(pd.DataFrame(columns=list(OUTPUT_COLUMNS)))
            return summary
        for chunk, scored in _scored_chunks(source, itertools.chain([first], chunks), options, workers):
            if id_column:
                ids = chunk[id_column].tolist()
                summary.duplicate_ids += len(ids) - len(set(ids)) + len(seen_ids.intersection(ids))
                seen_ids.update(ids)
            writer.write(scored)
            summary.rows += len(chunk)
            summary.languages.update(scored["language"].tolist() if "language" in scored else [])
            summary.empty_texts += int(scored["sentiment"].isna().sum()) if "sentiment" in scored else 0
            if on_progress:
                on_progress(summary.rows)
    if summary.duplicate_ids:
        warnings.warn(
            f"{summary.duplicate_ids} row(s) repeat an id already seen in column '{id_column}'; all rows were "
            "kept and scored",
            FeedbackNLPWarning,
            stacklevel=2,
        )
    return summary


_worker_source: FeedbackModel | Path | None = None  # what a worker process was given: a model or its folder
_worker_model: FeedbackModel | None = None


def _scored_chunks(
    model: FeedbackModel | Path, chunks: Iterator[pd.DataFrame], options: ChunkOptions, workers: int
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(chunk, scored chunk) pairs in input order, scored here or by ``workers`` processes.

    Workers get only the columns scoring reads and send back only the new columns; each loads the model
    from its folder (or unpickles the one given) once, on its first chunk.
    """
    if workers <= 1:
        loaded = _as_model(model)
        for chunk in chunks:
            yield chunk, score_frame(loaded, chunk, *options)
        return
    text_columns, score_column, _, language_column = options
    needed = list(dict.fromkeys([*text_columns, *(c for c in (score_column, language_column) if c)]))
    # "spawn", not "fork": lingua's Rust thread pool does not survive a fork of a process that has used it.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(model,)) as pool:
        pending: deque[tuple[pd.DataFrame, Future[tuple[pd.DataFrame, list[str]]]]] = deque()
        try:
            for chunk in chunks:
                pending.append((chunk, pool.submit(_score_in_worker, chunk[needed], options)))
                if len(pending) >= 2 * workers:
                    yield _collect(*pending.popleft())
            while pending:
                yield _collect(*pending.popleft())
        except BaseException:  # an error or an interrupt: drop the queued chunks instead of scoring them first
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _as_model(source: FeedbackModel | Path) -> FeedbackModel:
    return source if isinstance(source, FeedbackModel) else FeedbackModel.load(source)


def _init_worker(model: FeedbackModel | Path) -> None:
    global _worker_source
    _worker_source = model


def _score_in_worker(chunk: pd.DataFrame, options: ChunkOptions) -> tuple[pd.DataFrame, list[str]]:
    global _worker_model
    if _worker_model is None:  # loaded here, not in the initializer, so a load error reaches the caller
        assert _worker_source is not None
        _worker_model = _as_model(_worker_source)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predicted = _predict_columns(_worker_model, chunk, options)
    return predicted, [str(warning.message) for warning in caught]


def _collect(chunk: pd.DataFrame, future: Future[tuple[pd.DataFrame, list[str]]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    predicted, messages = future.result()
    for message in messages:  # warnings raised in a worker are re-raised here, where the caller sees them
        warnings.warn(message, FeedbackNLPWarning, stacklevel=3)
    return chunk, _attach(chunk, predicted)


def _resolve_columns(
    chunk: pd.DataFrame,
    summary: ScoreSummary,
    text_columns: Sequence[str] | None,
    id_column: str | None,
    nps_column: str | None,
    rating_column: str | None,
) -> None:
    columns = list(chunk.columns)
    if not columns:
        return
    if text_columns:
        summary.text_columns = [find_column(columns, name, "--text-col") for name in text_columns]
    else:
        summary.text_columns = guess_text_columns(columns)
        summary.text_columns_guessed = True
    if id_column:
        find_column(columns, id_column, "--id-col")
    if nps_column:
        summary.score_column, summary.score_kind = find_column(columns, nps_column, "--nps-col"), "NPS"
    elif rating_column:
        summary.score_column, summary.score_kind = (
            find_column(columns, rating_column, "--rating-col"),
            "rating",
        )
    elif (guessed := guess_column(columns, NPS_COLUMN_NAMES)) is not None:
        summary.score_column, summary.score_kind = guessed, "NPS"
    elif (guessed := guess_column(columns, RATING_COLUMN_NAMES)) is not None:
        summary.score_column, summary.score_kind = guessed, "rating"
