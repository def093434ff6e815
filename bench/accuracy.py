"""Accuracy on real public data (../shared/benchmarks): zero-shot default model vs VADER and TextBlob, and
in-domain retraining of our pipeline with 5-fold cross-validation.

    python bench/accuracy.py                 # full run, writes bench/out/accuracy.{json,md}
    python bench/accuracy.py --quick         # small N, one fold (CI keeps this path alive)

The benchmark files are read where they are and never copied; the script skips cleanly when they are absent.
Zero-shot predictions go through ``score_frame``, the code path of ``feedback-nlp score``. In-domain retraining
writes a user-style TOML config with a custom head and calls ``train``, the code path of ``feedback-nlp train``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

from feedback_nlp.config import load_config
from feedback_nlp.model import FeedbackModel
from feedback_nlp.score import load_model, score_frame
from feedback_nlp.train import train

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
SEED = 13


@dataclass(frozen=True)
class BenchmarkSet:
    """One public set: its task, how its labels map to our heads, and which rows to keep."""

    name: str
    task: str  # "sentiment2", "sentiment3", "complaint" or "suggestion"
    positive: str | None = None  # the positive label of binary tasks
    drop_labels: tuple[str, ...] = ()
    relevant_only: bool = False


SETS = (
    BenchmarkSet("uci_sentiment_sentences", "sentiment2", positive="positive"),
    BenchmarkSet("complaints_twitter", "complaint", positive="complaint"),
    BenchmarkSet("semeval19_suggestion_forum", "suggestion", positive="suggestion"),
    BenchmarkSet("polemo2_sentence_test", "sentiment3", drop_labels=("mixed",)),
    BenchmarkSet("germeval17_test", "sentiment3", relevant_only=True),
)
NEGATIVE_LABEL = {"complaint": "not_complaint", "suggestion": "non_suggestion"}


def load_set(folder: Path, spec: BenchmarkSet, limit: int | None) -> pd.DataFrame:
    """The set's rows after the documented filters; a stratified sample of ``limit`` rows if given."""
    frame = pd.read_csv(folder / f"{spec.name}.csv", dtype=str, keep_default_na=False)
    if spec.relevant_only:
        frame = frame[frame["relevance"].str.lower() == "true"]
    frame = frame[~frame["label"].isin(spec.drop_labels)].reset_index(drop=True)
    if limit and len(frame) > limit:
        share = limit / len(frame)
        frame = frame.groupby("label", group_keys=False).sample(frac=share, random_state=SEED).reset_index(drop=True)
    return frame


def metrics(truth: list[str], predicted: list[str], positive: str | None) -> dict[str, float]:
    """Accuracy, macro-F1 over the true label set and, for binary tasks, F1 of the positive class."""
    labels = sorted(set(truth))
    result = {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
    }
    if positive:
        result["f1_positive"] = round(float(f1_score(truth, predicted, labels=[positive], average="macro")), 4)
    return result


def _polarity(scores: np.ndarray, threshold: float, task: str) -> list[str]:
    if task == "sentiment2" and threshold == 0.0:
        return ["positive" if s >= 0 else "negative" for s in scores]
    return ["positive" if s > threshold else "negative" if s < -threshold else "neutral" for s in scores]


def zero_shot(model: FeedbackModel, spec: BenchmarkSet, frame: pd.DataFrame) -> dict[str, Any]:
    """Our default model (and VADER/TextBlob on sentiment sets) on the set, no training."""
    truth = frame["label"].tolist()
    started = time.perf_counter()
    scored = score_frame(model, frame[["text"]], ["text"])
    seconds = time.perf_counter() - started
    if spec.task == "sentiment2":
        ours = _polarity(scored["sentiment_score"].fillna(0).to_numpy(), 0.0, spec.task)
    elif spec.task == "sentiment3":
        ours = scored["sentiment"].fillna("neutral").tolist()
    elif spec.task == "complaint":
        ours = ["complaint" if flag else "not_complaint" for flag in scored["pain_point"].fillna(False)]
    else:
        ours = ["suggestion" if value in {"need", "want"} else "non_suggestion" for value in scored["need_type"]]
    result: dict[str, Any] = {"rows": len(frame), "ours": metrics(truth, ours, spec.positive), "ours_seconds": seconds}
    if spec.task.startswith("sentiment"):
        result.update(lexicon_baselines(frame["text"].tolist(), truth, spec))
    result["error_analysis"] = error_analysis(frame, truth, ours)
    if "lang" in frame and frame["lang"].nunique() > 1:
        result["ours_by_language"] = {
            lang: metrics([truth[i] for i in idx], [ours[i] for i in idx], spec.positive)
            for lang, idx in frame.groupby("lang").indices.items()
        }
    return result


def error_analysis(frame: pd.DataFrame, truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Where the zero-shot errors are: accuracy by text length and by true label, and the confusion counts."""
    words = frame["text"].str.split().str.len().to_numpy()
    buckets = pd.cut(words, [0, 10, 25, 60, 10_000], labels=["1-10", "11-25", "26-60", "61+"])
    correct = pd.Series(np.array(truth) == np.array(predicted))
    by_length = correct.groupby(buckets, observed=True).agg(["mean", "size"])
    by_label = correct.groupby(pd.Series(truth)).agg(["mean", "size"])
    confusion = pd.crosstab(pd.Series(truth, name="truth"), pd.Series(predicted, name="predicted"))
    return {
        "accuracy_by_words": {
            str(k): {"accuracy": round(v["mean"], 3), "n": int(v["size"])} for k, v in by_length.iterrows()
        },
        "recall_by_true_label": {
            str(k): {"recall": round(v["mean"], 3), "n": int(v["size"])} for k, v in by_label.iterrows()
        },
        "confusion": {truth_label: row.to_dict() for truth_label, row in confusion.iterrows()},
    }


def lexicon_baselines(texts: list[str], truth: list[str], spec: BenchmarkSet) -> dict[str, Any]:
    """VADER (compound, ±0.05 as published, and sign) and TextBlob (polarity) on the same rows."""
    from textblob import TextBlob
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    vader = np.array([analyzer.polarity_scores(text)["compound"] for text in texts])
    vader_seconds = time.perf_counter() - started
    blob = np.array([TextBlob(text).sentiment.polarity for text in texts])
    out = {
        "vader": metrics(truth, _polarity(vader, 0.05, "sentiment3"), spec.positive),
        "textblob": metrics(truth, _polarity(blob, 0.0, spec.task), spec.positive),
        "vader_seconds": vader_seconds,
    }
    if spec.task == "sentiment2":
        out["vader_sign"] = metrics(truth, _polarity(vader, 0.0, spec.task), spec.positive)
    return out


def _head_and_labels(spec: BenchmarkSet, frame: pd.DataFrame) -> tuple[str, pd.Series]:
    if spec.task.startswith("sentiment"):
        return "sentiment", frame["label"]
    return spec.task, (frame["label"] == spec.positive).map({True: "true", False: "false"})


def in_domain(
    spec: BenchmarkSet, frame: pd.DataFrame, folds: int, max_folds: int, workdir: Path, overrides: list[str]
) -> dict[str, Any]:
    """k-fold cross-validation of ``feedback-nlp train`` on the set, with a user-written config and custom head."""
    head, labels = _head_and_labels(spec, frame)
    positive = spec.positive if head == "sentiment" else "true"
    config_path = workdir / f"{spec.name}.toml"
    config_path.write_text(f'seed = {SEED}\n\n[heads.{head}]\ncolumn = "{head}"\n', encoding="utf-8")
    config = load_config(config_path, overrides)
    data = pd.DataFrame({"text": frame["text"], "lang": frame["lang"], head: labels})
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    truth_all: list[str] = []
    predicted_all: list[str] = []
    per_fold: list[dict[str, float]] = []
    for fold, (_, test_index) in enumerate(splitter.split(data, data[head])):
        if fold >= max_folds:
            break
        fold_data = data.assign(split="train")
        fold_data.loc[test_index, "split"] = "test"
        path = workdir / f"{spec.name}-fold{fold}.csv"
        fold_data.to_csv(path, index=False)
        result = train(config, data_paths=[path])
        test = fold_data.loc[test_index]
        predicted = result.model.predict(test["text"].tolist(), test["lang"].tolist())[head]
        predicted_text = [str(v).lower() if head != "sentiment" else str(v) for v in predicted.fillna("neutral")]
        truth_all += test[head].tolist()
        predicted_all += predicted_text
        per_fold.append(metrics(test[head].tolist(), predicted_text, positive))
    pooled = metrics(truth_all, predicted_all, positive)
    spread = {f"{key}_fold_sd": round(float(np.std([fold[key] for fold in per_fold])), 4) for key in pooled}
    return {"folds": len(per_fold), **pooled, **spread}


def to_markdown(results: dict[str, Any]) -> str:
    """The results as the tables of docs/benchmarks.md."""
    lines = [
        "| set | rows | metric | ours (zero-shot) | VADER ±0.05 | VADER sign | TextBlob | ours in-domain (CV, ± sd over folds) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results["sets"].items():
        zero = result["zero_shot"]
        key = "f1_positive" if "f1_positive" in zero["ours"] else "macro_f1"
        for metric in ("accuracy", key):
            cells = [
                f"{zero['ours'][metric]:.3f}",
                *(f"{zero[tool][metric]:.3f}" if tool in zero else "–" for tool in ("vader", "vader_sign", "textblob")),
                _with_spread(result["in_domain"], metric) if "in_domain" in result else "–",
            ]
            lines.append(f"| {name} | {zero['rows']} | {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _with_spread(in_domain: dict[str, float], metric: str) -> str:
    """The pooled figure, with the standard deviation over folds when there is more than one fold."""
    spread = in_domain.get(f"{metric}_fold_sd")
    return f"{in_domain[metric]:.3f}" + (f" ± {spread:.3f}" if spread and in_domain["folds"] > 1 else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="300 rows per set, one fold: a smoke run")
    parser.add_argument("--model", type=Path, default=None, help="model directory (default: bundled)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="folder for accuracy.json/.md")
    parser.add_argument("--no-retrain", action="store_true", help="skip in-domain cross-validation")
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS, help="folder of the public sets")
    parser.add_argument("--sets", nargs="+", default=[spec.name for spec in SETS], help="which sets to run")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="config override for retraining")
    args = parser.parse_args(argv)
    if not args.benchmarks.is_dir():
        print(f"skipped: benchmark folder {args.benchmarks} not found")
        return 0
    limit, max_folds = (300, 1) if args.quick else (None, 5)
    model = load_model(args.model)
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}",
        "versions": model.describe()["versions"],
        "quick": args.quick,
        "sets": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for spec in (spec for spec in SETS if spec.name in args.sets):
            if not (args.benchmarks / f"{spec.name}.csv").is_file():
                print(f"skipped {spec.name}: file not found")
                continue
            frame = load_set(args.benchmarks, spec, limit)
            entry: dict[str, Any] = {"zero_shot": zero_shot(model, spec, frame)}
            if not args.no_retrain:
                entry["in_domain"] = in_domain(spec, frame, 5, max_folds, Path(tmp), args.overrides)
            results["sets"][spec.name] = entry
            print(f"{spec.name}: {json.dumps(entry['zero_shot']['ours'])}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    markdown = to_markdown(results)
    (args.out / "accuracy.md").write_text(markdown + "\n", encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
