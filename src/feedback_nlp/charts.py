"""Charts of the HTML report, drawn with matplotlib (no pyplot, no global backend change) as inline SVG.

Text is drawn as paths, so labels taken from the data can never become markup; every id in an SVG is prefixed
with the chart's name so several charts can live in one page. The same data gives byte-identical SVG.
"""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib
from matplotlib.figure import Figure

PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#718096")
NEGATIVE, POSITIVE, BARS = "#c53030", "#2f855a", "#90cdf4"
_RC: Any = {"svg.hashsalt": "feedback-nlp", "svg.fonttype": "path", "text.parse_math": False, "font.size": 9}
_ID = re.compile(r'\bid="([^"]+)"')


def _figure(width: float = 7.0, height: float = 3.0) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.set_facecolor("white")
    return figure


def _short(text: object, limit: int = 28) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(figure: Figure, name: str, title: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], flags=re.DOTALL)
    for old in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        new = f"{name}-{old}"
        svg = (
            svg.replace(f'id="{old}"', f'id="{new}"').replace(f"#{old})", f"#{new})").replace(f'"#{old}"', f'"#{new}"')
        )
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    aria = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg", f'<svg class="chart" data-chart="{name}" role="img" aria-label="{aria}"', 1)


def trend_chart(by_period: dict[str, Any], metric: str | None) -> str | None:
    """Responses per period as bars, with NPS / CSAT / mean rating (else pain-point rate) as a line."""
    rows = by_period.get("periods") or []
    if len(rows) < 1:
        return None
    labels = [str(row["period"]) for row in rows]
    keys = {
        "nps": ("nps", "score", "NPS"),
        "csat": ("csat", "score", "CSAT %"),
        "rating": ("rating", "mean", "mean rating"),
    }
    key, field, name = keys.get(metric or "", (None, None, "pain-point rate %"))

    def value(row: dict[str, Any]) -> float:
        raw = row.get(key, {}).get(field) if key else row.get("pain_point_rate")
        return float("nan") if raw is None else float(raw)

    with matplotlib.rc_context(_RC):
        figure = _figure()
        axes = figure.add_subplot()
        positions = range(len(labels))
        axes.bar(positions, [row["rows"] for row in rows], color=BARS, label="responses")
        axes.set_ylabel("responses")
        axes.set_xticks(list(positions), [_short(label, 10) for label in labels], rotation=45 if len(labels) > 8 else 0)
        line = axes.twinx()
        line.plot(list(positions), [value(row) for row in rows], color=PALETTE[0], marker="o", label=name)
        line.set_ylabel(name)
        axes.set_title(f"Responses and {name} per {by_period.get('unit', 'period')}", loc="left")
        axes.spines[["top"]].set_visible(False)
        return _svg(figure, "trend", f"Responses and {name} per {by_period.get('unit', 'period')}")


def impact_chart(topics: list[dict[str, Any]]) -> str | None:
    """Each topic's impact on NPS / CSAT / rating as horizontal bars (red drags the score down); pain-point
    rates when there is no score."""
    if not topics:
        return None
    with_impact = [t for t in topics if isinstance(t.get("impact"), dict) and t["impact"].get("value") is not None]
    if with_impact:
        items = sorted(with_impact, key=lambda t: t["impact"]["value"])
        values = [float(t["impact"]["value"]) for t in items]
        title = f"Impact on {items[0]['impact']['metric']} (all responses − responses without the topic)"
        colors = [NEGATIVE if v < 0 else POSITIVE for v in values]
    else:
        items = sorted(topics, key=lambda t: -(t.get("pain_point_rate") or 0.0))
        values = [float(t.get("pain_point_rate") or 0.0) for t in items]
        title, colors = "Pain-point rate per topic (%)", [PALETTE[1]] * len(values)
    with matplotlib.rc_context(_RC):
        figure = _figure(height=max(2.0, 0.32 * len(items) + 0.8))
        axes = figure.add_subplot()
        axes.barh(range(len(items)), values, color=colors)
        axes.set_yticks(range(len(items)), [_short(t["topic"]) for t in items])
        axes.invert_yaxis()
        axes.axvline(0, color="#4a5568", linewidth=0.8)
        axes.set_title(title, loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, "impact", title)


def channel_chart(volume: dict[str, Any], top: int = 6) -> str | None:
    """Responses per channel per period, one line per channel (the smaller ones summed as "other")."""
    channels: dict[str, list[int]] = volume.get("channels") or {}
    labels = [str(label) for label in volume.get("periods") or []]
    if not channels or not labels:
        return None
    names = list(channels)
    shown = {name: channels[name] for name in names[:top]}
    if len(names) > top:
        shown["other"] = [sum(values) for values in zip(*(channels[name] for name in names[top:]))]
    with matplotlib.rc_context(_RC):
        figure = _figure()
        axes = figure.add_subplot()
        for color, (name, values) in zip(PALETTE * 2, shown.items()):
            axes.plot(range(len(labels)), values, marker="o", color=color, label=_short(name, 20))
        axes.set_xticks(
            range(len(labels)), [_short(label, 10) for label in labels], rotation=45 if len(labels) > 8 else 0
        )
        axes.set_ylabel("responses")
        axes.legend(loc="upper left", fontsize=8, frameon=False, ncols=min(3, len(shown)))
        axes.set_title("Volume by channel", loc="left")
        axes.spines[["top", "right"]].set_visible(False)
        return _svg(figure, "channels", "Volume by channel")
