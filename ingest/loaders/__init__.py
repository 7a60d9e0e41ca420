"""Turn a file into a title and its sections (heading path or page), one loader per format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.loaders.base import SECTION_SEP, LoadedDocument, LoadError, Section
from ingest.loaders.html import load_html
from ingest.loaders.office import load_docx, load_xlsx
from ingest.loaders.pdf import load_pdf
from ingest.loaders.planted import without_planted
from ingest.loaders.text import load_csv, load_markdown, load_text

__all__ = [
    "LOADERS",
    "SECTION_SEP",
    "LoadError",
    "LoadedDocument",
    "Section",
    "load",
    "revision",
]

LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".csv": load_csv,
    ".xlsx": load_xlsx,
}

# A loader's number goes up when it comes to read the same bytes into different text, so that
# the next ingest reads its files again instead of keeping their old chunks as unchanged.
# load_html 2: inline elements flow inside their line; 3: a <pre> is fenced as Markdown code;
# 4: an element the page hides (the hidden attribute, display: none, opacity: 0…) is left out.
# load_markdown 2: a chunk cut inside a block of code closes it, and the next chunk opens it
# again, with the block's own fence (``` or ~~~; ingest/chunking.py, fenced); 3: HTML comments
# are left out. load_docx 2: runs formatted as hidden text are left out.
# Every loader one more: instructions planted for the model are withheld (loaders/planted.py);
# load_pdf 2 also leaves out text drawn invisible, unless most of its page's text is.
REVISIONS: dict[Callable[[Path], LoadedDocument], int] = {
    load_html: 5,
    load_markdown: 4,
    load_docx: 3,
    load_text: 2,
    load_pdf: 2,
    load_csv: 2,
    load_xlsx: 2,
}


def revision(path: Path) -> int:
    """How the loader of this file reads it (1: as first released)."""
    loader = LOADERS.get(path.suffix.lower())
    return REVISIONS.get(loader, 1) if loader else 1


def load(path: Path) -> LoadedDocument:
    """Load any supported file; raise LoadError with a reason for anything that can't be read."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(f"has an unsupported file type {path.suffix!r}")
    return without_planted(loader(path))
