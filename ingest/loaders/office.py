"""Word (headings and tables kept with their text) and Excel (rows as text)."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.base import (
    LoadedDocument,
    LoadError,
    SectionBuilder,
    check_zip,
    title_from_name,
)
from ingest.loaders.text import row_text


def load_docx(path: Path) -> LoadedDocument:
    import docx
    from docx.table import Table

    check_zip(path)
    try:
        document = docx.Document(str(path))
    except (KeyError, ValueError) as exc:
        raise LoadError(f"is not a readable Word document ({exc})") from exc
    builder = SectionBuilder(h1_is_title=False)
    builder.title = (document.core_properties.title or "").strip()
    caption = ""  # a "Caption" paragraph right above a table belongs to it
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [" | ".join(c.text.strip() for c in row.cells) for row in block.rows]
            builder.table(rows, caption=caption)
            caption = ""
            continue
        style = block.style.name if block.style is not None else ""
        text = block.text.strip()
        if caption:
            builder.add(caption)
            caption = ""
        if not text:
            continue
        if style == "Title":
            builder.title = builder.title or text
        elif style.startswith("Heading"):
            last = style.split()[-1]
            builder.heading(int(last) if last.isdigit() else 1, text)
        elif style == "Caption":
            caption = text
        else:
            builder.add(text)
    if caption:
        builder.add(caption)
    return builder.document(title_from_name(path))


def load_xlsx(path: Path) -> LoadedDocument:
    """Each sheet a section; each row as 'column: value; …' under the sheet's header row."""
    import openpyxl

    check_zip(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (KeyError, ValueError, OSError) as exc:
        raise LoadError(f"is not a readable Excel workbook ({exc})") from exc
    builder = SectionBuilder(h1_is_title=False)
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(c) if c is not None else "" for c in next(rows, ())]
            builder.heading(1, sheet.title)
            builder.table([row_text(header, list(r)) for r in rows], header_rows=0)
    finally:
        workbook.close()
    return builder.document(title_from_name(path))
