"""Turn a file into a title and its sections (heading path or page), one loader per format."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECTION_SEP = " › "


class LoadError(Exception):
    """A file could not be read; the message says why, in words a user understands."""


@dataclass
class Section:
    text: str
    heading: str = ""  # heading path, e.g. "Billing › Refunds", or "Page 3"
    page: int | None = None
    anchor: str | None = None


@dataclass
class LoadedDocument:
    title: str
    sections: list[Section]


def _heading_path(stack: list[str]) -> str:
    return SECTION_SEP.join(h for h in stack if h)


def decode_text(data: bytes, name: str) -> str:
    """Decode text of any common encoding; refuse binary data instead of producing garbage."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise LoadError("is not text in any encoding Groundline recognises")
    # Short Western text fits several single-byte code pages equally well; Windows-1252 is by
    # far the most common of them, so it wins a tie.
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos:
            return str(match)
    return str(best)


# --- Markdown and plain text -------------------------------------------------------------

_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def load_markdown(path: Path) -> LoadedDocument:
    text = decode_text(path.read_bytes(), path.name)
    title = ""
    stack: list[str] = []
    sections: list[Section] = []
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(Section(body, heading=_heading_path(stack[1:] if title else stack)))
        lines.clear()

    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _ATX.match(line)
        if not match:
            lines.append(line)
            continue
        flush()
        level, heading = len(match.group(1)), match.group(2).strip()
        if level == 1 and not title:
            title = heading
        del stack[level - 1 :]
        stack.extend([""] * (level - 1 - len(stack)))
        stack.append(heading)
    flush()
    return LoadedDocument(title or path.stem.replace("-", " ").replace("_", " "), sections)


def load_text(path: Path) -> LoadedDocument:
    text = decode_text(path.read_bytes(), path.name).strip()
    title = path.stem.replace("-", " ").replace("_", " ")
    return LoadedDocument(title, [Section(text)] if text else [])


# --- HTML --------------------------------------------------------------------------------

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template"]
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MARK = "\x00"


def _table_text(table: Any) -> str:
    rows = []
    caption = table.find("caption")
    if caption:
        rows.append(caption.get_text(" ", strip=True))
        caption.decompose()
    for tr in table.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def load_html(path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup

    markup = decode_text(path.read_bytes(), path.name)
    soup = BeautifulSoup(markup, "lxml")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find(role="main") or soup.find("article") or soup.body or soup
    for table in root.find_all("table"):
        table.replace_with(soup.new_string(f"\n{_table_text(table)}\n"))
    for level, tag_name in enumerate(_HEADINGS, start=1):
        for heading in root.find_all(tag_name):
            anchor = str(heading.get("id") or "")
            if not anchor and heading.parent is not None:
                anchor = str(heading.parent.get("id") or "")  # Sphinx puts the id on the section
            text = heading.get_text(" ", strip=True).rstrip("¶").strip()
            heading.replace_with(soup.new_string(f"\n{_MARK}{level}|{anchor}|{text}{_MARK}\n"))
    text = root.get_text("\n")

    title = ""
    stack: list[str] = []
    sections: list[Section] = []
    current_anchor: str | None = None
    for i, part in enumerate(text.split(_MARK)):
        if i % 2 == 1:  # a heading marker
            level_s, anchor_s, heading_text = part.split("|", 2)
            level = int(level_s)
            if level == 1 and not title:
                title = heading_text
            del stack[level - 1 :]
            stack.extend([""] * (level - 1 - len(stack)))
            stack.append(heading_text)
            current_anchor = anchor_s or current_anchor
            continue
        body = re.sub(r"\n\s*\n+", "\n", part).strip()
        body = re.sub(r"[ \t]+", " ", body)
        if body:
            path_ = stack[1:] if title and stack and stack[0] == title else stack
            sections.append(Section(body, heading=_heading_path(path_), anchor=current_anchor))
    title = title or page_title or path.stem
    return LoadedDocument(title, sections)


# --- PDF ---------------------------------------------------------------------------------


def iter_pdf_pages(path: Path) -> Iterator[tuple[int, str]]:
    """Yield (page number, text) one page at a time, so big PDFs never sit in memory whole."""
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
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
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
    title = str(meta_title).strip() if meta_title else path.stem.replace("-", " ")
    return LoadedDocument(title, sections)


# --- DOCX --------------------------------------------------------------------------------


def load_docx(path: Path) -> LoadedDocument:
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"is not a readable Word document ({exc})") from exc
    title = (document.core_properties.title or "").strip()
    stack: list[str] = []
    sections: list[Section] = []
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip()
        if body:
            sections.append(Section(body, heading=_heading_path(stack)))
        lines.clear()

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = []
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                rows.append(" | ".join(cells))
            lines.append("\n".join(rows))
            continue
        assert isinstance(block, Paragraph)
        style = block.style.name if block.style is not None else ""
        text = block.text.strip()
        if style == "Title" and text:
            title = title or text
        elif style.startswith("Heading") and text:
            flush()
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
            del stack[level - 1 :]
            stack.extend([""] * (level - 1 - len(stack)))
            stack.append(text)
        elif text:
            lines.append(text)
    flush()
    return LoadedDocument(title or path.stem.replace("-", " "), sections)


LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load(path: Path) -> LoadedDocument:
    """Load any supported file; raise LoadError with a reason for anything that can't be read."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(f"has an unsupported file type {path.suffix!r}")
    return loader(path)
