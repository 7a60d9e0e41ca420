"""Word (headings and tables kept with their text) and Excel (rows as text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.loaders.base import (
    LoadedDocument,
    LoadError,
    SectionBuilder,
    check_zip,
    title_from_name,
)
from ingest.loaders.text import row_text


def _shown(paragraph: Any) -> str:
    """A paragraph's text as Word shows it: runs formatted as hidden text are left out (text a
    reader never sees is not answered from; it is where an instruction to the bot would be
    planted)."""
    from docx.text.hyperlink import Hyperlink

    runs = [
        run
        for item in paragraph.iter_inner_content()
        for run in (item.runs if isinstance(item, Hyperlink) else [item])
    ]

    def hidden(run: Any) -> bool:
        styles = (style for style in (run.style, paragraph.style) if style is not None)
        for font in (run.font, *(style.font for style in styles)):
            if font.hidden is not None:
                return bool(font.hidden)
        return False

    if not any(hidden(run) for run in runs):
        return str(paragraph.text)  # as before: also what sits outside runs (fields, edits)
    return "".join(run.text for run in runs if not hidden(run))


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
            rows = [
                " | ".join("\n".join(map(_shown, c.paragraphs)).strip() for c in row.cells)
                for row in block.rows
            ]
            builder.table(rows, caption=caption)
            caption = ""
            continue
        style = block.style.name if block.style is not None else ""
        text = _shown(block).strip()
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
