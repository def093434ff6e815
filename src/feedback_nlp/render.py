"""Render a :class:`~feedback_nlp.report.Report` as HTML, Markdown or JSON.

HTML and Markdown show the same tables, built once by :func:`tables`. Every text value that comes from the data
(quotes, topic, channel and column names…) goes through ``html.escape`` in HTML and through Markdown escaping in
Markdown, so a review containing ``<script>`` stays text. The HTML page is one self-contained file: inline CSS
and SVG charts, no scripts, no network, printable.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from feedback_nlp import charts

if TYPE_CHECKING:
    from feedback_nlp.report import Report


MAX_ASKS = 25
MAX_THEMES = 20


class Quotes(list[str]):
    """A table cell holding verbatim customer quotes."""


Cell = str | Quotes


@dataclass
class Table:
    """One table of the report, rendered the same way in HTML and Markdown."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    intro: str = ""
    chart: str | None = field(default=None, repr=False)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _num(value: Any, digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return "–"
    value = value if round(value, digits) != 0 else 0.0  # no "−0.0"
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace("-", "−")


def _metric_headers(kpis: dict[str, Any]) -> list[tuple[str, Any]]:
    available = [
        ("NPS", "nps", lambda k: _num(k["nps"]["score"])),
        ("CSAT", "csat", lambda k: _pct(k["csat"]["score"])),
        ("rating", "rating", lambda k: _num(k["rating"]["mean"], 2)),
        ("negative", "sentiment", lambda k: _pct(k["sentiment"]["negative"])),
        ("pain points", "pain_point_rate", lambda k: _pct(k["pain_point_rate"])),
        ("needs", "needs", lambda k: str(k["needs"])),
        ("wants", "wants", lambda k: str(k["wants"])),
        ("churn risk", "churn_risk_share", lambda k: _pct(k["churn_risk_share"])),
    ]
    return [(title, getter) for title, key, getter in available if key in kpis]


def _kpi_table(key: str, title: str, label: str, groups: list[dict[str, Any]], overall: dict[str, Any]) -> Table:
    metrics = _metric_headers(overall)
    rows: list[list[Cell]] = [
        [str(g["name"] if "name" in g else g["period"]), str(g["rows"]), *(m(g) for _, m in metrics)] for g in groups
    ]
    return Table(key, title, [label, "rows", *(name for name, _ in metrics)], rows)


def tiles(report: Report) -> list[tuple[str, str, str]]:
    """The headline numbers as (label, value, detail) tiles."""
    k = report.kpis
    result = [("responses", f"{k['responses']:,}", f"{report.rows:,} rows")]
    if "nps" in k:
        n = k["nps"]
        detail = f"{n['promoters']} promoters · {n['passives']} passives · {n['detractors']} detractors"
        result.append(("NPS", _num(n["score"]), detail))
    if "csat" in k:
        result.append(("CSAT", _pct(k["csat"]["score"]), f"{k['csat']['satisfied']} of {k['csat']['n']} satisfied"))
    if "rating" in k:
        result.append(("mean rating", _num(k["rating"]["mean"], 2), f"{k['rating']['n']} ratings"))
    if "sentiment" in k:
        s = k["sentiment"]
        result.append(
            ("negative", _pct(s["negative"]), f"positive {_pct(s['positive'])} · neutral {_pct(s['neutral'])}")
        )
    if "pain_point_rate" in k:
        result.append(("pain points", _pct(k["pain_point_rate"]), "of responses"))
    if "needs" in k:
        result.append(("needs / wants", f"{k['needs']} / {k['wants']}", "responses"))
    if "churn_risk_share" in k:
        result.append(("churn risk", _pct(k["churn_risk_share"]), "of responses"))
    return result


def _shown(shown: int, total: int, order: str, in_json: int) -> str:
    return f"; the {shown} most {order} are shown here, {in_json} in the JSON report." if shown < total else "."


def tables(report: Report) -> list[Table]:
    """Every table of the report, in reading order; parts without data are left out."""
    out: list[Table] = []
    metric = report.priority.get("impact_metric")
    period = report.by_period
    if period.get("periods"):
        table = _kpi_table("periods", f"By {period['unit']}", period["unit"], period["periods"][-24:], report.kpis)
        changes = [
            f"{name.replace('_', ' ')} {_num(value, signed=True)}"
            for name, value in period["trend"].items()
            if value is not None
        ]
        table.intro = "Trend (last period − previous): " + (", ".join(changes) if changes else "needs two periods")
        table.chart = charts.trend_chart(period, metric)
        out.append(table)
    if report.topics:
        rows: list[list[Cell]] = [
            [t["topic"], str(t["priority"]), str(t["responses"]), _pct(t["share"]), _pct(t["negative_share"]),
             _pct(t["pain_point_rate"]), _num((t.get("impact") or {}).get("value"), signed=True),
             _num(t["trend"], signed=True), t["priority_reasons"]]
            for t in report.topics
        ]  # fmt: skip
        impact_name = f"{(report.topics[0].get('impact') or {}).get('metric', '')} impact".strip()
        headers = [
            "topic",
            "priority",
            "responses",
            "share",
            "negative",
            "pain points",
            impact_name,
            "trend (pp)",
            "why",
        ]
        out.append(Table("topics", "Topics", headers, rows, chart=charts.impact_chart(report.topics)))
    if report.asks.get("clusters"):
        a = report.asks
        rows = [
            [
                c["label"] or "–",
                str(c["responses"]),
                str(c["need"]),
                str(c["want"]),
                c["topic"] or "–",
                Quotes(c["examples"]),
            ]
            for c in a["clusters"][:MAX_ASKS]
        ]
        intro = (
            f"{a['sentences']} ask sentences from {a['responses']} responses ({a['need']} needs, {a['want']} wants) "
            f"in {a['clusters_total']} groups"
            + _shown(min(len(a["clusters"]), MAX_ASKS), a["clusters_total"], "asked", len(a["clusters"]))
        )
        out.append(
            Table(
                "asks", "What customers ask for", ["ask", "responses", "need", "want", "topic", "examples"], rows, intro
            )
        )
    if report.themes.get("clusters"):
        rows = [
            [c["label"] or "–", c["topic"], str(c["priority"]), str(c["responses"]),
             _num((c.get("impact") or {}).get("value"), signed=True), _num(c["trend"], signed=True), Quotes(c["examples"]), c["priority_reasons"]]
            for c in report.themes["clusters"][:MAX_THEMES]
        ]  # fmt: skip
        headers = ["theme", "topic", "priority", "responses", "impact", "trend (pp)", "examples", "why"]
        total = len(report.themes["clusters"])
        intro = f"{total} themes raised by at least two responses" + _shown(len(rows), total, "urgent", total)
        out.append(Table("themes", "Emerging themes (pain points grouped within each topic)", headers, rows, intro))
    if report.churn:
        c = report.churn
        rows = [["churn-risk share", _pct(c.get("churn_risk_share"))]] if "churn_risk_share" in c else []
        if "churn_rate" in c:
            rows.append([f"churn rate ({c['customers']} {c['level']}s)", _pct(c["churn_rate"])])
            for name in ("with_pain_points", "without_pain_points"):
                rows.append(
                    [f"churn rate {name.replace('_', ' ')} ({c[name]['customers']})", _pct(c[name]["churn_rate"])]
                )
        out.append(Table("churn", "Churn", ["measure", "value"], rows))
    for key, title, label, groups in (
        ("channels", "By channel", "channel", report.by_channel),
        ("segments", "By segment", "segment", report.by_segment),
    ):
        if groups:
            out.append(_kpi_table(key, title, label, groups, report.kpis))
    volume = report.volume_by_channel
    if volume.get("channels"):
        shown = volume["periods"][-12:]
        rows = [
            [name, *(str(v) for v in values[-12:]), _num(volume["trend"][name], 0, signed=True)]
            for name, values in volume["channels"].items()
        ]
        out.append(
            Table(
                "volume",
                "Volume by channel over time",
                ["channel", *shown, "trend"],
                rows,
                chart=charts.channel_chart(volume),
            )
        )
    return out


def _columns_line(report: Report) -> str:
    parts = [
        f"{role}: {info['column']}{' (guessed)' if info['guessed'] else ''}" for role, info in report.columns.items()
    ]
    return "Columns used: " + ("; ".join(parts) if parts else "none besides the labels")


# -- HTML ---------------------------------------------------------------------------------------------------
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Telugu","Nirmala UI",sans-serif;color:#1a202c;margin:0;background:#f7fafc}
main{max-width:1100px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta,.intro,.note{color:#4a5568}.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:16px 0}
.tile{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 12px}.tile b{display:block;font-size:22px}
.tile span{font-size:12px;color:#4a5568}table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #e2e8f0;padding:5px 7px;text-align:left;vertical-align:top}th{background:#edf2f7}
td.n{text-align:right;white-space:nowrap}ul.q{margin:0;padding-left:16px}ul.q li{margin:2px 0;white-space:pre-wrap}
svg.chart{width:100%;max-width:760px;height:auto;display:block;margin:8px 0}section{break-inside:avoid-page}
@media print{body{background:#fff}main{padding:0}.tile,table{break-inside:avoid}}
"""


def _html_cell(cell: Cell) -> str:
    if isinstance(cell, Quotes):
        return '<td><ul class="q">' + "".join(f"<li>“{html.escape(q)}”</li>" for q in cell) + "</ul></td>"
    numeric = bool(re.fullmatch(r"[−+]?[\d.,%–]+", cell))
    return ('<td class="n">' if numeric else "<td>") + html.escape(cell) + "</td>"


def to_html(report: Report) -> str:
    """One self-contained HTML page: KPI tiles, charts (inline SVG) and tables with quotes."""
    e = html.escape
    parts = ['<section id="kpis"><div class="tiles">']
    parts += [
        f'<div class="tile"><span>{e(label)}</span><b>{e(value)}</b><span>{e(detail)}</span></div>'
        for label, value, detail in tiles(report)
    ]
    parts.append("</div></section>")
    for table in tables(report):
        parts.append(f'<section id="{e(table.key)}"><h2>{e(table.title)}</h2>')
        if table.intro:
            parts.append(f'<p class="intro">{e(table.intro)}</p>')
        if table.chart:
            parts.append(table.chart)
        parts.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in table.headers) + "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(_html_cell(cell) for cell in row) + "</tr>" for row in table.rows]
        parts.append("</tbody></table></section>")
    parts.append(
        f'<section id="priority"><h2>How priority is computed</h2><p class="note">{e(report.priority.get("formula", ""))}</p></section>'
    )
    footer = [_columns_line(report), *report.notes]
    parts.append('<section id="notes">' + "".join(f'<p class="note">{e(line)}</p>' for line in footer) + "</section>")
    dates = f" · {e(' to '.join(report.date_range))}" if report.date_range else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f'<title>{e(report.title)}</title><style>{_CSS}</style></head><body><main id="report">'
        f'<h1>{e(report.title)}</h1><p class="meta">{report.rows:,} rows{dates}</p>'
        + "\n".join(parts)
        + "</main></body></html>\n"
    )


# -- Markdown -----------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|~#])|(?<!\w)_|_(?!\w)")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(lambda match: "\\" + match.group(0), " ".join(text.split()))


def _md_cell(cell: Cell) -> str:
    return "<br>".join(f"“{_md(q)}”" for q in cell) if isinstance(cell, Quotes) else _md(cell)


def to_markdown(report: Report) -> str:
    """The report as Markdown (GitHub-flavoured tables) for a wiki page or a ticket."""
    lines = [
        f"# {_md(report.title)}",
        "",
        f"{report.rows:,} rows" + (f" · {' to '.join(report.date_range)}" if report.date_range else ""),
        "",
    ]
    lines += ["| measure | value | detail |", "|---|---|---|"]
    lines += [f"| {_md(label)} | {_md(value)} | {_md(detail)} |" for label, value, detail in tiles(report)]
    for table in tables(report):
        lines += ["", f"## {_md(table.title)}", ""]
        if table.intro:
            lines += [_md(table.intro), ""]
        lines.append("| " + " | ".join(_md(h) for h in table.headers) + " |")
        lines.append("|" + "---|" * len(table.headers))
        lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in table.rows]
    lines += [
        "",
        "## How priority is computed",
        "",
        _md(report.priority.get("formula", "")),
        "",
        _md(_columns_line(report)),
    ]
    lines += [f"\n{_md(note)}" for note in report.notes]
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    """The report as JSON (see :meth:`~feedback_nlp.report.Report.to_dict` for the schema)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
