"""Dense, keyword (BM25-style sparse vectors in Qdrant) or hybrid retrieval of chunks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import BaseNode, NodeWithScore
from llama_index.core.vector_stores.types import (
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)

from groundline.kb import KnowledgeBase

Mode = Literal["dense", "keyword", "hybrid"]


@dataclass
class Hit:
    node: BaseNode
    score: float  # what the ranking used: cosine (dense), BM25 (keyword) or the fused score
    similarity: float | None  # cosine similarity to the question, if the dense search found it


def _pairs(result: VectorStoreQueryResult) -> list[tuple[BaseNode, float]]:
    return list(zip(result.nodes or [], result.similarities or [], strict=True))


def _normalised(scores: dict[str, float]) -> dict[str, float]:
    """Min-max to 0..1, so dense cosines and BM25 sums can be added."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {key: (value - low) / span if span else 1.0 for key, value in scores.items()}


def fuse(
    dense: list[tuple[BaseNode, float]], keyword: list[tuple[BaseNode, float]], alpha: float
) -> list[Hit]:
    """Relative-score fusion: alpha * normalised dense score + (1 - alpha) * normalised keyword
    score; a chunk missing from one list scores 0 there."""
    nodes = {node.node_id: node for node, _ in [*dense, *keyword]}
    cosine = {node.node_id: score for node, score in dense}
    d = _normalised(cosine)
    k = _normalised({node.node_id: score for node, score in keyword})
    fused = {i: alpha * d.get(i, 0.0) + (1 - alpha) * k.get(i, 0.0) for i in nodes}
    ranked = sorted(nodes, key=lambda i: fused[i], reverse=True)
    return [Hit(nodes[i], fused[i], cosine.get(i)) for i in ranked]


def rerank(reranker: BaseNodePostprocessor, query: str, hits: list[Hit]) -> list[Hit]:
    """The hits in the reranker's order, scored by it; their cosine similarity is kept."""
    similarity = {h.node.node_id: h.similarity for h in hits}
    ranked = reranker.postprocess_nodes(
        [NodeWithScore(node=h.node, score=h.score) for h in hits], query_str=query
    )
    return [Hit(r.node, r.score or 0.0, similarity[r.node.node_id]) for r in ranked]


class Retriever:
    """Searches the knowledge base's collection; the dense search always runs, because its
    cosine similarity is the evidence the abstention threshold is calibrated on."""

    def __init__(
        self,
        kb: KnowledgeBase,
        mode: Mode,
        alpha: float,
        candidates: int,
        reranker: BaseNodePostprocessor | None = None,
    ) -> None:
        self._kb = kb
        self._mode = mode
        self._alpha = alpha
        self._candidates = candidates
        self._reranker = reranker

    def search(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` chunks for a query (from ``candidates`` per search), best first."""
        n = max(k, self._candidates)
        embedding = self._kb.embedder.get_query_embedding(query)
        store = self._kb.store
        with self._kb.lock:
            dense = _pairs(
                store.query(VectorStoreQuery(query_embedding=embedding, similarity_top_k=n))
            )
            keyword = []
            if self._mode != "dense":
                sparse = VectorStoreQuery(
                    query_str=query,
                    similarity_top_k=n,
                    sparse_top_k=n,
                    mode=VectorStoreQueryMode.SPARSE,
                )
                keyword = _pairs(store.query(sparse))
        match self._mode:
            case "dense":
                hits = [Hit(node, score, score) for node, score in dense]
            case "keyword":
                cosine = {node.node_id: score for node, score in dense}
                hits = [Hit(node, score, cosine.get(node.node_id)) for node, score in keyword]
            case "hybrid":
                hits = fuse(dense, keyword, self._alpha)
        if self._reranker is not None:
            hits = rerank(self._reranker, query, hits[:n])
        return hits[:k]
