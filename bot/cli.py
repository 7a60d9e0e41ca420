"""`groundline ask` and `groundline serve`."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.text import Text

from groundline.console import console, err_console, user_errors
from groundline.settings import Settings

if TYPE_CHECKING:
    from bot.engine import Answer

UI_ROOT = Path(__file__).parent / "ui"


def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question to answer from the documents.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print answer, citations, timings and tokens as JSON.")
    ] = False,
) -> None:
    """Answer one question from the knowledge base, with citations.

    Example: groundline ask "How long do I have to ask for a refund?"
    """
    from bot.engine import Engine
    from groundline.kb import KnowledgeBase
    from groundline.wiring import build_llm

    settings: Settings = ctx.obj
    with user_errors():
        kb = KnowledgeBase.open(settings)
        try:
            engine = Engine(kb, build_llm(settings))
            answer = engine.ask(question) if as_json else show(engine.stream(question), console)
        finally:
            kb.close()
    if as_json:
        console.print_json(json.dumps(answer.as_json()))
        return
    if answer.abstained:
        return
    for p in answer.citations:
        where = f", page {p.page}" if p.page else (f" › {p.section}" if p.section else "")
        console.print(f"[bold][{p.n}][/] {p.title}{where} [dim]({p.source})[/]", highlight=False)


def show(items: Iterator[str | Answer], out: Console) -> Answer:
    """Print an answer as it streams, then replace it with the finished answer's text: the one the
    checks let through (an answer its passages don't support was streamed, then became "I don't
    know"; a sentence cited anew shows its new marker). A console that is not a terminal gets the
    finished text only."""
    from bot.engine import Answer

    shown = ""
    with Live(Text(""), console=out, auto_refresh=False, vertical_overflow="visible") as live:
        for item in items:
            if isinstance(item, Answer):
                live.update(Text(item.text), refresh=True)
                return item
            shown += item
            live.update(Text(shown), refresh=True)
    raise RuntimeError("the engine ended without an answer")


def serve(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option(help="Port of the chat UI.", envvar="GROUNDLINE_PORT")
    ] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on.", envvar="GROUNDLINE_HOST")
    ] = "127.0.0.1",
) -> None:
    """Serve the chat UI (Chainlit) at http://HOST:PORT.

    Example: groundline serve --port 8000
    """
    settings: Settings = ctx.obj
    env = {
        **os.environ,
        "CHAINLIT_APP_ROOT": str(UI_ROOT),
        "GROUNDLINE_DATA_DIR": str(settings.data_dir.resolve()),
    }
    if settings.ui.admin_password and "CHAINLIT_AUTH_SECRET" not in env:
        env["CHAINLIT_AUTH_SECRET"] = secrets.token_hex(32)  # signs login sessions
    err_console.print(f"Groundline chat UI on http://{host}:{port}")
    args = [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(Path(__file__).parent / "app.py"),
        "--headless",
        "--host",
        host,
        "--port",
        str(port),
    ]
    os.execve(sys.executable, args, env)
