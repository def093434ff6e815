"""Metric reports from scored feedback: NPS, CSAT, topics with their impact and priority, the asks customers
make, emerging themes, churn and volume by channel — as HTML (self-contained, with charts), Markdown or JSON.

Each part appears only when its columns exist. Score, channel, date, segment, value, churned and customer columns
are guessed from common names (see :data:`COLUMN_NAMES`) unless given; :attr:`Report.columns` says which were
used and whether they were guessed. The scored table is only read: its rows are never reordered or dropped.

Definitions: NPS = % promoters (9–10) − % detractors (0–6); CSAT = % of 1–5 answers that are 4–5; the impact of
a topic or theme = metric(all responses) − metric(responses without it); trend = change between the last two
periods (ISO weeks when the dates span ≤ 92 days, months otherwise); topic and theme priority: see
:mod:`feedback_nlp.theme_priority`.

Example::

    >>> from feedback_nlp.report import ReportColumns, build_report, write_report
    >>> from feedback_nlp.io import read_table
    >>> report = build_report(read_table("scored.csv"), ReportColumns(nps="nps_score"))  # doctest: +SKIP
    >>> report.kpis["nps"]["score"]  # doctest: +SKIP
    12.5
    >>> write_report(report, "report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from feedback_nlp import __version__, sections
from feedback_nlp.asks import empty_sentence_table, sentence_table
from feedback_nlp.errors import ColumnNotFoundError, InputFormatError
from feedback_nlp.io import describe_columns, read_table
from feedback_nlp.metrics import period_unit, periods
from feedback_nlp.model import FeedbackModel
from feedback_nlp.report_columns import (
    COLUMN_NAMES,
    LABEL_COLUMNS,
    ReportColumns,
    label_column,
    prepare,
    resolve_columns,
)
from feedback_nlp.score import join_text_columns, load_model
from feedback_nlp.theme_priority import ThemePriorityWeights, describe

__all__ = [
    "COLUMN_NAMES", "Report", "ReportColumns", "ReportFormat", "build_report", "render_report", "report_file",
    "report_format", "resolve_columns", "write_report",
]  # fmt: skip
SCHEMA_VERSION = 1


class ReportFormat(str, Enum):
    """The report formats, chosen by ``--format`` or by the output file's suffix."""

    HTML = "html"
    MARKDOWN = "md"
    JSON = "json"


REPORT_SUFFIXES = {".html": ReportFormat.HTML, ".htm": ReportFormat.HTML, ".md": ReportFormat.MARKDOWN,
                   ".markdown": ReportFormat.MARKDOWN, ".json": ReportFormat.JSON}  # fmt: skip


@dataclass
class Report:
    """Everything a report shows, as plain data; :meth:`to_dict` is the JSON document. Its keys:

    * ``schema_version`` (1), ``generator``, ``title``, ``rows`` (rows in the scored table), ``date_range``;
    * ``columns``: role → {column, guessed} for every column used (nps, csat, rating, channel, date, segment,
      value, churned, customer, text);
    * ``kpis``: rows, responses (rows with text), ``nps`` {score, n, promoters, passives, detractors, *_pct},
      ``csat`` {score, n, satisfied}, ``rating`` {mean, n}, ``sentiment`` {negative, neutral, positive (%),
      mean_score}, pain_point_rate (%), needs, wants, churn_risk_share (%) — each only when its column exists;
    * ``by_channel`` / ``by_segment``: [{name, **kpis}], largest first;
    * ``by_period``: {unit: "week" | "month", periods: [{period, **kpis}], trend: {metric: last − previous}};
    * ``topics``: [{topic, responses, share, pain_point_rate, negative_share, need_share, mean_sentiment_score,
      needs, wants, impact {metric, value}, trend (pp of share), value_ratio, priority, priority_reasons}],
      highest priority first;
    * ``asks``: {sentences, responses, need, want, clusters_total, clusters: [{label, key_phrases, sentences,
      examples, responses, share, need, want, topic, languages}]}, most asked first;
    * ``themes``: {sentences, clusters: [{topic, label, key_phrases, sentences, examples, + the topic fields}]};
    * ``churn``: churn_risk_share, churn_risk_responses and, with a churned column, level ("customer" | "row"),
      customers, churn_rate, with_pain_points / without_pain_points {customers, churn_rate};
    * ``volume_by_channel``: {periods, channels: {name: [rows per period]}, trend: {name: last − previous}};
    * ``priority``: {weights, impact_metric, formula}; ``notes``: what was left out or sampled, and why.

    Percentages are 0–100, floats are rounded to 2 decimals, and a value that cannot be computed is ``null``.
    """

    title: str
    rows: int
    columns: dict[str, dict[str, Any]]
    kpis: dict[str, Any]
    by_channel: list[dict[str, Any]] = field(default_factory=list)
    by_segment: list[dict[str, Any]] = field(default_factory=list)
    by_period: dict[str, Any] = field(default_factory=dict)
    topics: list[dict[str, Any]] = field(default_factory=list)
    asks: dict[str, Any] = field(default_factory=dict)
    themes: dict[str, Any] = field(default_factory=dict)
    churn: dict[str, Any] = field(default_factory=dict)
    volume_by_channel: dict[str, Any] = field(default_factory=dict)
    priority: dict[str, Any] = field(default_factory=dict)
    date_range: list[str] | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: floats rounded to 2 decimals, NaN as ``None``, plus ``schema_version``."""
        data = {
            "schema_version": SCHEMA_VERSION,
            "generator": f"feedback-nlp {__version__}",
            **dataclasses.asdict(self),
        }
        return _plain(data)  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 2)
    if value is pd.NA or value is None:
        return None
    return value if isinstance(value, str) else str(value)


def build_report(
    frame: pd.DataFrame,
    columns: ReportColumns | None = None,
    model: FeedbackModel | None = None,
    *,
    weights: ThemePriorityWeights | None = None,
    sentences: bool = True,
    max_sentence_rows: int = 100_000,
    title: str = "Customer feedback report",
) -> Report:
    """The report of a scored table (output of ``feedback-nlp score`` or :func:`~feedback_nlp.score.score_frame`).

    ``model`` (default: the bundled model) labels each sentence for the asks and emerging themes; with
    ``sentences=False`` those parts are skipped and no model is needed. At most ``max_sentence_rows`` texts
    (an evenly spaced sample) are split into sentences. ``frame`` is not modified.
    """
    names = [str(column) for column in frame.columns]
    labels = {name: label_column(names, name) for name in LABEL_COLUMNS}
    if not any(labels[name] for name in ("sentiment", "pain_point", "need_type", "topic", "churn_risk")):
        raise ColumnNotFoundError(
            f"this is not a scored table: none of the label columns {list(LABEL_COLUMNS[:6])} is among "
            f"{describe_columns(names)}; run `feedback-nlp score` on it first and report on its output"
        )
    resolved, guessed = resolve_columns(names, columns)
    weights = weights or ThemePriorityWeights()
    notes: list[str] = []
    data = prepare(frame, labels, resolved, guessed, notes)
    unit, every, date_range = "month", list[str](), None
    if "date" in data:
        dates = data.pop("date")
        unit = period_unit(dates)
        data["period"], every = periods(dates, unit)
        known = dates.dropna()
        date_range = [known.min().date().isoformat(), known.max().date().isoformat()] if len(known) else None
    metric = sections.impact_metric(data)
    used = {role: getattr(resolved, role) for role in COLUMN_NAMES if role in data or (role == "date" and every)}
    report = Report(
        title=title,
        rows=len(frame),
        columns={
            role: {"column": column, "guessed": role in guessed} for role, column in used.items() if column is not None
        },
        kpis=sections.kpis(data),
        by_channel=sections.breakdown(data, "channel"),
        by_segment=sections.breakdown(data, "segment"),
        by_period=sections.by_period(data, unit, every),
        topics=sections.topics(data, every, weights),
        churn=sections.churn(data),
        volume_by_channel=sections.volume_by_channel(data, every),
        priority={
            "weights": dataclasses.asdict(weights),
            "impact_metric": metric,
            "formula": describe(weights, sections.METRIC_NAMES.get(metric or "", "NPS")),
        },
        date_range=date_range,
        notes=notes,
    )
    if resolved.text:
        report.columns["text"] = {"column": " + ".join(resolved.text), "guessed": "text" in guessed}
    if sentences and resolved.text and len(frame):
        table, texts = _sentences(frame, resolved.text, labels["language"], model, max_sentence_rows, notes)
        report.asks = sections.asks(table, texts)
        report.themes = sections.themes(data, table, every, weights)
    elif sentences and not resolved.text:
        notes.append("no text column found, so no asks or emerging themes; pass --text-col")
    return report


def _sentences(
    frame: pd.DataFrame,
    text_columns: tuple[str, ...],
    language_column: str | None,
    model: FeedbackModel | None,
    limit: int,
    notes: list[str],
) -> tuple[pd.DataFrame, int]:
    """The sentence table of the (sampled) non-empty texts and how many texts it covers."""
    texts = join_text_columns(frame, list(text_columns))
    rows = [i for i, text in enumerate(texts) if text.strip()]
    if len(rows) > limit:
        rows = [rows[i] for i in np.unique(np.linspace(0, len(rows) - 1, limit).round().astype(int))]
        notes.append(f"asks and emerging themes come from an evenly spaced sample of {len(rows):,} texts")
    if not rows:
        return empty_sentence_table(), 0
    languages = None if language_column is None else [str(frame[language_column].iloc[i]) for i in rows]
    return sentence_table([texts[i] for i in rows], languages, model or load_model(), rows), len(rows)


def report_format(path: str | Path | None, fmt: ReportFormat | str | None = None) -> ReportFormat:
    """``fmt`` if given, else the format of ``path``'s suffix (.html .htm .md .markdown .json), else HTML."""
    if fmt is not None:
        try:
            return ReportFormat(fmt)
        except ValueError:
            raise InputFormatError(f"report format '{fmt}' unknown; use html, md or json") from None
    if path is None:
        return ReportFormat.HTML
    suffix = Path(path).suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise InputFormatError(
            f"report file '{path}' has suffix '{suffix or '(none)'}'; use .html, .md or .json, or pass --format"
        )
    return REPORT_SUFFIXES[suffix]


def render_report(report: Report, fmt: ReportFormat | str = ReportFormat.HTML) -> str:
    """The report as an HTML page, a Markdown document or JSON text."""
    from feedback_nlp import render

    renderers = {
        ReportFormat.HTML: render.to_html,
        ReportFormat.MARKDOWN: render.to_markdown,
        ReportFormat.JSON: render.to_json,
    }
    return renderers[report_format(None, fmt)](report)


def write_report(report: Report, path: str | Path, fmt: ReportFormat | str | None = None) -> Path:
    """Render ``report`` (format from ``fmt`` or ``path``'s suffix) and write it atomically to ``path``."""
    path = Path(path)
    text = render_report(report, report_format(path, fmt))
    if not path.parent.is_dir():
        raise InputFormatError(f"output folder '{path.parent}' does not exist; create it first")
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def report_file(
    scored_path: str | Path,
    output_path: str | Path | None = None,
    fmt: ReportFormat | str | None = None,
    model: FeedbackModel | None = None,
    columns: ReportColumns | None = None,
    weights: ThemePriorityWeights | None = None,
    sentences: bool = True,
    encoding: str = "utf-8",
) -> tuple[Report, Path]:
    """Read the scored table at ``scored_path``, build its report and write it to ``output_path`` (default
    ``<name>.report.html``, or the ``fmt`` suffix); returns the report and where it went."""
    scored_path = Path(scored_path)
    chosen = report_format(output_path, fmt)
    output = Path(output_path) if output_path else scored_path.with_name(f"{scored_path.stem}.report.{chosen.value}")
    frame = read_table(scored_path, encoding=encoding)
    title = f"Customer feedback report: {scored_path.name}"
    report = build_report(frame, columns, model, weights=weights, sentences=sentences, title=title)
    return report, write_report(report, output, chosen)
