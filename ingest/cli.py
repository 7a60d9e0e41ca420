"""`groundline ingest` and `groundline documents …`: parse, delegate, report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from groundline.console import console, err_console, user_errors
from groundline.kb import KnowledgeBase
from groundline.settings import Settings
from groundline.wiring import StoreUnavailable
from ingest.pipeline import Ingestor, IngestReport, SourceFile, discover, remove_document
from ingest.service import remote_ingest, running_server

documents_app = typer.Typer(help="List or remove the documents in the knowledge base.")


def build_ingestor(kb: KnowledgeBase) -> Ingestor:
    from groundline.wiring import build_tokenizer
    from ingest.chunking import Chunker

    tokenizer = build_tokenizer(kb.settings)
    chunker = Chunker(
        lambda text: tokenizer.encode(text, add_special_tokens=False, verbose=False),
        kb.settings.ingest.chunk_tokens,
        kb.settings.ingest.chunk_overlap,
    )
    return Ingestor(kb, chunker)


def _print_summary(report: IngestReport) -> None:
    verb = "would be" if report.dry_run else ""
    console.print(
        f"{verb} [bold]{report.added}[/] added, [bold]{report.updated}[/] updated, "
        f"[bold]{report.unchanged}[/] unchanged, [bold]{report.deleted}[/] deleted, "
        f"[bold]{len(report.failed)}[/] failed; {report.chunks_embedded} chunks embedded "
        f"in {report.seconds:.1f} s"
    )
    if report.dry_run:
        console.print("[bold]Dry run[/]: nothing was changed.")
        for kind, ids in report.changes.items():
            for doc_id in ids:
                console.print(f"  would be {kind}: {doc_id}", highlight=False)
    for item in report.skipped:
        console.print(f"[dim]skipped {item['path']}: {item['reason']}[/]")
    for item in report.withheld:
        err_console.print(
            f"[yellow]withheld[/] {escape(item['path'])}: text that speaks to the bot, not the "
            f"reader, is never given to the model: {escape(repr(item['text']))}",
            highlight=False,
        )
    for item in report.failed:
        err_console.print(f"[red]failed[/] {item['path']}: {item['error']}")


def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or directories to ingest.")],
    sync: Annotated[
        bool,
        typer.Option(
            "--sync",
            help="Make the knowledge base match the paths: also delete documents "
            "that are no longer there.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change, change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Add documents (.md .txt .html .pdf .docx) to the knowledge base; unchanged ones cost nothing.

    Examples: groundline ingest ./docs · groundline ingest ./docs --sync --dry-run
    """
    settings: Settings = ctx.obj
    with user_errors():
        try:
            kb = KnowledgeBase.open(settings)
        except StoreUnavailable:
            url = running_server(settings)
            if url is None:
                raise
            err_console.print(
                f"A Groundline server runs on this data dir: sending it the work ({url})."
            )
            report = IngestReport(**remote_ingest(settings, url, paths, sync, dry_run))
        else:
            try:
                report = _ingest_here(kb, paths, sync, dry_run, show_progress=not as_json)
            finally:
                kb.close()
    if as_json:
        console.print_json(json.dumps(report.as_json()))
    else:
        _print_summary(report)
    raise typer.Exit(1 if report.failed else 0)


def _ingest_here(
    kb: KnowledgeBase, paths: list[Path], sync: bool, dry_run: bool, show_progress: bool
) -> IngestReport:
    ingestor = build_ingestor(kb)
    total = len(discover(paths, IngestReport()))
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=not show_progress,
        transient=True,
    ) as progress:
        task = progress.add_task("Checking", total=total)

        def advance(source: SourceFile) -> None:
            progress.update(task, advance=1, description=f"Checking {source.doc_id}")

        return ingestor.ingest(paths, sync=sync, dry_run=dry_run, on_file=advance)


@documents_app.command("list")
def list_documents(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """Show every document: id, source, hash, chunks, status, last error, when ingested."""
    from ingest.registry import Registry

    settings: Settings = ctx.obj
    registry = Registry(settings.registry_path, settings.collection)
    records = registry.all()
    registry.close()
    if as_json:
        console.print_json(json.dumps([r.public() for r in records]))
        return
    table = Table("id", "status", "chunks", "ingested at", "error")
    for r in records:
        table.add_row(r.id, r.status, str(r.chunks), r.ingested_at or "", r.error or "")
    console.print(table)


@documents_app.command("remove")
def remove(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(help="The document's id, as `documents list` shows it.")],
) -> None:
    """Remove a document and all its chunks from the knowledge base."""
    settings: Settings = ctx.obj
    with user_errors():
        kb = KnowledgeBase.open(settings)
        try:
            removed = remove_document(kb, doc_id)
        finally:
            kb.close()
    if not removed:
        err_console.print(f"No document with id {doc_id!r}; see `groundline documents list`.")
        raise typer.Exit(1)
    console.print(f"Removed {doc_id}.")
