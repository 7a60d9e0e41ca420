"""Files in, chunks out: diff against the registry, read, chunk, embed in batches, swap atomically.

Why not llama-index's IngestionPipeline with a docstore: on a changed document it deletes the old
chunks from the vector store *before* inserting the new ones (a moment with neither), it must
parse every file to learn whether it changed, and its docstore and vector store are written
separately, so a kill between them leaves duplicates or orphans. Here a file's bytes decide
whether it changed, chunk ids are deterministic, the registry (one SQLite row per document) is
the single switch between old and new chunks, and every run first removes what a killed run
left behind.
"""

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
from ingest.loaders import LOADERS, LoadedDocument, LoadError, revision
from ingest.parsing import ParserPool
from ingest.registry import DocumentRecord, now

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = frozenset(LOADERS)


@dataclass(frozen=True)
class SourceFile:
    doc_id: str
    path: Path
    groups: tuple[str, ...] = ()  # labels stored with each chunk (payload "groups")


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    # Instructions planted for the model (ingest/loaders/planted.py), left out of what is indexed.
    withheld: list[dict[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    changes: dict[str, list[str]] = field(
        default_factory=lambda: {"added": [], "updated": [], "deleted": []}
    )

    def as_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "failed": self.failed,
            "skipped": self.skipped,
            "withheld": self.withheld,
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
            "dry_run": self.dry_run,
            "changes": self.changes,
        }


def discover(paths: Iterable[Path], report: IngestReport) -> list[SourceFile]:
    """Files to ingest with their ids: path relative to the directory given, or the file's name.

    A file reached by more than one path (a symlink to it: Debian's ``index.html`` links to
    ``index.en.html``) is ingested once, under its own path when it is among them, else under
    the first link's, so that its passages are not retrieved twice."""
    candidates: list[tuple[str, Path]] = []
    for root in paths:
        if root.is_dir():
            candidates += [
                (p.relative_to(root).as_posix(), p)
                for p in sorted(root.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
        elif root.is_file():
            candidates.append((root.name, root))
        else:
            report.failed.append({"path": str(root), "error": "no such file or directory"})
    supported: list[tuple[str, Path, Path]] = []  # id, path, the file it reaches
    for doc_id, path in candidates:
        if path.suffix.lower() in SUPPORTED_SUFFIXES:
            supported.append((doc_id, path, path.resolve()))
        else:
            report.skipped.append({"path": str(path), "reason": "unsupported file type"})
    first: dict[Path, str] = {}
    for doc_id, _, target in sorted(supported, key=lambda c: (c[1].is_symlink(), c[0])):
        first.setdefault(target, doc_id)
    found: list[SourceFile] = []
    for doc_id, path, target in supported:
        if (same := first[target]) != doc_id:
            report.skipped.append({"path": str(path), "reason": f"the same file as {same}"})
        else:
            found.append(SourceFile(doc_id, path))
    return found


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def content_hash(source: SourceFile) -> str:
    """The version of a document: its bytes, its groups, and how its loader reads it. The
    bytes' hash alone while neither of the others is set, as in the first release."""
    digest = file_hash(source.path)
    extra = [f"read {read}"] if (read := revision(source.path)) > 1 else []
    if extra or source.groups:
        extra.append(",".join(source.groups))
        digest = hashlib.sha256("|".join([digest, *extra]).encode()).hexdigest()
    return digest


@dataclass
class _Change:
    source: SourceFile
    hash: str
    previous: DocumentRecord | None
    nodes: list[TextNode] = field(default_factory=list)


class Ingestor:
    """Brings the knowledge base in line with the files it is given."""

    def __init__(self, kb: KnowledgeBase, chunker: Chunker) -> None:
        self._kb = kb
        self._chunker = chunker
        self._limits = kb.settings.ingest

    def ingest(
        self,
        paths: Iterable[Path],
        sync: bool = False,
        dry_run: bool = False,
        on_file: Callable[[SourceFile], None] | None = None,
    ) -> IngestReport:
        """Add new and changed files; with ``sync``, also delete documents not among them."""
        report = IngestReport(dry_run=dry_run)
        files = discover(paths, report)
        return self.ingest_files(files, report, sync, dry_run, on_file)

    def ingest_files(
        self,
        files: list[SourceFile],
        report: IngestReport | None = None,
        sync: bool = False,
        dry_run: bool = False,
        on_file: Callable[[SourceFile], None] | None = None,
    ) -> IngestReport:
        """``ingest`` for files whose ids the caller chose (uploads)."""
        started = time.perf_counter()
        report = report or IngestReport(dry_run=dry_run)
        if not dry_run:
            self.reconcile()
        changes = self._plan(files, report, on_file)
        stale = self._stale(files) if sync else []
        report.changes["deleted"] = [r.id for r in stale]
        if dry_run:
            report.added = len(report.changes["added"])
            report.updated = len(report.changes["updated"])
            report.deleted = len(stale)
        else:
            self._apply(changes, report)
            for record in stale:
                remove_document(self._kb, record.id)
                report.deleted += 1
        report.seconds = time.perf_counter() - started
        return report

    def _plan(
        self,
        files: list[SourceFile],
        report: IngestReport,
        on_file: Callable[[SourceFile], None] | None,
    ) -> list[_Change]:
        """Which files are new or changed (by their bytes' hash); too-big and empty ones fail."""
        changes = []
        max_bytes = self._limits.max_file_mb * 1024 * 1024
        for source in files:
            if on_file:
                on_file(source)
            try:
                size = source.path.stat().st_size
                previous = self._kb.registry.get(source.doc_id)
                digest = content_hash(source) if 0 < size <= max_bytes else ""
                if size == 0:
                    self._fail(source, "is empty (0 bytes)", report)
                elif size > max_bytes:
                    limit = self._limits.max_file_mb
                    self._fail(source, f"is larger than the {limit:g} MB limit", report)
                elif previous and previous.hash == digest:
                    report.unchanged += 1
                    if previous.status != "ok" and not report.dry_run:
                        previous.status, previous.error = "ok", None
                        self._kb.registry.put(previous)
                else:
                    kind = "updated" if previous and previous.hash else "added"
                    report.changes[kind].append(source.doc_id)
                    changes.append(_Change(source, digest, previous))
            except OSError as exc:
                self._fail(source, f"cannot be read ({exc.strerror or exc})", report)
        return changes

    def _stale(self, files: list[SourceFile]) -> list[DocumentRecord]:
        present = {f.doc_id for f in files}
        return [r for r in self._kb.registry.all() if r.id not in present]

    def _apply(self, changes: list[_Change], report: IngestReport) -> None:
        report.changes["added"].clear()
        report.changes["updated"].clear()
        pool = ParserPool(self._limits.parse_timeout, self._limits.parse_memory_mb)
        batch: list[_Change] = []
        try:
            for change, loaded in pool.parse((c, c.source.path) for c in changes):
                if not self._chunk(change, loaded, report):
                    continue
                batch.append(change)
                if sum(len(c.nodes) for c in batch) >= self._limits.batch_chunks:
                    self._commit(batch, report)
                    batch = []
            self._commit(batch, report)
        finally:
            pool.close()

    def _chunk(
        self, change: _Change, loaded: LoadedDocument | LoadError, report: IngestReport
    ) -> bool:
        source = change.source
        if isinstance(loaded, LoadError):
            self._fail(source, f"{source.path.name} {loaded}", report)
            return False
        change.nodes = self._chunker.chunk(loaded, source.doc_id, str(source.path), change.hash)
        for text in loaded.withheld:
            log.warning("%s: withheld from the model: %s", source.path, text)
            report.withheld.append({"path": str(source.path), "text": text})
        for node in change.nodes:
            if source.groups:
                node.metadata["groups"] = list(source.groups)
        if not change.nodes:
            self._fail(source, f"{source.path.name} has no text to index", report)
            return False
        return True

    def _commit(self, batch: list[_Change], report: IngestReport) -> None:
        """Embed and store the batch's chunks, then switch each document over to them."""
        if not batch:
            return
        nodes: list[BaseNode] = [n for c in batch for n in c.nodes]
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        # Similar lengths side by side: the model pads each batch to its longest text.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        embeddings = self._kb.embedder.get_text_embedding_batch([texts[i] for i in order])
        for i, embedding in zip(order, embeddings, strict=True):
            nodes[i].embedding = embedding
        with self._kb.lock:
            self._kb.store.add(nodes)  # new chunks in, invisible until the registry names them
        report.chunks_embedded += len(nodes)
        for change in batch:
            new_ids = [n.node_id for n in change.nodes]
            # This one SQLite write is the switch: the engine only shows chunks of the hash the
            # registry holds, so users see the old version or the new one, never both or neither.
            self._kb.registry.put(
                DocumentRecord(
                    id=change.source.doc_id,
                    source=str(change.source.path),
                    hash=change.hash,
                    chunks=len(new_ids),
                    status="ok",
                    ingested_at=now(),
                    chunk_ids=new_ids,
                )
            )
            previous = change.previous
            stale = sorted(set(previous.chunk_ids) - set(new_ids)) if previous else []
            if stale:
                with self._kb.lock:
                    self._kb.store.delete_nodes(stale)
            kind = "updated" if previous and previous.hash else "added"
            report.changes[kind].append(change.source.doc_id)
            setattr(report, kind, getattr(report, kind) + 1)

    def _fail(self, source: SourceFile, error: str, report: IngestReport) -> None:
        """Report a file that can't be ingested; its earlier chunks, if any, stay searchable."""
        log.warning("%s: %s", source.path, error)
        report.failed.append({"path": str(source.path), "error": error})
        if report.dry_run:
            return
        previous = self._kb.registry.get(source.doc_id)
        record = previous or DocumentRecord(source.doc_id, str(source.path), "", 0, "failed")
        record.status, record.error = "failed", error
        self._kb.registry.put(record)

    def reconcile(self) -> int:
        """Undo what an interrupted run left: delete chunks no registry entry names, and mark
        documents whose chunks are missing for re-ingestion. Returns the chunks deleted."""
        if not self._kb.has_collection():
            return 0
        with self._kb.lock:
            stored = self._kb.point_ids()
        records = self._kb.registry.all()
        named = {i for r in records for i in r.chunk_ids}
        orphans = sorted(stored - named)
        if orphans:
            log.info("Removing %d chunks left by an interrupted ingest", len(orphans))
            with self._kb.lock:
                self._kb.store.delete_nodes(orphans)
        for record in records:
            if record.hash and not set(record.chunk_ids) <= stored:
                record.hash, record.status = "", "failed"
                record.error = "chunks missing from the vector store: will be re-ingested"
                self._kb.registry.put(record)
        return len(orphans)


def remove_document(kb: KnowledgeBase, doc_id: str) -> bool:
    """Delete a document's chunks and its registry entry; False if it is unknown."""
    record = kb.registry.get(doc_id)
    if record is None:
        return False
    kb.registry.delete(doc_id)  # invisible at once; its chunks go next
    if record.chunk_ids and kb.has_collection():
        with kb.lock:
            kb.store.delete_nodes(record.chunk_ids)
    return True
