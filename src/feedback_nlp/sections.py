"""The parts of a report, each computed from the prepared table :func:`feedback_nlp.report.build_report` makes.

The prepared table has one row per scored row (same order) and standard column names, present only when the
scored file has them: ``nps``, ``csat``, ``rating``, ``value`` (floats, NaN when missing or invalid),
``sentiment``, ``need_type``, ``topic``, ``channel``, ``segment``, ``customer``, ``period`` (strings, NA when
missing), ``sentiment_score`` (float), ``pain_point``, ``churn_risk``, ``churned`` (nullable booleans). Every
function returns plain data (dicts, lists, numbers, strings) ready for JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from feedback_nlp.asks import Cluster, cluster_sentences, find_asks
from feedback_nlp.metrics import csat, csat_counts, impact, mean_rating, nps, nps_breakdown, share, trend
from feedback_nlp.theme_priority import GroupSignals, ThemePriorityWeights, group_priorities

Metric = Callable[[pd.Series], float | None]
IMPACT_METRICS: dict[str, Metric] = {"nps": nps, "csat": csat, "rating": mean_rating}
METRIC_NAMES = {"nps": "NPS", "csat": "CSAT", "rating": "rating"}
SENTIMENTS = ("negative", "neutral", "positive")


def responses(data: pd.DataFrame) -> pd.Series:
    """Rows that were labelled (a text with content): a topic or sentiment is present."""
    for column in ("topic", "sentiment", "need_type"):
        if column in data:
            return data[column].notna()
    everything: pd.Series = pd.Series(True, index=data.index)
    return everything


def kpis(data: pd.DataFrame) -> dict[str, object]:
    """Headline numbers of ``data``: rows, responses, NPS, CSAT, mean rating, sentiment mix, pain-point rate,
    need and want counts and churn-risk share (each only when its column exists)."""
    result: dict[str, object] = {"rows": len(data), "responses": int(responses(data).sum())}
    if "nps" in data:
        result["nps"] = nps_breakdown(data["nps"]).to_dict()
    if "csat" in data:
        n, satisfied = csat_counts(data["csat"])
        result["csat"] = {"score": None if n == 0 else 100.0 * satisfied / n, "n": n, "satisfied": satisfied}
    if "rating" in data:
        result["rating"] = {"mean": mean_rating(data["rating"]), "n": int(data["rating"].notna().sum())}
    if "sentiment" in data:
        known = data["sentiment"].dropna()
        mix = {
            label: (100.0 * float((known == label).sum()) / len(known) if len(known) else None) for label in SENTIMENTS
        }
        scores = data["sentiment_score"].dropna() if "sentiment_score" in data else pd.Series(dtype=float)
        result["sentiment"] = {**mix, "mean_score": float(scores.mean()) if len(scores) else None}
    if "pain_point" in data:
        result["pain_point_rate"] = share(data["pain_point"])
    if "need_type" in data:
        result["needs"] = int((data["need_type"] == "need").sum())
        result["wants"] = int((data["need_type"] == "want").sum())
    if "churn_risk" in data:
        result["churn_risk_share"] = share(data["churn_risk"])
    return result


def breakdown(data: pd.DataFrame, column: str) -> list[dict[str, object]]:
    """:func:`kpis` for each value of ``column`` (missing values as "(none)"), largest group first."""
    if column not in data:
        return []
    keys = data[column].fillna("(none)")
    order = keys.value_counts(sort=False)
    names = sorted(order.index, key=lambda name: (-int(order[name]), str(name)))
    return [{"name": str(name), **kpis(data[(keys == name).to_numpy()])} for name in names]


def by_period(data: pd.DataFrame, unit: str, every: list[str]) -> dict[str, object]:
    """:func:`kpis` for every period (gaps included) and the trend of each headline number."""
    if "period" not in data or not every:
        return {}
    rows = [{"period": label, **kpis(data[(data["period"] == label).fillna(False).to_numpy()])} for label in every]
    series = {
        "rows": [row["rows"] for row in rows],
        "nps": [_get(row, "nps", "score") for row in rows],
        "csat": [_get(row, "csat", "score") for row in rows],
        "rating": [_get(row, "rating", "mean") for row in rows],
        "pain_point_rate": [row.get("pain_point_rate") for row in rows],
        "negative_share": [_get(row, "sentiment", "negative") for row in rows],
        "churn_risk_share": [row.get("churn_risk_share") for row in rows],
    }
    present = {"nps", "csat", "rating"} & set(data.columns)
    keep = {name for name in series if name not in {"nps", "csat", "rating"} or name in present}
    return {
        "unit": unit,
        "periods": rows,
        "trend": {name: trend(values) for name, values in series.items() if name in keep},  # type: ignore[arg-type]
    }


def _get(row: dict[str, object], key: str, field: str) -> float | None:
    value = row.get(key)
    return value.get(field) if isinstance(value, dict) else None


def impact_metric(data: pd.DataFrame) -> str | None:
    """The score used for impact: "nps" if present, else "csat", else "rating"."""
    return next((name for name in IMPACT_METRICS if name in data and data[name].notna().any()), None)


def group_stats(data: pd.DataFrame, mask: pd.Series, every: list[str]) -> tuple[dict[str, object], GroupSignals]:
    """Numbers describing the responses in ``mask`` (a topic or theme) and the signals for its priority."""
    group = data[mask.to_numpy()]
    volume = int(mask.sum())
    labelled = responses(data)
    stats: dict[str, object] = {"responses": volume, "share": 100.0 * volume / max(int(labelled.sum()), 1)}
    rates = {
        "pain": share(group["pain_point"]) if "pain_point" in group else None,
        "negative": share(group["sentiment"].dropna() == "negative") if "sentiment" in group else None,
        "need": share(group["need_type"].dropna() == "need") if "need_type" in group else None,
    }
    stats.update({"pain_point_rate": rates["pain"], "negative_share": rates["negative"], "need_share": rates["need"]})
    if "sentiment_score" in group:
        stats["mean_sentiment_score"] = (
            float(group["sentiment_score"].mean()) if group["sentiment_score"].notna().any() else None
        )
    if "need_type" in group:
        stats["needs"], stats["wants"] = (
            int((group["need_type"] == "need").sum()),
            int((group["need_type"] == "want").sum()),
        )
    metric = impact_metric(data)
    effect = impact(data[metric], mask, IMPACT_METRICS[metric]) if metric else None
    stats["impact"] = {"metric": METRIC_NAMES[metric], "value": effect} if metric else None
    change = None
    if "period" in data and every:
        per_period = [_period_share(data, mask, labelled, label) for label in every]
        change = trend(per_period)
    stats["trend"] = change
    ratio = None
    if "value" in data and data["value"].notna().any() and group["value"].notna().any():
        overall = float(data["value"].mean())
        ratio = float(group["value"].mean()) / overall if overall > 0 else None
        stats["value_ratio"] = ratio
    signals = GroupSignals(
        volume=volume,
        pain=_fraction(rates["pain"]),
        negative=_fraction(rates["negative"]),
        need=_fraction(rates["need"]),
        impact=effect,
        impact_metric=METRIC_NAMES.get(metric or "", "NPS"),
        trend=change,
        value_ratio=ratio,
    )
    return stats, signals


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100.0


def _period_share(data: pd.DataFrame, mask: pd.Series, labelled: pd.Series, label: str) -> float | None:
    in_period = (data["period"] == label).fillna(False)
    total = int((in_period & labelled).sum())
    return None if total == 0 else 100.0 * float((in_period & mask).sum()) / total


def topics(data: pd.DataFrame, every: list[str], weights: ThemePriorityWeights) -> list[dict[str, object]]:
    """One entry per topic with its numbers, impact, trend and priority; highest priority first."""
    if "topic" not in data:
        return []
    names = sorted(str(name) for name in data["topic"].dropna().unique())
    entries, signals = [], []
    for name in names:
        stats, signal = group_stats(data, (data["topic"] == name).fillna(False), every)
        entries.append({"topic": name, **stats})
        signals.append(signal)
    return _ranked(entries, signals, weights)


def _ranked(
    entries: list[dict[str, object]], signals: list[GroupSignals], weights: ThemePriorityWeights
) -> list[dict[str, object]]:
    for entry, result in zip(entries, group_priorities(signals, weights)):
        entry["priority"], entry["priority_reasons"] = result.priority, result.reasons
    return sorted(entries, key=lambda e: (-int(e["priority"]), -int(e["responses"])))  # type: ignore[call-overload]


def themes(
    data: pd.DataFrame,
    sentences: pd.DataFrame,
    every: list[str],
    weights: ThemePriorityWeights,
    per_topic: int = 5,
    min_responses: int = 2,
) -> dict[str, object]:
    """Emerging themes: pain-point sentences clustered within each (sentence) topic; clusters raised by at
    least ``min_responses`` responses, at most ``per_topic`` per topic, ranked by priority."""
    pains = sentences[sentences["pain_point"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    entries, signals = [], []
    topic_of = pains["topic"].astype("string").fillna("other")
    for topic in sorted(topic_of.unique()):
        subset = pains[(topic_of == topic).to_numpy()]
        kept = 0
        for cluster in cluster_sentences(subset["sentence"].tolist(), subset["language"].astype(str).tolist()):
            rows = sorted(set(subset["row"].iloc[cluster.members]))
            if len(rows) < min_responses or kept == per_topic:
                continue
            kept += 1
            mask = pd.Series(np.isin(np.arange(len(data)), rows), index=data.index)
            stats, signal = group_stats(data, mask, every)
            entries.append({"topic": str(topic), **_cluster_info(cluster, subset), **stats})
            signals.append(signal)
    return {"sentences": len(pains), "clusters": _ranked(entries, signals, weights)}


def _cluster_info(cluster: Cluster, sentences: pd.DataFrame) -> dict[str, object]:
    quotes = list(dict.fromkeys(sentences["sentence"].iloc[cluster.representatives]))
    return {
        "label": cluster.label,
        "key_phrases": cluster.key_phrases,
        "sentences": len(cluster.members),
        "examples": quotes,
    }


def asks(sentences: pd.DataFrame, texts: int, max_clusters: int = 500) -> dict[str, object]:
    """What customers ask for: ask sentences grouped into clusters of the same ask, most-asked first; a
    cluster's ``share`` is the percent of the ``texts`` the sentences come from that make the ask."""
    found = find_asks(sentences)
    clusters = cluster_sentences(found["sentence"].tolist(), found["language"].astype(str).tolist())
    entries = []
    for cluster in clusters:
        members = found.iloc[cluster.members]
        kinds = Counter(members["kind"])
        topic_counts = Counter(members["topic"].dropna().astype(str))
        entries.append({
            **_cluster_info(cluster, found), "responses": int(members["row"].nunique()),
            "share": 100.0 * members["row"].nunique() / max(texts, 1),
            "need": kinds.get("need", 0), "want": kinds.get("want", 0),
            "topic": min(topic_counts, key=lambda t: (-topic_counts[t], t)) if topic_counts else None,
            "languages": dict(sorted(Counter(members["language"].astype(str)).items())),
        })  # fmt: skip
    entries.sort(key=lambda e: (-int(e["responses"]), -int(e["sentences"])))
    kinds = Counter(found["kind"])
    return {
        "sentences": len(found), "responses": int(found["row"].nunique()), "need": kinds.get("need", 0),
        "want": kinds.get("want", 0), "clusters_total": len(entries), "clusters": entries[:max_clusters],
    }  # fmt: skip


def churn(data: pd.DataFrame) -> dict[str, object]:
    """Churn-risk share and, with a churned column, churn rate of customers with vs without pain points
    (per ``customer`` when that column exists, else per row)."""
    result: dict[str, object] = {}
    if "churn_risk" in data:
        result["churn_risk_share"] = share(data["churn_risk"])
        result["churn_risk_responses"] = int(data["churn_risk"].fillna(False).sum())
    if "churned" not in data:
        return result
    frame = pd.DataFrame(
        {"churned": data["churned"], "pain": data.get("pain_point", pd.Series(pd.NA, index=data.index))}
    )
    if "customer" in data:
        frame["customer"] = data["customer"].fillna("(none)")
        frame = frame.groupby("customer", sort=True).agg(
            churned=("churned", lambda s: s.dropna().any() if s.notna().any() else pd.NA),
            pain=("pain", lambda s: s.dropna().any() if s.notna().any() else pd.NA),
        )
    churned, pain = frame["churned"].astype("boolean"), frame["pain"].astype("boolean")
    result["level"] = "customer" if "customer" in data else "row"
    result["customers"] = int(churned.notna().sum())
    result["churn_rate"] = share(churned)
    for name, selection in (("with_pain_points", pain == True), ("without_pain_points", pain == False)):  # noqa: E712
        chosen = churned[selection.fillna(False).to_numpy(dtype=bool)]
        result[name] = {"customers": int(chosen.notna().sum()), "churn_rate": share(chosen)}
    return result


def volume_by_channel(data: pd.DataFrame, every: list[str]) -> dict[str, object]:
    """Rows per channel per period and each channel's trend (rows in the last period − the previous)."""
    if "channel" not in data or "period" not in data or not every:
        return {}
    channels = data["channel"].fillna("(none)")
    counts = pd.crosstab(channels, data["period"]).reindex(columns=every, fill_value=0)
    order = sorted(counts.index, key=lambda name: (-int(counts.loc[name].sum()), str(name)))
    series = {str(name): [int(v) for v in counts.loc[name]] for name in order}
    return {
        "periods": every,
        "channels": series,
        "trend": {name: trend([float(v) for v in values]) for name, values in series.items()},
    }
