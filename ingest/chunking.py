"""Split loaded documents into chunks that fit the embedder's window, with their metadata."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

from ingest.loaders import SECTION_SEP, LoadedDocument

_NAMESPACE = uuid.UUID("5b0f6a52-4c1e-4a8e-9d0b-1f1c0e7d7a11")
# Metadata kept with each chunk; only title and section go into the embedded text.
_EMBEDDED_KEYS = ("title", "section")
_ALL_KEYS = ("doc_id", "source", "title", "section", "page", "anchor", "chunk", "doc_hash")


def chunk_id(doc_id: str, doc_hash: str, index: int) -> str:
    """Deterministic: the same document content always gives the same chunk ids."""
    return str(uuid.uuid5(_NAMESPACE, f"{doc_id}\n{doc_hash}\n{index}"))


class Chunker:
    """Sections first, then sentences, to at most ``chunk_tokens`` word-pieces with the prefix."""

    def __init__(
        self, count_tokens: Callable[[str], list[int]], chunk_tokens: int, chunk_overlap: int
    ) -> None:
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
            for text in self._splitter.split_text_metadata_aware(section.text, prefix):
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
