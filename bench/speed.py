"""Speed and memory of batch scoring, end to end as a user runs it, next to VADER on the same file.

    python bench/speed.py                       # 10k and 100k rows (add --sizes 1000000 for the 1M run)
    python bench/speed.py --quick               # 2k rows: keeps the code path alive in CI

For each size it builds a synthetic multilingual export from the project's own corpus (texts recombined:
one to three corpus texts joined, seeded), then times, each in a fresh process (start-up included):
* ``feedback-nlp score big.csv --out big.parquet`` — wall time, rows/s, peak resident memory;
* VADER on the same file (read in chunks, sentiment only, write Parquet) — the same measures, and the ratio.
It also times model load, time to first result (one-row score, process start included) and, with --train,
training of the default model. Results go to bench/out/speed.json and are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SEED = 13
# Runs a command and samples the resident memory of its whole process tree (worker processes included) from
# /proc every 0.1 s; prints wall seconds and the peak of that sum in kB.
MEASURE = """
import pathlib, subprocess, sys, time
def tree_rss(pid):
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = pathlib.Path(f"/proc/{p}/status").read_text()
            total += int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmRSS:")))
            stack += [int(c) for c in pathlib.Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            pass
    return total
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = 0
while process.poll() is None:
    peak = max(peak, tree_rss(process.pid))
    time.sleep(0.1)
seconds = time.perf_counter() - started
if process.returncode:
    sys.exit(process.stderr.read())
print(seconds, peak)
"""
VADER_SCRIPT = """
import sys
import pandas as pd, pyarrow as pa, pyarrow.parquet as pq
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyzer = SentimentIntensityAnalyzer()
writer = None
for chunk in pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, chunksize=20000):
    compound = [analyzer.polarity_scores(text)["compound"] for text in chunk["text"]]
    chunk["sentiment_score"] = compound
    chunk["sentiment"] = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compound]
    table = pa.Table.from_pandas(chunk, preserve_index=False)
    writer = writer or pq.ParquetWriter(sys.argv[2], table.schema)
    writer.write_table(table)
writer.close()
"""


def synthetic_export(rows: int, path: Path) -> None:
    """``rows`` feedback rows, each one to three corpus texts of one language joined, with id/date/channel/nps."""
    corpus = pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((ROOT / "data" / "corpus").glob("*.csv"))]
    )
    rng = np.random.default_rng(SEED)
    by_language = [group["text"].to_numpy() for _, group in corpus.groupby("lang")]
    languages = rng.integers(0, len(by_language), size=rows)
    parts = rng.integers(1, 4, size=rows)
    picks = rng.random(size=(rows, 3))
    body = []
    for i in range(rows):  # one to three texts of the same language, so every row stays in one language
        pool = by_language[languages[i]]
        body.append(" ".join(pool[(picks[i, : parts[i]] * len(pool)).astype(int)]))
    frame = pd.DataFrame(
        {
            "id": np.arange(rows),
            "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, size=rows), unit="D"),
            "channel": rng.choice(corpus["channel"].unique(), size=rows),
            "nps": rng.integers(0, 11, size=rows),
            "text": body,
        }
    )
    frame.to_csv(path, index=False)


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB, summed over the process and its workers) of ``command``."""
    output = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=True)
    seconds, rss_kb = output.stdout.split()
    return float(seconds), int(rss_kb) / 1024


def run(sizes: list[int], train: bool, workdir: Path) -> dict[str, Any]:
    cli = [sys.executable, "-m", "feedback_nlp"]
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}",
        "sizes": {},
    }
    one_row = workdir / "one.csv"
    pd.DataFrame({"text": ["The app crashes when I pay, please fix it"]}).to_csv(one_row, index=False)
    results["time_to_first_result_s"], _ = measure([*cli, "score", str(one_row), "--out", str(workdir / "o.csv")])
    load = "import time; t=time.perf_counter(); from feedback_nlp import load_model; load_model(); print(time.perf_counter()-t)"
    results["model_load_s"] = float(
        subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, cwd=ROOT).stdout
    )
    for rows in sizes:
        source = workdir / f"export_{rows}.csv"
        synthetic_export(rows, source)
        ours_s, ours_mb = measure([*cli, "score", str(source), "--out", str(workdir / "ours.parquet")])
        vader_s, vader_mb = measure([sys.executable, "-c", VADER_SCRIPT, str(source), str(workdir / "vader.parquet")])
        results["sizes"][rows] = {
            "ours_s": round(ours_s, 1), "ours_rows_per_s": round(rows / ours_s), "ours_peak_mb": round(ours_mb),
            "vader_s": round(vader_s, 1), "vader_rows_per_s": round(rows / vader_s), "vader_peak_mb": round(vader_mb),
            "speed_ratio_ours_over_vader": round(vader_s / ours_s, 2),
        }  # fmt: skip
        print(f"{rows}: {results['sizes'][rows]}", file=sys.stderr)
    if train:
        config = str(ROOT / "configs" / "default.toml")
        results["train_default_s"], results["train_peak_mb"] = measure(
            [*cli, "train", "--config", config, "--out", str(workdir / "model")]
        )
    return results


def to_markdown(results: dict[str, Any]) -> str:
    lines = [
        "| rows | ours s | ours rows/s | ours peak MB | VADER s | VADER rows/s | VADER peak MB | ours ÷ VADER speed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rows, r in results["sizes"].items():
        lines.append(
            f"| {int(rows):,} | {r['ours_s']} | {r['ours_rows_per_s']:,} | {r['ours_peak_mb']} | {r['vader_s']} | "
            f"{r['vader_rows_per_s']:,} | {r['vader_peak_mb']} | {r['speed_ratio_ours_over_vader']} |"
        )
    lines.append("")
    lines.append(
        f"model load {results['model_load_s']:.1f} s · time to first result {results['time_to_first_result_s']:.1f} s"
    )
    if "train_default_s" in results:
        lines.append(
            f"training the default model {results['train_default_s']:.0f} s, peak {results['train_peak_mb']:.0f} MB"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true", help="one 2,000-row file, no training")
    parser.add_argument("--train", action="store_true", help="also time training the default model")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    sizes = [2_000] if args.quick else args.sizes
    with tempfile.TemporaryDirectory() as tmp:
        results = run(sizes, args.train and not args.quick, Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speed.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(to_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
