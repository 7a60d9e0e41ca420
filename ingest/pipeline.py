"""Files in, chunks out: hash, load, chunk, embed in batches, upsert, then drop the old chunks."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.schema import BaseNode, MetadataMode, TextNode

from groundline.kb import KnowledgeBase
from ingest.chunking import Chunker
from ingest.loaders import LOADERS, LoadError, load
from ingest.registry import DocumentRecord, now

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset(LOADERS)


@dataclass(frozen=True)
class SourceFile:
    doc_id: str
    path: Path


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": self.failed,
            "skipped": self.skipped,
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
        }


def discover(paths: Iterable[Path], report: IngestReport) -> list[SourceFile]:
    """Files to ingest with their ids: path relative to the directory given, or the file's name."""
    found: list[SourceFile] = []
    for root in paths:
        if root.is_dir():
            candidates = [
                (p.relative_to(root).as_posix(), p)
                for p in sorted(root.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        elif root.is_file():
            candidates = [(root.name, root)]
        else:
            report.failed.append({"path": str(root), "error": "no such file or directory"})
            continue
        for doc_id, path in candidates:
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(SourceFile(doc_id, path))
            else:
                report.skipped.append({"path": str(path), "reason": "unsupported file type"})
    return found


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Pending:
    source: SourceFile
    hash: str
    nodes: list[TextNode]
    previous: DocumentRecord | None


class Ingestor:
    """Brings the knowledge base in line with the files it is given."""

    def __init__(self, kb: KnowledgeBase, chunker: Chunker, batch_chunks: int = 256) -> None:
        self._kb = kb
        self._chunker = chunker
        self._batch_chunks = batch_chunks
        self._max_bytes = int(kb.settings.ingest.max_file_mb * 1024 * 1024)

    def ingest(
        self, paths: Iterable[Path], on_file: Callable[[SourceFile], None] | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files = discover(paths, report)
        pending: list[_Pending] = []
        for source in files:
            if on_file:
                on_file(source)
            item = self._prepare(source, report)
            if item is None:
                continue
            pending.append(item)
            if sum(len(p.nodes) for p in pending) >= self._batch_chunks:
                self._flush(pending, report)
                pending = []
        self._flush(pending, report)
        report.seconds = time.perf_counter() - started
        return report

    def _fail(self, source: SourceFile, error: str, report: IngestReport) -> None:
        """Report a file that can't be ingested; its earlier chunks, if any, stay searchable."""
        log.warning("%s: %s", source.path, error)
        report.failed.append({"path": str(source.path), "error": error})
        previous = self._kb.registry.get(source.doc_id)
        record = previous or DocumentRecord(source.doc_id, str(source.path), "", 0, "failed")
        record.status, record.error = "failed", error
        self._kb.registry.put(record)

    def _prepare(self, source: SourceFile, report: IngestReport) -> _Pending | None:
        try:
            size = source.path.stat().st_size
            if size == 0:
                self._fail(source, "is empty (0 bytes)", report)
                return None
            if size > self._max_bytes:
                limit = self._kb.settings.ingest.max_file_mb
                self._fail(source, f"is larger than the {limit:g} MB limit", report)
                return None
            digest = file_hash(source.path)
            previous = self._kb.registry.get(source.doc_id)
            if previous and previous.hash == digest and previous.status == "ok":
                report.unchanged += 1
                return None
            document = load(source.path)
        except LoadError as exc:
            self._fail(source, f"{source.path.name} {exc}", report)
            return None
        except OSError as exc:
            self._fail(source, f"cannot be read ({exc.strerror or exc})", report)
            return None
        nodes = self._chunker.chunk(document, source.doc_id, str(source.path), digest)
        if not nodes:
            self._fail(source, f"{source.path.name} has no text to index", report)
            return None
        return _Pending(source, digest, nodes, previous)

    def _flush(self, pending: list[_Pending], report: IngestReport) -> None:
        if not pending:
            return
        nodes: list[BaseNode] = [n for p in pending for n in p.nodes]
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        embeddings = self._kb.embedder.get_text_embedding_batch(texts)
        for node, embedding in zip(nodes, embeddings, strict=True):
            node.embedding = embedding
        # New chunks go in before old ones go out: a changed document is never missing.
        self._kb.store.add(nodes)
        report.chunks_embedded += len(nodes)
        for item in pending:
            new_ids = [n.node_id for n in item.nodes]
            self._kb.registry.put(
                DocumentRecord(
                    id=item.source.doc_id,
                    source=str(item.source.path),
                    hash=item.hash,
                    chunks=len(new_ids),
                    status="ok",
                    ingested_at=now(),
                    chunk_ids=new_ids,
                )
            )
            stale = sorted(set(item.previous.chunk_ids) - set(new_ids)) if item.previous else []
            if stale:
                self._kb.store.delete_nodes(stale)
            if item.previous and item.previous.hash:
                report.updated += 1
            else:
                report.added += 1


def remove_document(kb: KnowledgeBase, doc_id: str) -> bool:
    """Delete a document's chunks and its registry entry; False if it is unknown."""
    record = kb.registry.get(doc_id)
    if record is None:
        return False
    if record.chunk_ids and kb.has_collection():
        kb.store.delete_nodes(record.chunk_ids)
    kb.registry.delete(doc_id)
    return True
