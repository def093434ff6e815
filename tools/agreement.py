"""Second, independent labelling pass: draw the sample, then measure agreement and list disagreements.

    python tools/agreement.py sample LANG            # writes data/corpus/agreement/LANG_sample.jsonl (id, text)
    python tools/agreement.py compare LANG           # agreement of LANG_second.jsonl with the corpus labels
    python tools/agreement.py report                 # agreement per head over every language done (Markdown)

The sample is a seeded random 10 % (at least 60 rows) of the language's corpus rows. The second labeller sees
only id and text, never the first labels. Resolutions of disagreements go to LANG_resolved.jsonl and are applied
to the corpus by tools/build_corpus.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from sklearn.metrics import cohen_kappa_score

HEADS = ("sentiment", "pain_point", "need_type", "topic", "churn_risk")
FOLDER = Path("data/corpus/agreement")
SHARE, SEED = 0.10, 2026


def corpus(lang: str) -> pd.DataFrame:
    return pd.read_csv(f"data/corpus/{lang}.csv", dtype=str, keep_default_na=False)


def sample(lang: str) -> None:
    rows = corpus(lang)
    n = max(60, round(len(rows) * SHARE))
    picked = rows.sample(n=n, random_state=SEED).sort_values("id")
    FOLDER.mkdir(parents=True, exist_ok=True)
    with open(FOLDER / f"{lang}_sample.jsonl", "w", encoding="utf-8") as handle:
        for row in picked.itertuples():
            handle.write(json.dumps({"id": row.id, "text": row.text}, ensure_ascii=False) + "\n")
    print(f"{lang}: {n} of {len(rows)} rows sampled")


def second(lang: str) -> pd.DataFrame:
    lines = (FOLDER / f"{lang}_second.jsonl").read_text(encoding="utf-8").splitlines()
    frame = pd.DataFrame([json.loads(line) for line in lines if line.strip()])
    for head in ("pain_point", "churn_risk"):
        frame[head] = frame[head].map(lambda v: "true" if v in (True, "true", "True") else "false")
    return frame.set_index("id")


def first_labels(lang: str) -> pd.DataFrame:
    """The first annotator's labels: the corpus, with any resolved disagreement put back to its first value."""
    first = corpus(lang).set_index("id")
    resolved = FOLDER / f"{lang}_resolved.jsonl"
    if resolved.exists():
        for line in resolved.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                first.loc[item["id"], item["head"]] = item["first"]
    return first


def agreement(langs: list[str]) -> pd.DataFrame:
    stats = []
    for lang in langs:
        first = first_labels(lang)
        other = second(lang)
        joined = first.loc[other.index]
        for head in HEADS:
            a, b = joined[head].tolist(), other[head].tolist()
            stats.append(
                {
                    "lang": lang,
                    "head": head,
                    "n": len(a),
                    "agreement": sum(x == y for x, y in zip(a, b)) / len(a),
                    "kappa": cohen_kappa_score(a, b),
                }
            )
    return pd.DataFrame(stats)


def compare(lang: str) -> None:
    first = first_labels(lang)
    other = second(lang)
    print(agreement([lang]).to_string(index=False))
    for row_id, row in other.iterrows():
        diffs = {h: (first.loc[row_id, h], row[h]) for h in HEADS if first.loc[row_id, h] != row[h]}
        if diffs:
            print(
                json.dumps(
                    {"id": row_id, "text": first.loc[row_id, "text"][:300], "first_vs_second": diffs},
                    ensure_ascii=False,
                )
            )


def report() -> None:
    langs = sorted(p.name.split("_")[0] for p in FOLDER.glob("*_second.jsonl"))
    stats = agreement(langs)
    overall = stats.groupby("head", sort=False).apply(
        lambda g: pd.Series(
            {
                "n": g["n"].sum(),
                "agreement": (g["agreement"] * g["n"]).sum() / g["n"].sum(),
                "kappa": (g["kappa"] * g["n"]).sum() / g["n"].sum(),
            }
        ),
        include_groups=False,
    )
    print("| head | rows | agreement | Cohen's kappa |\n|---|---|---|---|")
    for head, row in overall.iterrows():
        print(f"| {head} | {int(row['n'])} | {row['agreement']:.3f} | {row['kappa']:.3f} |")
    table = stats.pivot(index="head", columns="lang", values="agreement").loc[list(HEADS)]
    print("\n| head | " + " | ".join(table.columns) + " |\n|---|" + "---|" * len(table.columns))
    for head, row in table.iterrows():
        print(f"| {head} | " + " | ".join(f"{v:.2f}" for v in row) + " |")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "sample":
        sample(sys.argv[2])
    elif command == "compare":
        compare(sys.argv[2])
    else:
        report()
