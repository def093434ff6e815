"""Assemble the writers' JSON Lines batches into the project's data files.

    python tools/build_corpus.py            # from the repository root

* ``data/corpus/<lang>.csv``: id, text, lang, labels, domain, channel, split. Ids follow batch order; exact
  duplicates after normalisation are dropped (and counted). The split is fixed by id: a row already in the file
  keeps its split; new rows, within each stratum (language × sentiment × need_type), are ordered by a hash of their
  id and the first 15 % go to "test" (before wave 4 of the short texts, every row was assigned this way at each
  build, so adding rows moved a few old ones).
* ``data/sentences/<lang>.csv``: the short-feedback set (single review sentences, posts, forum lines), same
  columns, ids ``s-<lang>-NNNNN``; texts already in the corpus are dropped.
* ``data/challenge.csv``: the writers' deliberately hard cases, with a ``case`` column.
* ``data/examples/reviews.csv``: the sample export the README scores (id, date, channel, nps_score, title, body).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
from pathlib import Path

LANGS = ("en", "fr", "it", "pl", "es", "de", "te")
LABELS = ("sentiment", "pain_point", "need_type", "topic", "churn_risk")
CORPUS_COLUMNS = ("id", "text", "lang", *LABELS, "domain", "channel", "split")
TEST_SHARE = 0.15


def norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{number}: {exc}") from exc
    return rows


def bool_text(value: object) -> str:
    return "true" if value in (True, "true", "True", 1) else "false"


def previous_splits(path: Path) -> dict[tuple[str, str], str]:
    """The split each (id, text) already has in the file being rebuilt, so that adding rows never moves old ones
    between train and test (which would leak old test rows into training and break comparisons over time)."""
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {(row["id"], row["text"]): row["split"] for row in csv.DictReader(handle)}


def assign_split(rows: list[dict], previous: dict[tuple[str, str], str]) -> None:
    """Rows already in the file keep their split; new rows get one by stratum (language × sentiment × need type):
    ordered by a hash of their id, the first ``TEST_SHARE`` of each stratum's new rows go to test."""
    strata: dict[tuple, list[dict]] = {}
    for row in rows:
        if (row["id"], row["text"]) in previous:
            row["split"] = previous[(row["id"], row["text"])]
            continue
        strata.setdefault((row["lang"], row["sentiment"], row["need_type"]), []).append(row)
    for members in strata.values():
        members.sort(key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
        n_test = round(len(members) * TEST_SHARE)
        for i, row in enumerate(members):
            row["split"] = "test" if i < n_test else "train"


def apply_resolutions(rows: list[dict], path: Path) -> None:
    """Set the labels the second labelling pass resolved (data/corpus/agreement/<lang>_resolved.jsonl)."""
    if not path.exists():
        return
    by_id = {row["id"]: row for row in rows}
    changed = 0
    for item in read_jsonl(path):
        row = by_id[item["id"]]
        if row[item["head"]] != item["first"]:
            raise SystemExit(f"{path}: {item['id']} {item['head']} is {row[item['head']]!r}, not {item['first']!r}")
        changed += row[item["head"]] != item["resolved"]
        row[item["head"]] = item["resolved"]
    print(f"  {path.name}: {changed} labels changed by the resolution of disagreements")


def build_corpus(parts: Path, out_dir: Path, seen: set[str], id_prefix: str = "") -> None:
    for lang in LANGS:
        batches = sorted((parts / lang).glob("batch_*.jsonl"))
        if not batches:
            continue
        rows, dropped = [], 0
        for batch in batches:
            for item in read_jsonl(batch):
                key = norm(item["text"])
                if key in seen:
                    dropped += 1
                    continue
                seen.add(key)
                row = {name: item[name] for name in ("text", "sentiment", "need_type", "topic", "domain", "channel")}
                row.update(pain_point=bool_text(item["pain_point"]), churn_risk=bool_text(item["churn_risk"]))
                row.update(id=f"{id_prefix}{lang}-{len(rows) + 1:05d}", lang=lang)
                rows.append(row)
        assign_split(rows, previous_splits(out_dir / f"{lang}.csv"))
        apply_resolutions(rows, out_dir / "agreement" / f"{lang}_resolved.jsonl")
        with open(out_dir / f"{lang}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=CORPUS_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        print(f"{lang}: {len(rows)} rows ({dropped} duplicates dropped)")


def build_challenge(parts: Path, path: Path) -> None:
    rows = []
    for lang in LANGS:
        source = parts / lang / "challenge.jsonl"
        if not source.exists():
            continue
        for number, item in enumerate(read_jsonl(source), 1):
            row = {name: item[name] for name in ("text", "sentiment", "need_type", "topic", "case")}
            row.update(pain_point=bool_text(item["pain_point"]), churn_risk=bool_text(item["churn_risk"]))
            row.update(id=f"challenge-{lang}-{number:03d}", lang=lang)
            rows.append(row)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=("id", "text", "lang", *LABELS, "case"))
        writer.writeheader()
        writer.writerows(rows)
    print(f"challenge: {len(rows)} rows")


def build_export(parts: Path, path: Path, extra: Path) -> None:
    rng = random.Random(7)
    rows = []
    for lang in LANGS:
        source = parts / lang / "export.jsonl"
        if source.exists():
            rows += read_jsonl(source)
    rows += read_jsonl(extra) if extra.exists() else []
    rng.shuffle(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("id", "date", "channel", "nps_score", "title", "body"))
        for number, item in enumerate(rows, 1):
            day = 1 + (number * 37) % 180
            date = f"2026-{1 + (day - 1) // 30:02d}-{1 + (day - 1) % 28:02d}"
            nps = "" if item.get("nps_score") is None else str(item["nps_score"])
            writer.writerow(
                (
                    item.get("id", f"R{10000 + number}"),
                    date,
                    item.get("channel", ""),
                    nps,
                    item.get("title", ""),
                    item.get("body", ""),
                )
            )
    print(f"export: {len(rows)} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", type=Path, default=Path("data/corpus/_parts"))
    args = parser.parse_args()
    seen: set[str] = set()
    build_corpus(args.parts, Path("data/corpus"), seen)
    build_corpus(Path("data/sentences/_parts"), Path("data/sentences"), seen, id_prefix="s-")
    build_challenge(args.parts, Path("data/challenge.csv"))
    Path("data/examples").mkdir(parents=True, exist_ok=True)
    build_export(args.parts, Path("data/examples/reviews.csv"), Path("data/examples/awkward_rows.jsonl"))


if __name__ == "__main__":
    main()
