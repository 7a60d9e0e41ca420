"""PDF: text page by page, so a big PDF never sits in memory whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ingest.loaders.base import LoadedDocument, LoadError, Section, title_from_name


def iter_pdf_pages(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (page number, text) one page at a time."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError("is an encrypted PDF and needs a password")
        for number, page in enumerate(reader.pages, start=1):
            yield number, page.extract_text() or ""
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
