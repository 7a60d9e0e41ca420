"""Build the ports (embedder, vector store, LLM) from settings: the one place that picks them."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from groundline import sparse
from groundline.models import ModelError, locate_embedding, locate_llm
from groundline.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding
    from llama_index.core.postprocessor import SentenceTransformerRerank
    from llama_index.vector_stores.qdrant import QdrantVectorStore
    from qdrant_client import QdrantClient
    from transformers import PreTrainedTokenizerBase

    from bot.llm import ChatLLM

log = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The vector store cannot be opened or reached; the message says what to do."""


def build_embedder(settings: Settings) -> BaseEmbedding:
    """The sentence-transformers embedder, loaded from disk with the hub switched off."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    path = locate_embedding(settings.embedding.model)
    return HuggingFaceEmbedding(
        model_name=str(path),
        embed_batch_size=settings.embedding.batch_size,
        max_length=256,
        device="cpu",
        cache_folder=str(settings.model_cache),
    )


def build_reranker(settings: Settings) -> SentenceTransformerRerank | None:
    """The optional cross-encoder reranker, from a directory on disk; None when not set."""
    if not settings.retrieval.reranker:
        return None
    path = Path(settings.retrieval.reranker).expanduser()
    if not (path / "config.json").is_file():
        raise ModelError(
            f"GROUNDLINE_RETRIEVAL__RERANKER={settings.retrieval.reranker!r} is not a "
            "sentence-transformers cross-encoder directory (no config.json there). Set it to "
            "one on disk, or leave it empty to turn reranking off."
        )
    os.environ["HF_HUB_OFFLINE"] = "1"
    from llama_index.core.postprocessor import SentenceTransformerRerank

    log.info("Reranker: cross-encoder %s", path)
    top_n = max(settings.retrieval.candidates, 2 * settings.retrieval.top_k)
    return SentenceTransformerRerank(top_n=top_n, model=str(path), device="cpu")


def build_tokenizer(settings: Settings) -> PreTrainedTokenizerBase:
    """The embedder's own word-piece tokenizer, used to size chunks to its window."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(locate_embedding(settings.embedding.model)))


def known_words(settings: Settings) -> frozenset[str]:
    """The whole words of the embedder tokenizer's vocabulary (30,522 entries for MiniLM): the
    dictionary a question's words are checked against before one is taken for a typo."""
    return _whole_words(settings.embedding.model)


@functools.cache
def _whole_words(model: str) -> frozenset[str]:
    vocabulary = build_tokenizer(Settings(embedding={"model": model})).get_vocab()  # type: ignore[arg-type]
    return frozenset(w for w in vocabulary if w.isalpha())


def build_client(settings: Settings) -> QdrantClient:
    """A Qdrant client: embedded local mode on disk, or a server when a URL is set."""
    from qdrant_client import QdrantClient

    if settings.qdrant.url:
        return QdrantClient(
            url=settings.qdrant.url,
            api_key=settings.qdrant.api_key or None,
            timeout=int(settings.qdrant.timeout),
        )
    settings.qdrant_path.mkdir(parents=True, exist_ok=True)
    try:
        return QdrantClient(path=str(settings.qdrant_path))
    except RuntimeError as exc:
        if "already accessed" not in str(exc):
            raise
        raise StoreUnavailable(
            f"The knowledge base at {settings.qdrant_path} is open in another Groundline process "
            "(embedded Qdrant allows one). Stop that process, or send work to its HTTP API."
        ) from exc


def build_vector_store(settings: Settings, client: QdrantClient) -> QdrantVectorStore:
    """The collection as a llama-index vector store: dense vectors plus BM25-style sparse ones."""
    from llama_index.vector_stores.qdrant import QdrantVectorStore
    from qdrant_client.http import models as rest

    return QdrantVectorStore(
        collection_name=settings.collection,
        client=client,
        enable_hybrid=True,
        sparse_doc_fn=sparse.encode_documents,
        sparse_query_fn=sparse.encode_queries,
        sparse_config=rest.SparseVectorParams(modifier=rest.Modifier.IDF),
        batch_size=256,
        # Payload indexes only exist on a Qdrant server (local mode warns and ignores them).
        index_doc_id=bool(settings.qdrant.url),
    )


def build_llm(settings: Settings) -> ChatLLM:
    """The chat model: llama.cpp in process (default) or an Ollama server."""
    from bot.llm import LlamaCppLLM, OllamaLLM

    match settings.llm.backend:
        case "llamacpp":
            return LlamaCppLLM(
                locate_llm(settings.llm.model, settings.model_cache),
                context_window=settings.llm.context_window,
                threads=settings.llm.threads,
                temperature=settings.llm.temperature,
                seed=settings.llm.seed,
            )
        case "ollama":
            log.info("LLM: %s on Ollama at %s", settings.llm.model, settings.ollama.host)
            return OllamaLLM(
                settings.llm.model,
                host=settings.ollama.host,
                timeout=settings.ollama.timeout,
                context_window=settings.llm.context_window,
                temperature=settings.llm.temperature,
                seed=settings.llm.seed,
            )
