"""Split loaded documents into chunks that fit the embedder's window, with their metadata."""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Callable

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from ingest.loaders import SECTION_SEP, LoadedDocument, Section
from ingest.loaders.text import FENCE, fence_after

_NAMESPACE = uuid.UUID("5b0f6a52-4c1e-4a8e-9d0b-1f1c0e7d7a11")
# Metadata kept with each chunk; only title and section go into the embedded text.
_EMBEDDED_KEYS = ("title", "section")
_ALL_KEYS = (
    "doc_id",
    "source",
    "title",
    "section",
    "page",
    "anchor",
    "chunk",
    "doc_hash",
    "groups",
)


def chunk_id(doc_id: str, doc_hash: str, index: int) -> str:
    """Deterministic: the same document content always gives the same chunk ids."""
    return str(uuid.uuid5(_NAMESPACE, f"{doc_id}\n{doc_hash}\n{index}"))


def fenced(text: str, chunks: list[str]) -> list[str]:
    """The chunks of ``text`` with each block of code they are cut inside closed at the chunk's
    end and opened again at the next one's start, so that a chunk shown or given to the model
    never turns its prose into code. A chunk is found in the text to tell whether it starts inside
    a block (the splitter's chunks overlap); one that isn't is left as it is."""
    changes: list[int] = []  # where each fence that opens or closes a block begins
    after: list[str | None] = []  # the fence of the block open after it
    fence: str | None = None
    for match in FENCE.finditer(text):
        if (now := fence_after(fence, match.group(0))) != fence:
            changes.append(match.start(1))
            after.append(now)
            fence = now
    out, start = [], 0
    for chunk in chunks:
        at = text.find(chunk, start)
        if at < 0:
            out.append(chunk)
            continue
        start = at + 1
        lines = chunk.split("\n")
        i = bisect.bisect_left(changes, at)
        fence = after[i - 1] if i else None  # the block it starts inside, if any
        if fence and fence_after(fence, lines[0]) is None:  # it starts at the block's end
            lines, fence = lines[1:], None
        opened = fence
        for line in lines:
            fence = fence_after(fence, line)
        out.append("\n".join(([opened] if opened else []) + lines + ([fence] if fence else [])))
    return out


class Chunker:
    """Sections first, then sentences, to at most ``chunk_tokens`` word-pieces with the prefix."""

    def __init__(
        self, count_tokens: Callable[[str], list[int]], chunk_tokens: int, chunk_overlap: int
    ) -> None:
        self._count = count_tokens
        self._chunk_tokens = chunk_tokens
        self._splitter = SentenceSplitter(
            chunk_size=chunk_tokens,
            chunk_overlap=chunk_overlap,
            tokenizer=count_tokens,
            include_prev_next_rel=False,
        )

    def chunk(
        self, document: LoadedDocument, doc_id: str, source: str, doc_hash: str
    ) -> list[TextNode]:
        nodes: list[TextNode] = []
        for section in document.sections:
            prefix = SECTION_SEP.join(p for p in (document.title, section.heading) if p)
            if section.is_table:
                texts = self._split_table(section, prefix)
            else:
                texts = fenced(
                    section.text, self._splitter.split_text_metadata_aware(section.text, prefix)
                )
            for text in texts:
                metadata: dict[str, str | int] = {
                    "doc_id": doc_id,
                    "source": source,
                    "title": document.title,
                }
                if section.heading:
                    metadata["section"] = section.heading
                if section.page is not None:
                    metadata["page"] = section.page
                if section.anchor:
                    metadata["anchor"] = section.anchor
                metadata["chunk"] = len(nodes)
                metadata["doc_hash"] = doc_hash
                node = TextNode(
                    id_=chunk_id(doc_id, doc_hash, len(nodes)),
                    text=text,
                    metadata=metadata,
                    excluded_embed_metadata_keys=[k for k in _ALL_KEYS if k not in _EMBEDDED_KEYS],
                    excluded_llm_metadata_keys=list(_ALL_KEYS),
                    metadata_template="{value}",
                    metadata_separator=SECTION_SEP,
                    text_template="{metadata_str}\n\n{content}",
                )
                node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=doc_id)
                nodes.append(node)
        return nodes

    def _split_table(self, section: Section, prefix: str) -> list[str]:
        """A table whole if it fits; else runs of whole rows, each under the caption and header."""
        budget = self._chunk_tokens - len(self._count(prefix))
        if len(self._count(section.text)) <= budget:
            return [section.text]
        lines = section.text.split("\n")
        head, rows = lines[: section.table_head], lines[section.table_head :]
        head_size = sum(len(self._count(line)) for line in head)
        pieces: list[str] = []
        current: list[str] = []
        size = head_size
        for row in rows:
            row_size = len(self._count(row))
            if current and size + row_size > budget:
                pieces.append("\n".join(head + current))
                current, size = [], head_size
            if head_size + row_size > budget:  # one enormous row: split it like prose
                context = "\n".join([prefix, *head])
                for part in self._splitter.split_text_metadata_aware(row, context):
                    pieces.append("\n".join([*head, part]))
                continue
            current.append(row)
            size += row_size
        if current:
            pieces.append("\n".join(head + current))
        return pieces
