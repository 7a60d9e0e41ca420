"""`groundline eval run|compare|from-feedback|calibrate`: parse, delegate, report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from groundline.console import console, err_console, user_errors
from groundline.settings import Settings

eval_app = typer.Typer(help="Measure retrieval, answers and abstention on question datasets.")

_SHOWN = {
    "retrieval": ["evidence_hit@1", "evidence_hit@5", "evidence_hit@10", "mrr@10", "source_hit@5"],
    "answers": [
        "abstention_rate_unanswerable",
        "false_abstention_rate_answerable",
        "abstention_f1",
        "citation_validity",
        "cited_gold_source_rate",
        "groundedness",
        "token_f1",
        "yes_no_agreement",
        "same_language",
    ],
    "cost": ["retrieval_ms_p50", "first_token_ms_p50", "total_ms_p50", "prompt_tokens_mean"],
}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) and abs(value) < 10 else f"{value:,.0f}"


def _headline(report: dict[str, Any]) -> Table:
    scopes = {**report["datasets"], "overall": report["overall"]}
    table = Table("metric", *[f"{name} (n={s['n']})" for name, s in scopes.items()])
    for section, keys in _SHOWN.items():
        for key in keys:
            table.add_row(key, *[_fmt(s[section][key]) for s in scopes.values()])
    return table


@eval_app.command("run")
def run(
    ctx: typer.Context,
    dataset: Annotated[
        list[Path], typer.Option("--dataset", help="A JSON Lines dataset; repeat for several.")
    ],
    docs: Annotated[Path, typer.Option(help="The documents the questions are about.")],
    out: Annotated[Path, typer.Option(help="Where to write results.jsonl and the reports.")],
    k: Annotated[int, typer.Option(help="Chunks retrieved for the retrieval metrics.")] = 10,
    limit: Annotated[
        int | None, typer.Option(help="Only the first N questions of each dataset.")
    ] = None,
    generate: Annotated[
        bool,
        typer.Option("--generate/--no-generate", help="--no-generate: retrieval metrics only."),
    ] = True,
    judge: Annotated[
        bool, typer.Option("--judge", help="Also grade answers with the LLM (kept apart).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print report.json.")] = False,
) -> None:
    """Ingest DOCS into a fresh collection under OUT and run every question through the engine.

    Example: groundline eval run --dataset eval/smoke.jsonl --docs examples/help-centre --out runs/a
    """
    from eval.runner import RunOptions
    from eval.runner import run as run_eval

    settings: Settings = ctx.obj
    options = RunOptions(dataset, docs, out, k, limit, generate, judge)
    with (
        user_errors(),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("Starting", total=None)

        def advance(what: str, done: int, total: int) -> None:
            progress.update(task, description=what, completed=done, total=total or None)

        report = run_eval(settings, options, advance)
    if as_json:
        console.print_json(json.dumps(report))
        return
    console.print(_headline(report))
    console.print(
        f"{report['config']['documents']} documents, {report['config']['chunks']} chunks; "
        f"{report['config']['seconds']:.0f} s. Report: {out / 'report.html'}"
    )


@eval_app.command("compare")
def compare(
    base: Annotated[
        Path, typer.Argument(help="The baseline run: its report.json, or its --out folder.")
    ],
    new: Annotated[
        Path, typer.Argument(help="The run to check: its report.json, or its --out folder.")
    ],
    max_drop: Annotated[
        float, typer.Option(help="Largest allowed worsening of a headline metric.")
    ] = 0.02,
) -> None:
    """Print the change of every headline metric; exit 1 if one got worse by more than allowed.
    Then, where each report has its run's results.jsonl beside it, the questions whose outcome,
    answer or evidence rank changed.

    Example: groundline eval compare runs/base runs/new/report.json --max-drop 0.02
    """
    from eval.metrics import changed
    from eval.metrics import compare as compare_reports

    paths = [path / "report.json" if path.is_dir() else path for path in (base, new)]
    with user_errors():
        reports = [_report(path) for path in paths]
        results = [path.parent / "results.jsonl" for path in paths]
        runs = [_rows(path) for path in results if path.exists()]
    rows, regressed = compare_reports(reports[0], reports[1], max_drop)
    table = Table("scope", "metric", "base", "new", "delta", "")
    for row in rows:
        delta = row["delta"]
        table.add_row(
            row["scope"],
            row["metric"],
            _fmt(row["base"]),
            _fmt(row["new"]),
            "—" if delta is None else f"{delta:+.3f}",
            "[red]worse[/]" if row["regressed"] else "",
        )
    console.print(table)
    if len(runs) == 2:
        _print_changed(changed(runs[0], runs[1]), len(runs[1]))
    if regressed:
        err_console.print(f"[red]A headline metric dropped by more than {max_drop}.[/]")
        raise typer.Exit(1)


def _report(path: Path) -> dict[str, Any]:
    """A run's report.json; a clear usage error (exit 2) for any other file."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict) or not isinstance(report.get("overall"), dict):
        err_console.print(
            f"[bold red]Error:[/] {path} is not a report.json written by groundline eval run."
        )
        raise typer.Exit(2)
    return report


def _rows(results: Path) -> list[dict[str, Any]]:
    """The rows of a run's results.jsonl (blank lines skipped)."""
    lines = results.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _print_changed(moved: list[dict[str, Any]], total: int) -> None:
    table = Table("dataset", "id", "answerable", "base", "new", "answer", "evidence rank")
    for q in moved:
        ranks = " → ".join("—" if r is None else str(r) for r in q["evidence_rank"])
        table.add_row(
            q["dataset"],
            str(q["id"]),
            "yes" if q["answerable"] else "no",
            q["base"],
            q["new"],
            "reworded" if q["reworded"] else "same",
            ranks,
        )
    if moved:
        console.print(table)
    stopped = sum(q["base"] == "answered" != q["new"] for q in moved)
    started = sum(q["new"] == "answered" != q["base"] for q in moved)
    console.print(
        f"{len(moved)} of {total} questions changed: {stopped} answered before and not now, "
        f"{started} answered now and not before."
    )


@eval_app.command("from-feedback")
def from_feedback(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Dataset file to write the 👎 conversations to.")],
) -> None:
    """Turn answers users marked 👎 in the chat into dataset rows to review.

    Example: groundline eval from-feedback --out eval/review.jsonl
    """
    from bot.feedback import FeedbackStore, to_dataset_rows

    settings: Settings = ctx.obj
    rows = to_dataset_rows(FeedbackStore(settings.feedback_path).all())
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    console.print(
        f"{len(rows)} rated 👎 → {out}. Review each: fill in 'answer' and 'source', or set "
        "'answerable': false, then run it with `groundline eval run`."
    )


@eval_app.command("calibrate")
def calibrate(
    ctx: typer.Context,
    run_dir: Annotated[
        Path, typer.Argument(help="The --out directory of a `groundline eval run`.")
    ],
    target: Annotated[
        float,
        typer.Option(help="Share of unanswerable questions to abstain on, at the least."),
    ] = 0.9,
    max_false: Annotated[
        float,
        typer.Option(help="Share of answerable questions to abstain on, at the most."),
    ] = 0.1,
) -> None:
    """Choose the abstention thresholds for your documents from a run of labelled questions.

    The run's questions should be your users' own, some answerable from your documents and some
    not (`groundline eval from-feedback` collects them). Thresholds fitted to a few dozen
    questions are rough: check them on questions the calibration did not see.

    Example: groundline eval calibrate runs/mine --target 0.9 --max-false 0.1
    """
    from eval.calibrate import Outcome, Thresholds
    from eval.calibrate import calibrate as choose

    settings: Settings = ctx.obj
    in_use = Thresholds(settings.retrieval.min_score, settings.answers.dont_know_probability)
    with user_errors():
        config = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
        try:
            run = Thresholds(
                config["config"]["settings"]["retrieval"]["min_score"],
                config["config"]["settings"]["answers"]["dont_know_probability"],
            )
            result = choose(_rows(run_dir / "results.jsonl"), run, target, max_false, in_use)
        except KeyError as exc:
            err_console.print(f"[bold red]Error:[/] {run_dir} is not a finished run (no {exc}).")
            raise typer.Exit(2) from exc
        except ValueError as exc:
            err_console.print(f"[bold red]Error:[/] {run_dir}: {exc}")
            raise typer.Exit(2) from exc
    columns = {"this run": result.run, "your settings": result.preferred, "chosen": result.chosen}
    shown: dict[str, Callable[[Outcome], str]] = {
        "retrieval.min_score": lambda o: f"{o.thresholds.min_score:g}",
        "answers.dont_know_probability": lambda o: f"{o.thresholds.dont_know_probability:g}",
        f"abstains on unanswerable (n={result.unanswerable})": lambda o: (
            f"{o.abstention_unanswerable:.3f}"
        ),
        f"abstains on answerable (n={result.answerable})": lambda o: f"{o.false_abstention:.3f}",
    }
    table = Table("", *columns)
    for label, fmt in shown.items():
        table.add_row(label, *[fmt(o) if o else "—" for o in columns.values()])
    console.print(table)
    if result.preferred is None:
        console.print("Your settings ask the model less often than this run did: not judged.")
    if not result.reaches_target:
        console.print(
            f"[yellow]No thresholds abstain on {target:.0%} of these unanswerable questions "
            f"and on at most {max_false:.0%} of the answerable ones: the chosen ones balance "
            "the two rates.[/]"
        )
    chosen = result.chosen.thresholds
    console.print(
        "Set them in .env or the environment:\n"
        f"GROUNDLINE_RETRIEVAL__MIN_SCORE={chosen.min_score:g}\n"
        f"GROUNDLINE_ANSWERS__DONT_KNOW_PROBABILITY={chosen.dont_know_probability:g}"
    )
