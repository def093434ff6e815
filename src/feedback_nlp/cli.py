"""The ``feedback-nlp`` command line: each command declares its options, calls one library function and renders
the result. Errors raised by the library are printed as one line on stderr (exit status 1); ``--debug`` shows
the traceback.
"""

from __future__ import annotations

import contextlib
import json
import sys
import warnings
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from feedback_nlp import __version__
from feedback_nlp.errors import FeedbackNLPError

app = typer.Typer(
    name="feedback-nlp",
    help="Turn customer feedback into sentiment, pain points, needs vs wants, topics, churn risk and priorities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
# Wide enough for the metric tables when the output is a file or a pipe (rich assumes 80 columns there).
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)
_state = {"debug": False}

ModelOption = Annotated[
    Path | None,
    typer.Option("--model", "-m", help="Model directory (default: the bundled models/default).", show_default=False),
]


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """The one place library errors become a message and an exit status."""
    try:
        yield
    except FeedbackNLPError as exc:
        if _state["debug"]:
            raise
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("[bold red]interrupted:[/] nothing was written", highlight=False)
        raise typer.Exit(130) from None


def _show_warning(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
    err.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        out.print(f"feedback-nlp {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Label customer feedback offline in English, French, Italian, Polish, Telugu, Spanish and German.

    Start with [bold]feedback-nlp score data/examples/reviews.csv --out scored.csv[/].
    """
    _state["debug"] = debug
    warnings.showwarning = _show_warning


@app.command()
def score(
    input_path: Annotated[
        Path, typer.Argument(metavar="INPUT", help="Table to score: .csv .tsv .parquet .jsonl .xlsx")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Output table, format from its suffix (default: INPUT.scored.SUFFIX).",
            show_default=False,
        ),
    ] = None,
    model_dir: ModelOption = None,
    text_col: Annotated[
        list[str] | None,
        typer.Option(
            "--text-col", "-t", help="Text column; repeat to join several (title + body). Guessed if omitted."
        ),
    ] = None,
    id_col: Annotated[str | None, typer.Option("--id-col", help="Id column, checked for duplicates.")] = None,
    lang_col: Annotated[
        str | None,
        typer.Option("--lang-col", help="Column of known language codes (en, fr-CA…); detected where empty."),
    ] = None,
    nps_col: Annotated[str | None, typer.Option("--nps-col", help="0–10 NPS column used in priority.")] = None,
    rating_col: Annotated[str | None, typer.Option("--rating-col", help="1–5 rating column used in priority.")] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Rows per chunk (memory vs speed).")] = 5_000,
    encoding: Annotated[str, typer.Option("--encoding", help="Text encoding of CSV/TSV/JSONL input.")] = "utf-8",
    workers: Annotated[
        int,
        typer.Option("--workers", "-w", min=0, help="Processes to score with; 0 = one per core for files over 5 MB."),
    ] = 0,
    report_path: Annotated[
        Path | None,
        typer.Option(
            "--report", help="Also write a report of the scored output (.html .md .json).", show_default=False
        ),
    ] = None,
) -> None:
    """Score every row of INPUT: adds language, sentiment, pain point, need/want, topic, churn risk and priority.

    Every input row comes out once, in order, with its original columns. Example:

        feedback-nlp score reviews.csv --out scored.parquet --text-col title --text-col body
    """
    from feedback_nlp.score import auto_workers, checked_model_dir, load_model, score_file

    with error_boundary():
        model_path = checked_model_dir(model_dir)  # loaded by whichever process scores
        progress = Progress(
            SpinnerColumn(), TextColumn("scoring"), TextColumn("{task.completed:,} rows"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err, transient=True,
        )  # fmt: skip
        with progress:
            task = progress.add_task("score", total=None, rate="")

            def advance(rows: int) -> None:
                elapsed = progress.tasks[task].elapsed or 1e-9
                progress.update(task, completed=rows, rate=f"{rows / elapsed:,.0f} rows/s")

            summary = score_file(
                input_path, output, model_path, text_columns=text_col, id_column=id_col, nps_column=nps_col,
                rating_column=rating_col, chunk_size=chunk_size, encoding=encoding, on_progress=advance,
                workers=workers or auto_workers(input_path), language_column=lang_col,
            )  # fmt: skip
        if summary.text_columns_guessed and summary.text_columns:
            err.print(f"text column(s): {' + '.join(summary.text_columns)} (guessed; set with --text-col)")
        if summary.score_column:
            err.print(f"{summary.score_kind} column for priority: {summary.score_column}")
        languages = ", ".join(f"{lang} {n}" for lang, n in summary.languages.most_common())
        out.print(f"scored {summary.rows:,} rows → {summary.output}" + (f"  ({languages})" if languages else ""))
        if report_path is not None and summary.output is not None:
            from feedback_nlp.report import ReportColumns, report_file

            columns = ReportColumns(text=tuple(summary.text_columns), nps=nps_col, rating=rating_col)
            with err.status("building the report…"):
                built, written = report_file(summary.output, report_path, model=load_model(model_path), columns=columns)
            _print_report_summary(built, written)


@app.command()
def train(
    config_path: Annotated[
        Path | None, typer.Option("--config", "-c", help="TOML config (see configs/default.toml).")
    ] = Path("configs/default.toml"),
    data: Annotated[
        list[Path] | None,
        typer.Option("--data", "-d", help="Labelled data file or folder; repeatable. Overrides data.paths."),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Model directory to write (default: models/<config>-<timestamp>).",
            show_default=False,
        ),
    ] = None,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help="Config override such as model.C=2.0; repeatable.")
    ] = None,
) -> None:
    """Train a model from labelled data, evaluate it on a held-out split and save it with a model card.

    Example:

        feedback-nlp train --config configs/default.toml --out models/mine --set features.char_ngrams=false
    """
    from feedback_nlp.config import load_config
    from feedback_nlp.train import train as run_training

    with error_boundary():
        config = load_config(config_path, overrides)
        if out_dir is None:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
            out_dir = Path("models") / f"{config_path.stem if config_path else 'model'}-{stamp}"
        with err.status("training…") as status:
            result = run_training(config, data, out_dir, progress=lambda message: status.update(f"{message}…"))
        _print_metrics(result.metrics, f"held-out evaluation ({result.test_rows:,} rows)")
        out.print(
            f"trained on {result.train_rows:,} rows in {result.seconds:.1f}s → {result.out_dir} "
            "(model.joblib, metadata.json, model_card.md)"
        )


@app.command()
def evaluate(
    data: Annotated[Path, typer.Option("--data", "-d", help="Labelled table with a text column and label columns.")],
    model_dir: ModelOption = None,
    text_col: Annotated[str, typer.Option("--text-col", "-t", help="Text column.")] = "text",
    lang_col: Annotated[str, typer.Option("--lang-col", help="Language column (detected when absent).")] = "lang",
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Accuracy, macro-F1, per-class scores and confusion matrices for every head whose label column is in DATA,
    overall and per language.

    Example:

        feedback-nlp evaluate --model models/default --data data/challenge.csv --json
    """
    from feedback_nlp.evaluate import evaluate as run_evaluation
    from feedback_nlp.io import read_table
    from feedback_nlp.score import load_model

    with error_boundary():
        model = load_model(model_dir)
        with err.status("evaluating…"):
            metrics = run_evaluation(model, read_table(data), text_col=text_col, lang_col=lang_col)
        if as_json:
            out.print_json(json.dumps(metrics))
            return
        _print_metrics(metrics, f"evaluation on {data} ({metrics['rows']:,} rows)", details=True)


@app.command()
def predict(
    texts: Annotated[
        list[str] | None,
        typer.Argument(help="Text(s) to label; read from stdin, one per line, if omitted."),
    ] = None,
    model_dir: ModelOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="Terms to show per head in the explanation.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Label one or a few texts and show which terms drove each decision.

    Example:

        feedback-nlp predict "Charged twice this month, please refund or I cancel"
    """
    from feedback_nlp.score import load_model, score_frame

    with error_boundary():
        lines = texts or [line.rstrip("\n") for line in sys.stdin if line.strip()]
        if not lines:
            raise typer.BadParameter("give a text as argument or pipe lines on stdin")
        model = load_model(model_dir)
        import pandas as pd

        table = score_frame(model, pd.DataFrame({"text": lines}), ["text"])
        results = []
        for i, text in enumerate(lines):
            row = {str(key): _plain(value) for key, value in table.iloc[i].items()}
            row["explanation"] = {
                h: [[t, round(w, 3)] for t, w in terms] for h, terms in model.explain(text, top_n=top).items()
            }
            results.append(row)
        if as_json:
            out.print_json(json.dumps(results, ensure_ascii=False))
            return
        for row in results:
            _print_prediction(row)


@app.command()
def info(
    model_dir: ModelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metadata as JSON.")] = False,
) -> None:
    """What a model is: heads and labels, languages, training data, metrics and library versions."""
    from feedback_nlp.model import read_metadata
    from feedback_nlp.score import resolve_model_dir

    with error_boundary():
        directory = resolve_model_dir(model_dir)
        from feedback_nlp.model import FeedbackModel

        FeedbackModel.load(directory)  # refuses corrupt or incompatible models with a clear message
        metadata = read_metadata(directory)
        if as_json:
            out.print_json(json.dumps(metadata, ensure_ascii=False))
            return
        out.print(f"[bold]model[/] {directory.resolve()}")
        out.print(f"created {metadata.get('created', '?')} · format {metadata.get('format_version')}")
        out.print("versions: " + ", ".join(f"{k} {v}" for k, v in metadata.get("versions", {}).items()))
        for name, head in metadata.get("heads", {}).items():
            out.print(f"head [bold]{name}[/] (column {head['column']}): {', '.join(head['labels'])}")
        data = metadata.get("data", {})
        out.print(f"trained on {data.get('train_rows', '?')} rows, evaluated on {data.get('test_rows', '?')}")
        out.print(
            "languages: " + ", ".join(f"{k} {v}" for k, v in sorted(metadata.get("training_languages", {}).items()))
        )
        _print_metrics(metadata.get("metrics", {}), "held-out evaluation")


def _plain(value: Any) -> Any:
    import pandas as pd

    if value is pd.NA or value is None:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _print_prediction(row: dict[str, Any]) -> None:
    table = Table(show_header=True, header_style="bold", title=str(row.get("text", ""))[:100])
    for column in ("head", "label", "probability", "pushed by"):
        table.add_column(column)
    explanation = row.get("explanation", {})
    for head in explanation:
        proba = row.get("sentiment_score") if head == "sentiment" else row.get(f"{head}_proba")
        shown = "" if proba is None else (f"score {proba:+.2f}" if head == "sentiment" else f"{proba:.2f}")
        terms = ", ".join(term for term, _ in explanation[head])
        table.add_row(head, str(row.get(head)), shown, terms)
    out.print(table)
    out.print(f"language {row.get('language')} · priority {row.get('priority')} · {row.get('priority_reasons')}")


def _print_metrics(metrics: dict[str, Any], title: str, details: bool = False) -> None:
    heads = metrics.get("heads", {})
    if not heads:
        return
    languages = sorted({lang for head in heads.values() for lang in head["by_language"]})
    table = Table(title=title, header_style="bold")
    for column in ("head", "n", "accuracy", "macro-F1", *languages):
        table.add_column(column, justify="right" if column != "head" else "left")
    for name, head in heads.items():
        overall = head["overall"]
        cells = [
            f"{head['by_language'][lang]['macro_f1']:.2f}" if lang in head["by_language"] else "–" for lang in languages
        ]
        table.add_row(name, str(overall["n"]), f"{overall['accuracy']:.3f}", f"{overall['macro_f1']:.3f}", *cells)
    out.print(table)
    if languages:
        out.print("(per-language columns: macro-F1)")
    if not details:
        return
    for name, head in heads.items():
        per_class = Table(title=f"{name}: per class (rows = truth in the confusion matrix)", header_style="bold")
        labels = head["overall"]["confusion"]["labels"]
        for column in ("label", "precision", "recall", "F1", "support", *labels):
            per_class.add_column(column, justify="right" if column != "label" else "left")
        for label, row in zip(labels, head["overall"]["confusion"]["matrix"]):
            scores = head["overall"]["per_class"][label]
            per_class.add_row(
                label, f"{scores['precision']:.2f}", f"{scores['recall']:.2f}", f"{scores['f1']:.2f}",
                str(scores["support"]), *map(str, row),
            )  # fmt: skip
        out.print(per_class)


def _column_option(flag: str, what: str) -> Any:
    return typer.Option(flag, help=f"{what} Guessed from common names if omitted.", show_default=False)


@app.command()
def report(
    scored: Annotated[
        Path, typer.Argument(metavar="SCORED", help="Scored table (the output of `feedback-nlp score`).")
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Report file: .html .md or .json (default: SCORED.report.html).", show_default=False
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="html, md or json (default: from --out, else html).", show_default=False),
    ] = None,
    model_dir: ModelOption = None,
    text_col: Annotated[
        list[str] | None, _column_option("--text-col", "Text column(s) for asks and themes; repeatable.")
    ] = None,
    nps_col: Annotated[str | None, _column_option("--nps-col", "0–10 likelihood-to-recommend column.")] = None,
    csat_col: Annotated[str | None, _column_option("--csat-col", "1–5 satisfaction column.")] = None,
    rating_col: Annotated[str | None, _column_option("--rating-col", "1–5 rating column.")] = None,
    channel_col: Annotated[str | None, _column_option("--channel-col", "Channel column.")] = None,
    date_col: Annotated[str | None, _column_option("--date-col", "Date column (periods and trends).")] = None,
    segment_col: Annotated[str | None, _column_option("--segment-col", "Customer segment column.")] = None,
    value_col: Annotated[str | None, _column_option("--value-col", "Customer value column (used in priority).")] = None,
    churned_col: Annotated[str | None, _column_option("--churned-col", "Churned true/false column.")] = None,
    customer_col: Annotated[
        str | None, _column_option("--customer-col", "Customer id column (churn per customer).")
    ] = None,
    weight: Annotated[
        list[str] | None, typer.Option("--weight", help="Topic/theme priority weight such as volume=0.4; repeatable.")
    ] = None,
    no_asks: Annotated[
        bool, typer.Option("--no-asks", help="Skip the asks and emerging themes (no model needed).")
    ] = False,
    encoding: Annotated[str, typer.Option("--encoding", help="Text encoding of CSV/TSV/JSONL input.")] = "utf-8",
) -> None:
    """Build an NPS / CSAT / topics / asks / themes / churn report from a scored table, as HTML, Markdown or JSON.

    Each part appears only when its columns exist; the columns used are printed. Example:

        feedback-nlp report scored.csv --out report.html --nps-col likelihood --date-col created_at
    """
    from feedback_nlp.report import ReportColumns, report_file
    from feedback_nlp.score import load_model
    from feedback_nlp.theme_priority import ThemePriorityWeights

    with error_boundary():
        columns = ReportColumns(
            text=tuple(text_col or ()), nps=nps_col, csat=csat_col, rating=rating_col, channel=channel_col,
            date=date_col, segment=segment_col, value=value_col, churned=churned_col, customer=customer_col,
        )  # fmt: skip
        weights = ThemePriorityWeights.from_overrides(weight)
        model = None if no_asks else load_model(model_dir)
        with err.status("building the report…"):
            built, written = report_file(
                scored, output, fmt, model=model, columns=columns, weights=weights, sentences=not no_asks,
                encoding=encoding,
            )  # fmt: skip
        _print_report_summary(built, written)


def _print_report_summary(built: Any, written: Path) -> None:
    used = [
        f"{role} {info['column']}" + (" (guessed)" if info["guessed"] else "") for role, info in built.columns.items()
    ]
    err.print("columns: " + (", ".join(used) if used else "labels only"), highlight=False, soft_wrap=True)
    if any(info["guessed"] for info in built.columns.values()):
        err.print("(set them with --nps-col, --csat-col, --date-col, --channel-col…)", highlight=False)
    for note in built.notes:
        err.print(f"note: {note}", highlight=False, soft_wrap=True)
    parts = [f"{built.rows:,} rows", f"{len(built.topics)} topics"]
    if built.asks:
        parts.append(f"{built.asks['clusters_total']} ask groups")
    if built.themes:
        parts.append(f"{len(built.themes['clusters'])} themes")
    out.print(f"report → {written}  ({', '.join(parts)})", highlight=False)


def main() -> None:
    """Console-script entry point."""
    app()
