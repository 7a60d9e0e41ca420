"""HTML: the main content only, with its headings, anchors and tables."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

from ingest.loaders.base import LoadedDocument, SectionBuilder
from ingest.loaders.text import decode_text

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template"]
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MARK = "\x00"  # brackets the heading and table markers put into the text
# Elements a browser lays out on lines of their own; everything else (code, links, emphasis)
# flows inside a line.
_BLOCKS = [
    "address", "article", "blockquote", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "hr", "li", "main", "ol", "p", "pre", "section",
    "summary", "ul",
]  # fmt: skip
_BREAK = "\x01"  # a line break the page shows
_SPACE = "\x02"  # a space a <pre> keeps
_FENCE = f"{_BREAK}```{_BREAK}"  # the lines before and after a <pre>
# An inline style that keeps an element off the page: text a reader never sees is not answered
# from (it is where an instruction to the bot would be planted).
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0*)?%?"
    r"|font-size\s*:\s*0(?:\.0*)?(?:px|pt|em|rem|%)?)\s*(?:!important\s*)?(?:;|$)",
    re.I,
)


def _hidden(tag: Any) -> bool:
    """Whether the page never shows ``tag``: the ``hidden`` attribute, or an inline style that
    takes it off the page, or makes it transparent or of no size."""
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


def _table_rows(table: Any) -> tuple[str, list[str], int]:
    caption_tag = table.find("caption")
    caption = caption_tag.get_text(" ", strip=True) if caption_tag else ""
    rows, header_rows = [], 0
    for tr in table.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        if any(cells):
            rows.append(" | ".join(cells))
            if not tr.find("td") and len(rows) == header_rows + 1:
                header_rows += 1
    return caption, rows, header_rows


def _mark_breaks(root: Any) -> None:
    """Mark where the page breaks lines at <br> and inside <pre>, whose spaces are kept too
    (``_text`` marks those around blocks). Other whitespace in HTML source is one space."""
    from bs4.element import NavigableString

    for pre in root.find_all("pre"):
        for string in pre.find_all(string=True):
            if type(string) is NavigableString:  # not a comment
                kept = string.replace("\n", _BREAK).replace(" ", _SPACE).replace("\t", _SPACE)
                string.replace_with(NavigableString(kept))
    for br in root.find_all("br"):
        br.replace_with(NavigableString(_BREAK))


def _text(root: Any) -> str:
    """The text under ``root`` (comments left out), a break before and after each block, and a
    Markdown fence before and after each <pre>. Walked
    with a stack: inserting the breaks into the tree costs bs4 a walk down each block's last
    descendants, which took minutes on a page 50,000 elements deep."""
    from bs4.element import CData, NavigableString, Tag

    parts: list[str] = []
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name == "pre":  # fenced as Markdown fences code: the chat shows it as code
                parts.append(_FENCE)
                stack.append(_FENCE)  # a plain str: the block's end
            elif node.name in _BLOCKS:
                parts.append(_BREAK)
                stack.append(_BREAK)
            stack.extend(reversed(node.contents))
        elif type(node) in (str, NavigableString, CData):
            parts.append(node)
    return "".join(parts)


def _lines(text: str) -> str:
    """Marked text as the page shows it: one line per line of the page, no blank ones."""
    # Stripped before a <pre>'s spaces come back, so its indentation stays; a line of them only
    # is blank all the same.
    lines = (line.strip().replace(_SPACE, " ") for line in re.sub(r"\s+", " ", text).split(_BREAK))
    return "\n".join(line for line in lines if line.strip())


def load_html(path: Path) -> LoadedDocument:
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML pages are HTML to us
        soup = BeautifulSoup(decode_text(path.read_bytes()), "lxml")
    page_title = " ".join(soup.title.get_text(" ").split()) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_hidden):
        if not tag.decomposed:  # not inside a hidden element already dropped
            tag.decompose()
    root = soup.find("main") or soup.find(role="main") or soup.find("article") or soup.body or soup
    tables = []
    for table in root.find_all("table"):
        if table.find_parent("table") is None:
            tables.append(_table_rows(table))
            table.replace_with(soup.new_string(f"\n{_MARK}T|{len(tables) - 1}{_MARK}\n"))
    for level, tag_name in enumerate(_HEADINGS, start=1):
        for heading in root.find_all(tag_name):
            anchor = str(heading.get("id") or "")
            if not anchor and heading.parent is not None:
                anchor = str(heading.parent.get("id") or "")  # Sphinx puts the id on the section
            text = " ".join(heading.get_text(" ").split()).rstrip("¶").strip()
            heading.replace_with(soup.new_string(f"\n{_MARK}H|{level}|{anchor}|{text}{_MARK}\n"))
    _mark_breaks(root)

    builder = SectionBuilder(h1_is_title=True, title_hint=page_title)
    for i, part in enumerate(_text(root).split(_MARK)):
        if i % 2 == 1:  # a marker
            kind, _, rest = part.partition("|")
            if kind == "T":
                caption, rows, header_rows = tables[int(rest)]
                builder.table(rows, caption=caption, header_rows=header_rows)
            else:
                level_s, anchor_s, heading_s = rest.split("|", 2)
                builder.heading(int(level_s), heading_s, anchor_s or None)
            continue
        if body := _lines(part):
            builder.add(body)
    return builder.document(page_title or path.stem)
