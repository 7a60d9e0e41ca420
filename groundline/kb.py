"""The knowledge-base connection: the vector store, the embedder and the document registry."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from groundline.settings import Settings
from groundline.wiring import build_client, build_embedder, build_vector_store
from ingest.registry import Registry

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.vector_stores.qdrant import QdrantVectorStore
    from qdrant_client import QdrantClient


class KnowledgeBase:
    """One collection: its vector store, its registry, and the embedder (loaded when first used)."""

    def __init__(
        self, settings: Settings, client: QdrantClient, embedder: BaseEmbedding | None = None
    ) -> None:
        self.settings = settings
        self.client = client
        self.store: QdrantVectorStore = build_vector_store(settings, client)
        self.registry = Registry(settings.registry_path, settings.collection)
        # Embedded Qdrant is not safe for concurrent writes and reads: hold this around them.
        self.lock = threading.RLock()
        if embedder is not None:
            self.__dict__["embedder"] = embedder

    @classmethod
    def open(cls, settings: Settings) -> KnowledgeBase:
        """Open the store; fails fast with a clear message if another process holds it."""
        return cls(settings, build_client(settings))

    @cached_property
    def embedder(self) -> BaseEmbedding:
        return build_embedder(self.settings)

    def has_collection(self) -> bool:
        return bool(self.client.collection_exists(self.settings.collection))

    def count(self) -> int:
        if not self.has_collection():
            return 0
        return int(self.client.count(self.settings.collection, exact=True).count)

    def point_ids(self) -> set[str]:
        """Ids of every chunk in the collection."""
        ids: set[str] = set()
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.settings.collection,
                limit=2048,
                offset=offset,
                with_payload=False,
                with_vectors=False,
            )
            ids.update(str(p.id) for p in points)
            if offset is None:
                return ids

    def close(self) -> None:
        self.registry.close()
        self.client.close()
