"""PDF: text page by page, so a big PDF never sits in memory whole."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.loaders.base import LoadedDocument, LoadError, Section, title_from_name

_INVISIBLE = 3  # the text rendering mode (Tr) that draws nothing
_SHOW = (b"Tj", b"TJ", b"'", b'"')  # the operators that draw text


def _shown_text(page: Any) -> str:
    """The page's text as a reader sees it: text drawn invisible (rendering mode 3) is left out,
    where an instruction to the bot would be planted, unless the page's text is mostly
    invisible, as a scan's recognised text is (a stamped page number would not hide it)."""
    mode, saved = 0, []
    drawn: set[bool] = set()  # whether each show since the last piece of text was invisible
    pieces: list[tuple[str, bool]] = []

    def before(operator: bytes, operands: Any, cm: Any, tm: Any) -> None:
        nonlocal mode
        if operator == b"q":
            saved.append(mode)
        elif operator == b"Q" and saved:
            mode = saved.pop()
        elif operator == b"Tr" and operands:
            with contextlib.suppress(TypeError, ValueError):  # malformed: left as it was
                mode = int(operands[0])
        elif operator in _SHOW:
            drawn.add(mode == _INVISIBLE)

    def piece(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            pieces.append((text, drawn == {True}))
            drawn.clear()

    text: str = page.extract_text(visitor_operand_before=before, visitor_text=piece) or ""
    hidden = [t.strip() for t, invisible in pieces if invisible]
    visible = sum(len(t.strip()) for t, invisible in pieces if not invisible)
    if not hidden or sum(map(len, hidden)) >= visible:
        return text
    for piece_text in hidden:
        text = text.replace(piece_text, "", 1)
    return "\n".join(line for line in text.splitlines() if line.strip())


def iter_pdf_pages(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (page number, text) one page at a time."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("is an encrypted PDF and needs a password")
        for number, page in enumerate(reader.pages, start=1):
            yield number, _shown_text(page)
    except FileNotDecryptedError as exc:
        raise LoadError("is an encrypted PDF and needs a password") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LoadError(f"is not a readable PDF ({exc})") from exc


def load_pdf(path: Path) -> LoadedDocument:
    from pypdf import PdfReader

    sections = [
        Section(text.strip(), heading=f"Page {n}", page=n)
        for n, text in iter_pdf_pages(path)
        if text.strip()
    ]
    if not sections:
        raise LoadError("has no text layer (a scanned PDF?): nothing to index")
    meta_title: object = None
    try:
        metadata = PdfReader(path).metadata
        meta_title = metadata.title if metadata else None
    except Exception:  # metadata is optional; the text already loaded
        meta_title = None
    title = str(meta_title).strip() if meta_title else title_from_name(path)
    return LoadedDocument(title, sections)
