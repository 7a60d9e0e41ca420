"""Shared fixtures: real components (Qdrant local mode in a temp dir, the shipped models)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from groundline.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from bot.llm import LlamaCppLLM
    from groundline.kb import KnowledgeBase

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "examples" / "help-centre"
TEST_LLM = "qwen2.5-coder-0.5b"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's GROUNDLINE_* variables or .env file."""
    for name in list(os.environ):
        if name.startswith("GROUNDLINE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for the whole run, so the GGUF is assembled and verified once."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def settings(tmp_path: Path, model_dir: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        model_dir=model_dir,
        llm={"model": TEST_LLM},  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def embedder() -> BaseEmbedding:
    from groundline.wiring import build_embedder

    return build_embedder(Settings())


@pytest.fixture
def kb(settings: Settings, embedder: BaseEmbedding) -> Iterator[KnowledgeBase]:
    """A fresh knowledge base in a temp dir, sharing the session's loaded embedding model."""
    from groundline.kb import KnowledgeBase
    from groundline.wiring import build_client

    base = KnowledgeBase(settings, build_client(settings), embedder)
    yield base
    base.close()


@pytest.fixture(scope="session")
def llm(model_dir: Path) -> LlamaCppLLM:
    """The real small LLM, loaded once per run."""
    from bot.llm import LlamaCppLLM
    from groundline.models import locate_llm

    return LlamaCppLLM(locate_llm(TEST_LLM, model_dir), 4096, os.cpu_count() or 1, 0.0, seed=0)
