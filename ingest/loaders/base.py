"""What loaders produce, and the bookkeeping of headings they share."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SECTION_SEP = " › "
# An Office file whose parts unpack to more than this, or compress better than the ratio, is
# treated as a zip bomb.
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


class LoadError(Exception):
    """A file could not be read; the message says why, in words a user understands."""


@dataclass
class Section:
    text: str
    heading: str = ""  # heading path, e.g. "Billing › Refunds", or "Page 3"
    page: int | None = None
    anchor: str | None = None
    # A table is chunked whole where it fits; when it must be split, its first `table_head`
    # lines (caption, header row) are repeated in every piece.
    is_table: bool = False
    table_head: int = 0


@dataclass
class LoadedDocument:
    title: str
    sections: list[Section]
    # Instructions planted for the model, taken out of the sections (ingest/loaders/planted.py).
    withheld: list[str] = field(default_factory=list)


def title_from_name(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ")


class SectionBuilder:
    """Collects text under the current heading path; a new heading or a table closes a section."""

    def __init__(self, h1_is_title: bool, title_hint: str = "") -> None:
        self.title = ""
        self.title_hint = title_hint  # e.g. HTML <title>: a heading that repeats it is the title
        self.sections: list[Section] = []
        self._h1_is_title = h1_is_title
        self._stack: list[str] = []
        self._lines: list[str] = []
        self._anchor: str | None = None

    @property
    def path(self) -> str:
        return SECTION_SEP.join(h for h in self._stack if h)

    def heading(self, level: int, text: str, anchor: str | None = None) -> None:
        self.flush()
        self._anchor = anchor or self._anchor
        if not self.title and (
            (self._h1_is_title and level == 1) or (text and text == self.title_hint)
        ):
            self.title = text
            return
        if text == self.title and not self._stack:
            return  # a first section named like the document adds nothing to the path
        depth = max(level - (2 if self._h1_is_title else 1), 0)
        del self._stack[depth:]
        self._stack.extend([""] * (depth - len(self._stack)))
        self._stack.append(text)

    def add(self, text: str) -> None:
        self._lines.append(text)

    def take_last_line(self) -> str:
        """Remove and return the line just added (a table's caption), if it is not blank."""
        if self._lines and self._lines[-1].strip():
            return self._lines.pop().strip()
        return ""

    def table(self, rows: list[str], caption: str = "", header_rows: int = 1) -> None:
        rows = [r for r in rows if r.strip()]
        if not rows:
            return
        self.flush()
        head = ([caption] if caption else []) + rows[: min(header_rows, len(rows))]
        text = "\n".join(([caption] if caption else []) + rows)
        self.sections.append(
            Section(text, self.path, anchor=self._anchor, is_table=True, table_head=len(head))
        )

    def flush(self) -> None:
        body = "\n".join(self._lines).strip()
        if body:
            self.sections.append(Section(body, heading=self.path, anchor=self._anchor))
        self._lines.clear()

    def document(self, fallback_title: str) -> LoadedDocument:
        self.flush()
        return LoadedDocument(self.title or fallback_title, self.sections)


def check_zip(path: Path) -> None:
    """Refuse Office files that are not zips, or that would unpack to something enormous."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"is not a readable Office document ({exc})") from exc
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_COMPRESSION_RATIO:
        raise LoadError(
            f"unpacks to {unpacked / 1e6:,.0f} MB from {packed / 1e6:,.1f} MB: "
            "refused as a likely zip bomb"
        )
