"""What every CLI command shares: consoles, logging set-up, known failures as messages."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

console = Console()
err_console = Console(stderr=True)

OUR_LOGGERS = ("groundline", "ingest", "bot", "eval")


def setup_logging(verbose: bool = False) -> None:
    """Warnings from libraries, information from Groundline itself, all on stderr."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.INFO)


@contextmanager
def user_errors() -> Iterator[None]:
    """Known failures (a store that is locked or down, a missing model, an LLM that is down) end
    the command with their message and exit code 1, not a traceback."""
    from bot.llm import BackendUnavailable
    from eval.datasets import DatasetError
    from groundline.models import ModelError
    from groundline.wiring import StoreUnavailable
    from ingest.service import RemoteError

    try:
        yield
    except (StoreUnavailable, ModelError, BackendUnavailable, RemoteError) as exc:
        err_console.print(f"[bold red]Error:[/] {exc}")
        raise typer.Exit(1) from exc
    except (DatasetError, FileNotFoundError, json.JSONDecodeError) as exc:
        err_console.print(f"[bold red]Error:[/] {exc}")  # the input the user gave is unusable
        raise typer.Exit(2) from exc
    except Exception as exc:
        from qdrant_client.http.exceptions import ResponseHandlingException

        if isinstance(exc, ResponseHandlingException):
            err_console.print(
                f"[bold red]Error:[/] the Qdrant server did not answer ({exc}). "
                "Check that it runs and GROUNDLINE_QDRANT__URL points at it."
            )
            raise typer.Exit(1) from exc
        raise
