"""Dense, keyword and hybrid retrieval: the fusion rule, and each mode on the real collection."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.schema import MetadataMode, TextNode

from bot.retrieval import Retriever, fuse
from groundline.kb import KnowledgeBase
from groundline.models import ModelError, locate_embedding
from groundline.settings import Settings
from groundline.wiring import build_reranker
from ingest.cli import build_ingestor
from tests.conftest import SAMPLES


def _node(i: str) -> TextNode:
    return TextNode(id_=i, text=i)


def test_relative_score_fusion() -> None:
    a, b, c = _node("a"), _node("b"), _node("c")
    dense = [(a, 0.8), (b, 0.6), (c, 0.4)]  # normalised: a 1, b 0.5, c 0
    keyword = [(c, 9.0), (b, 3.0)]  # normalised: c 1, b 0
    hits = fuse(dense, keyword, alpha=0.5)
    # a: 0.5*1 + 0 = 0.5; b: 0.5*0.5 + 0 = 0.25; c: 0 + 0.5*1 = 0.5 (a first: stable order).
    assert [h.node.node_id for h in hits] == ["a", "c", "b"]
    assert [h.score for h in hits] == pytest.approx([0.5, 0.5, 0.25])
    assert [h.similarity for h in hits] == [0.8, 0.4, 0.6]  # the dense cosine is kept
    only_keyword = fuse([], [(c, 2.0)], alpha=0.5)
    assert only_keyword[0].similarity is None


@pytest.mark.slow
def test_each_mode_finds_what_it_is_good_at(kb: KnowledgeBase) -> None:
    assert not build_ingestor(kb).ingest([SAMPLES]).failed
    exact = "receipts@in.tallybook.example"

    def top(mode: str, query: str) -> str:
        hits = Retriever(kb, mode, 0.5, 20).search(query, 3)  # type: ignore[arg-type]
        assert all(h.similarity is not None for h in hits if mode == "dense")
        return str(hits[0].node.metadata["doc_id"])

    # A rare literal string: keyword search finds it.
    assert top("keyword", exact) == "user-guide.pdf"
    # A paraphrase sharing few words with the text: the embeddings find it.
    assert top("dense", "money back after paying for the subscription") == "billing-and-refunds.md"
    assert top("hybrid", "money back after paying for the subscription") == "billing-and-refunds.md"
    assert top("hybrid", f"where do I send {exact} mail") == "user-guide.pdf"


@pytest.mark.slow
def test_reranker_setting_orders_candidates_by_the_cross_encoder(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    """None ships offline, so the test makes one: the embedder's transformer with a new (random,
    then saved) scoring head. The ranking must be exactly the cross-encoder's own."""
    from sentence_transformers import CrossEncoder

    model_dir = tmp_path / "cross-encoder"
    CrossEncoder(str(locate_embedding(kb.settings.embedding.model)), num_labels=1).save(
        str(model_dir)
    )
    kb.settings.retrieval.reranker = str(model_dir)
    reranker = build_reranker(kb.settings)
    assert reranker is not None
    assert not build_ingestor(kb).ingest([SAMPLES]).failed
    query = "How long do I have to ask for a refund?"
    candidates = Retriever(kb, "hybrid", 0.5, 20).search(query, 20)
    hits = Retriever(kb, "hybrid", 0.5, 20, reranker).search(query, 5)
    scores = CrossEncoder(str(model_dir)).predict(
        [(query, h.node.get_content(metadata_mode=MetadataMode.EMBED)) for h in candidates]
    )
    ranked = sorted(zip(scores, candidates, strict=True), key=lambda pair: -pair[0])
    expected = [h.node.node_id for _, h in ranked]
    assert [h.node.node_id for h in hits] == expected[:5]
    assert [h.score for h in hits] == pytest.approx(sorted(scores, reverse=True)[:5], abs=1e-5)
    # The abstention evidence (cosine; None for a keyword-only match) is kept.
    similarity = {h.node.node_id: h.similarity for h in candidates}
    for hit in hits:
        expected_similarity = similarity[hit.node.node_id]
        if expected_similarity is None:
            assert hit.similarity is None
        else:
            assert hit.similarity == pytest.approx(expected_similarity, abs=1e-5)


def test_reranker_that_is_not_a_model_directory_is_a_clear_error(settings: Settings) -> None:
    settings.retrieval.reranker = "/nonexistent/cross-encoder"
    with pytest.raises(ModelError, match="not a sentence-transformers cross-encoder"):
        build_reranker(settings)
    settings.retrieval.reranker = ""
    assert build_reranker(settings) is None
