"""Which columns of a scored table a report uses, and the table reduced to them under standard names.

Score, channel, date, segment, value, churned, customer and text columns are taken as given or guessed from the
common names in :data:`COLUMN_NAMES` (first match in list order; a column is used for one role only, never a
column the scoring added). :func:`prepare` converts them once — numbers, booleans from "True"/"false" strings,
dates — so the report's sections work on clean, typed data; scores outside their scale are excluded with a
:class:`~feedback_nlp.errors.FeedbackNLPWarning`.

Example::

    >>> from feedback_nlp.report_columns import ReportColumns, resolve_columns
    >>> resolved, guessed = resolve_columns(["text", "NPS Score", "created_at"], ReportColumns())
    >>> resolved.nps, resolved.date, sorted(guessed)
    ('NPS Score', 'created_at', ['date', 'nps', 'text'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from feedback_nlp.errors import ColumnNotFoundError
from feedback_nlp.metrics import CSAT_RANGE, NPS_RANGE, RATING_RANGE, clean_scores, parse_dates, to_bool
from feedback_nlp.score import NPS_COLUMN_NAMES, OUTPUT_COLUMNS, find_column, guess_column, guess_text_columns

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "nps": (*NPS_COLUMN_NAMES, "nps_rating", "recommend", "how_likely_to_recommend"),
    "csat": ("csat", "csat_score", "satisfaction", "satisfaction_score", "customer_satisfaction", "csat_rating"),
    "rating": ("rating", "stars", "star_rating", "review_rating", "rating_score", "review_score", "score"),
    "channel": ("channel", "source", "platform", "store", "medium", "feedback_channel", "origin"),
    "date": ("date", "created_at", "created", "timestamp", "review_date", "submitted_at", "response_date",
             "created_date", "datetime", "time", "updated_at"),
    "segment": ("segment", "customer_segment", "plan", "tier", "cohort", "region", "market", "country"),
    "value": ("customer_value", "value", "arr", "mrr", "ltv", "clv", "revenue", "account_value", "order_value", "spend"),
    "churned": ("churned", "is_churned", "has_churned", "churn", "cancelled", "canceled"),
    "customer": ("customer_id", "customer", "account_id", "user_id", "client_id", "account", "user"),
}  # fmt: skip
SCORE_RANGES = {"nps": NPS_RANGE, "csat": CSAT_RANGE, "rating": RATING_RANGE}
LABEL_COLUMNS = ("sentiment", "sentiment_score", "pain_point", "need_type", "topic", "churn_risk", "language")


@dataclass(frozen=True)
class ReportColumns:
    """Columns of the scored table to report on; ``None`` (or no ``text``) means "guess from common names"."""

    text: tuple[str, ...] = ()
    nps: str | None = None
    csat: str | None = None
    rating: str | None = None
    channel: str | None = None
    date: str | None = None
    segment: str | None = None
    value: str | None = None
    churned: str | None = None
    customer: str | None = None


def resolve_columns(columns: list[str], requested: ReportColumns | None = None) -> tuple[ReportColumns, set[str]]:
    """The columns to use: the requested ones (checked to exist) and, for the others, the first column whose
    name is in :data:`COLUMN_NAMES`; returns them with the set of roles that were guessed."""
    requested = requested or ReportColumns()
    taken = set(OUTPUT_COLUMNS) | {f"{name}_predicted" for name in OUTPUT_COLUMNS}
    chosen: dict[str, Any] = {}
    guessed: set[str] = set()
    for role in COLUMN_NAMES:
        name = getattr(requested, role)
        if name is not None:
            chosen[role] = find_column(columns, name, f"--{role}-col")
    taken |= set(chosen.values())
    for role, candidates in COLUMN_NAMES.items():
        if role not in chosen:
            guess = guess_column([c for c in columns if c not in taken], candidates)
            if guess is not None:
                chosen[role], taken = guess, taken | {guess}
                guessed.add(role)
    if requested.text:
        chosen["text"] = tuple(find_column(columns, name, "--text-col") for name in requested.text)
    else:
        try:
            chosen["text"] = tuple(guess_text_columns([c for c in columns if c not in taken]))
            guessed.add("text")
        except ColumnNotFoundError:
            chosen["text"] = ()
    return ReportColumns(**chosen), guessed


def label_column(names: list[str], name: str) -> str | None:
    """The scored table's column for label ``name``: ``NAME_predicted`` when scoring had to rename it because
    the input already had ``NAME``, else ``NAME``; ``None`` if absent."""
    return next((column for column in (f"{name}_predicted", name) if column in names), None)


def _strings(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    cleaned: pd.Series = text.where(text != "", pd.NA)
    return cleaned


def prepare(
    frame: pd.DataFrame, labels: dict[str, str | None], columns: ReportColumns, guessed: set[str], notes: list[str]
) -> pd.DataFrame:
    """The columns of ``frame`` a report needs, converted and renamed to their role (see
    :mod:`feedback_nlp.sections`); one row per row of ``frame``, in order. Guessed score columns without a
    single valid value are dropped with a line in ``notes``."""
    data: pd.DataFrame = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name in ("sentiment", "need_type", "topic"):
        if labels[name]:
            data[name] = _strings(frame[labels[name]]).reset_index(drop=True)
    if labels["sentiment_score"]:
        data["sentiment_score"] = pd.to_numeric(frame[labels["sentiment_score"]], errors="coerce").to_numpy(dtype=float)
    for name in ("pain_point", "churn_risk"):
        if labels[name]:
            data[name] = to_bool(frame[labels[name]]).reset_index(drop=True)
    for role in ("channel", "segment", "customer"):
        if getattr(columns, role):
            data[role] = _strings(frame[getattr(columns, role)]).reset_index(drop=True)
    for role, (low, high) in SCORE_RANGES.items():
        column = getattr(columns, role)
        if column is None:
            continue
        values = frame[column].reset_index(drop=True)
        numbers = pd.to_numeric(values, errors="coerce")
        given = values.notna() & (values.astype(str).str.strip() != "")
        if role in guessed and given.any() and not numbers.between(low, high).any():
            notes.append(
                f"column '{column}' looked like {role.upper()} by its name but has no {low:g}–{high:g} values; ignored"
            )
            continue
        data[role] = clean_scores(values, low, high, name=f"{role.upper()} ('{column}')")
    if columns.value:
        data["value"] = pd.to_numeric(frame[columns.value], errors="coerce").to_numpy(dtype=float)
    if columns.churned:
        data["churned"] = to_bool(frame[columns.churned]).reset_index(drop=True)
    if columns.date:
        dates = parse_dates(frame[columns.date].reset_index(drop=True), name=f"date ('{columns.date}')")
        if dates.notna().any() or columns.date not in guessed:
            data["date"] = dates
    return data
