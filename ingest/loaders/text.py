"""Markdown, plain text and CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from ingest.loaders.base import LoadedDocument, LoadError, Section, SectionBuilder, title_from_name

_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^[ \t]*(```|~~~)", re.M)  # a line opening or closing a block of code
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
# An HTML comment, which a rendered page never shows, or a code span, which shows it as code.
_COMMENT_OR_CODE = re.compile(r"(`+).*?\1|<!--.*?(?:-->|$)")


def fence_after(fence: str | None, line: str) -> str | None:
    """The fence of the block of code open after ``line`` (None: none is), given the one open
    before it: a block opened by ``` is closed only by ```, one opened by ~~~ only by ~~~."""
    match = FENCE.match(line)
    if match is None:
        return fence
    if fence is None:
        return match.group(1)
    return None if match.group(1) == fence else fence


def decode_text(data: bytes) -> str:
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


def _uncommented(lines: list[str]) -> list[str]:
    """The lines with their HTML comments left out (outside code): text a reader never sees is
    not answered from (it is where an instruction to the bot would be planted)."""
    kept: list[str] = []
    fence: str | None = None
    in_comment = False
    for line in lines:
        if in_comment:
            end = line.find("-->")
            if end < 0:
                kept.append("")
                continue
            line, in_comment = line[end + 3 :], False
        elif (fence := fence_after(fence, line)) is not None or FENCE.match(line):
            kept.append(line)  # code, or the fence that closes it
            continue
        opened = False

        def drop(match: re.Match[str]) -> str:
            nonlocal opened
            if match.group(1) is not None:  # a code span, kept as it is
                return match.group()
            opened = not match.group().endswith("-->")  # closed on a later line
            return ""

        kept.append(_COMMENT_OR_CODE.sub(drop, line))
        in_comment = opened
    return kept


def load_markdown(path: Path) -> LoadedDocument:
    builder = SectionBuilder(h1_is_title=True)
    lines = _uncommented(decode_text(path.read_bytes()).splitlines())
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = fence_after(fence, line)
        in_fence = fence is not None
        heading = None if in_fence else _ATX.match(line)
        if heading:
            builder.heading(len(heading.group(1)), heading.group(2).strip())
        elif not in_fence and _TABLE_ROW.match(line):
            rows = []
            while i < len(lines) and _TABLE_ROW.match(lines[i]):
                if not _TABLE_RULE.match(lines[i]):
                    rows.append(lines[i].strip())
                i += 1
            # A caption is the line right above the table (no blank line between).
            caption = builder.take_last_line()
            builder.table(rows, caption=caption)
            continue
        else:
            builder.add(line)
        i += 1
    return builder.document(title_from_name(path))


def load_text(path: Path) -> LoadedDocument:
    text = decode_text(path.read_bytes()).strip()
    return LoadedDocument(title_from_name(path), [Section(text)] if text else [])


def load_csv(path: Path) -> LoadedDocument:
    """Each row as 'column: value; …' so a row reads on its own; rows are kept whole."""
    text = decode_text(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
        rows = [row_text(header, row) for row in reader]
    except (StopIteration, csv.Error) as exc:
        raise LoadError(f"is not a readable CSV file ({exc})") from exc
    builder = SectionBuilder(h1_is_title=False)
    builder.table(rows, header_rows=0)
    return builder.document(title_from_name(path))


def row_text(header: Sequence[str], row: Sequence[object]) -> str:
    cells = [
        f"{name}: {value}" if name else str(value)
        for name, value in zip(header, row, strict=False)
        if value not in (None, "")
    ]
    return "; ".join(cells)
