"""The generated ``model_card.md`` of a model directory: what it is, what it learned from, how well it does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MODEL_CARD_FILE = "model_card.md"


def render_model_card(metadata: dict[str, Any]) -> str:
    """Markdown model card from a model's metadata (as written to ``metadata.json``)."""
    versions = metadata.get("versions", {})
    data = metadata.get("data", {})
    lexicon = metadata.get("config", {}).get("features", {}).get("lexicon", False)
    counts = " the counts of positive and negative lexicon words," if lexicon else ""
    lines = [
        "# feedback-nlp model card",
        "",
        f"Created {metadata.get('created', 'unknown')} with feedback-nlp {versions.get('feedback_nlp', '?')} "
        f"(format {metadata.get('format_version')}), scikit-learn {versions.get('scikit_learn', '?')}, "
        f"spaCy {versions.get('spacy', '?')}, Python {versions.get('python', '?')}.",
        "",
        "## What it does",
        "",
        f"One shared text featurisation (TF-IDF of lemmatised, negation-marked word n-grams,{counts} TF-IDF of",
        "character n-grams) feeds one calibrated logistic regression per head. Language is detected per row (naive",
        "Bayes on the character n-grams; lingua for texts that look like another language and for very short texts).",
        "",
        "| head | label column | labels |",
        "|---|---|---|",
    ]
    for name, head in metadata.get("heads", {}).items():
        lines.append(f"| `{name}` | `{head['column']}` | {', '.join(head['labels'])} |")
    lines += [
        "",
        "## Training data",
        "",
        f"Files: {', '.join(f'`{Path(f).name}`' for f in data.get('files', [])) or 'unknown'}; "
        f"{data.get('train_rows', '?')} training rows, {data.get('test_rows', '?')} held-out test rows; "
        f"data fingerprint `{str(data.get('fingerprint', ''))[:16]}…`.",
        "",
        "Rows per language (training): "
        + ", ".join(f"{lang} {n}" for lang, n in sorted(metadata.get("training_languages", {}).items())),
        "",
        "## Held-out evaluation",
        "",
    ]
    lines += render_metrics_table(metadata.get("metrics", {}))
    lines += [
        "",
        "## Intended use and limits",
        "",
        "Scoring customer feedback (reviews, survey verbatims, support tickets) in English, French, Italian,",
        "Polish, Telugu, Spanish and German. Other languages are scored but flagged `language_supported = false`;",
        "expect lower quality there. A bag-of-n-grams model misses some sarcasm and long-range negation; check",
        "`feedback-nlp predict` explanations before acting on a single row. Retrain on your own labelled data with",
        "`feedback-nlp train` for your domain and taxonomy.",
        "",
    ]
    return "\n".join(lines)


def render_metrics_table(metrics: dict[str, Any]) -> list[str]:
    """Markdown table of accuracy / macro-F1 per head, overall and per language."""
    heads = metrics.get("heads", {})
    if not heads:
        return ["No held-out rows: no evaluation."]
    languages = sorted({lang for head in heads.values() for lang in head.get("by_language", {})})
    header = "| head | n | accuracy | macro-F1 | " + " | ".join(f"{lang} macro-F1" for lang in languages) + " |"
    lines = [header, "|" + "---|" * (4 + len(languages))]
    for name, head in heads.items():
        overall = head["overall"]
        per_language = [
            f"{head['by_language'][lang]['macro_f1']:.3f}" if lang in head["by_language"] else "–" for lang in languages
        ]
        lines.append(
            f"| `{name}` | {overall['n']} | {overall['accuracy']:.3f} | {overall['macro_f1']:.3f} | "
            + " | ".join(per_language)
            + " |"
        )
    return lines


def write_model_card(directory: Path, metadata: dict[str, Any]) -> Path:
    """Write ``model_card.md`` into ``directory``."""
    path = directory / MODEL_CARD_FILE
    path.write_text(render_model_card(metadata), encoding="utf-8")
    return path
