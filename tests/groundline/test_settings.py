from pathlib import Path

import pytest

from groundline.settings import Settings


def test_defaults_are_the_embedded_offline_backends() -> None:
    s = Settings()
    assert s.qdrant.url == ""
    assert s.llm.backend == "llamacpp"
    assert s.llm.model == "qwen2.5-coder-1.5b"
    assert s.collection == "docs"
    assert s.qdrant_path == Path("data/qdrant")
    assert s.model_cache == Path("data/models")


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDLINE_DATA_DIR", "/srv/gl")
    monkeypatch.setenv("GROUNDLINE_QDRANT__URL", "http://qdrant:6333")
    monkeypatch.setenv("GROUNDLINE_LLM__BACKEND", "ollama")
    monkeypatch.setenv("GROUNDLINE_LLM__MODEL", "qwen2.5-coder:1.5b")
    monkeypatch.setenv("GROUNDLINE_OLLAMA__HOST", "http://ollama:11434")
    monkeypatch.setenv("GROUNDLINE_COLLECTION", "support")
    s = Settings()
    assert s.data_dir == Path("/srv/gl")
    assert s.qdrant.url == "http://qdrant:6333"
    assert s.llm.backend == "ollama"
    assert s.llm.model == "qwen2.5-coder:1.5b"
    assert s.ollama.host == "http://ollama:11434"
    assert s.collection == "support"
    assert s.registry_path == Path("/srv/gl/registry.sqlite3")


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("GROUNDLINE_COLLECTION=from-dotenv\n")
    assert Settings().collection == "from-dotenv"


def test_invalid_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDLINE_LLM__BACKEND", "openai")
    with pytest.raises(ValueError, match="backend"):
        Settings()


def test_chunk_size_cannot_exceed_the_embedder_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GROUNDLINE_INGEST__CHUNK_TOKENS", "300")
    with pytest.raises(ValueError, match="chunk_tokens"):
        Settings()
