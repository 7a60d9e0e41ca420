"""The registry of ingested documents (SQLite): what is in the knowledge base, and what failed."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT NOT NULL,
    hash TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    chunk_ids TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    ingested_at TEXT,
    PRIMARY KEY (collection, id)
)
"""


@dataclass
class DocumentRecord:
    id: str
    source: str
    hash: str  # hash of the content whose chunks are in the store ("" if none are)
    chunks: int
    status: str  # "ok" or "failed" (the last attempt)
    error: str | None = None
    ingested_at: str | None = None
    chunk_ids: list[str] = field(default_factory=list, repr=False)

    def public(self) -> dict[str, object]:
        """The fields `documents list --json` shows."""
        row = asdict(self)
        del row["chunk_ids"]
        return row


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Registry:
    """Documents of one collection; survives restarts (a file in the data dir)."""

    def __init__(self, path: Path, collection: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._collection = collection

    def get(self, doc_id: str) -> DocumentRecord | None:
        row = self._db.execute(
            "SELECT id, source, hash, chunks, status, error, ingested_at, chunk_ids "
            "FROM documents WHERE collection = ? AND id = ?",
            (self._collection, doc_id),
        ).fetchone()
        return self._record(row) if row else None

    def all(self) -> list[DocumentRecord]:
        rows = self._db.execute(
            "SELECT id, source, hash, chunks, status, error, ingested_at, chunk_ids "
            "FROM documents WHERE collection = ? ORDER BY id",
            (self._collection,),
        ).fetchall()
        return [self._record(r) for r in rows]

    @staticmethod
    def _record(row: tuple[object, ...]) -> DocumentRecord:
        doc_id, source, hash_, chunks, status, error, at, ids = row
        return DocumentRecord(
            id=str(doc_id),
            source=str(source),
            hash=str(hash_),
            chunks=int(chunks),  # type: ignore[call-overload]
            status=str(status),
            error=None if error is None else str(error),
            ingested_at=None if at is None else str(at),
            chunk_ids=json.loads(str(ids)),
        )

    def hashes(self, doc_ids: list[str]) -> dict[str, str]:
        """The indexed content hash of each of these documents that is in the registry."""
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        rows = self._db.execute(
            f"SELECT id, hash FROM documents WHERE collection = ? AND id IN ({marks})",
            (self._collection, *doc_ids),
        ).fetchall()
        return {str(doc_id): str(hash_) for doc_id, hash_ in rows}

    def put(self, record: DocumentRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO documents "
            "(collection, id, source, hash, chunks, chunk_ids, status, error, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._collection,
                record.id,
                record.source,
                record.hash,
                record.chunks,
                json.dumps(record.chunk_ids),
                record.status,
                record.error,
                record.ingested_at,
            ),
        )

    def delete(self, doc_id: str) -> None:
        self._db.execute(
            "DELETE FROM documents WHERE collection = ? AND id = ?", (self._collection, doc_id)
        )

    def close(self) -> None:
        self._db.close()
