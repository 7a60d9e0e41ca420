"""The RAG engine: question → retrieve → fit the context window → prompt → cited answer."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from llama_index.core import VectorStoreIndex
from llama_index.core.schema import NodeWithScore

from bot.citations import CitationFilter
from bot.llm import ChatLLM, Message, Usage
from groundline.kb import KnowledgeBase
from groundline.prompts import render

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # earlier messages kept in the prompt
_HOLD_CHARS = 24
_DONT_KNOW = re.compile(r"^[\W\d]*(i don'?t know|i do not know|i'm not sure|i am not sure)\b", re.I)


@dataclass
class Passage:
    """A retrieved chunk, numbered as the model sees it."""

    n: int
    node_id: str
    doc_id: str
    source: str
    title: str
    section: str
    page: int | None
    anchor: str | None
    text: str
    score: float

    @classmethod
    def from_node(cls, n: int, hit: NodeWithScore) -> Passage:
        meta = hit.node.metadata
        return cls(
            n=n,
            node_id=hit.node.node_id,
            doc_id=str(meta.get("doc_id", "")),
            source=str(meta.get("source", "")),
            title=str(meta.get("title", "")),
            section=str(meta.get("section", "")),
            page=meta.get("page"),
            anchor=meta.get("anchor"),
            text=hit.node.get_content(),
            score=float(hit.score or 0.0),
        )


@dataclass
class Timings:
    retrieval_ms: float = 0.0
    first_token_ms: float | None = None
    total_ms: float = 0.0


@dataclass
class Answer:
    text: str
    abstained: bool
    citations: list[Passage]
    passages: list[Passage] = field(repr=False)
    timings: Timings
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "citations": [
                {
                    "n": p.n,
                    "source": p.source,
                    "title": p.title,
                    "section": p.section,
                    "page": p.page,
                    "text": p.text,
                    "score": round(p.score, 4),
                }
                for p in self.citations
            ],
            "timings": {
                k: None if v is None else round(v, 1) for k, v in asdict(self.timings).items()
            },
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }


class Engine:
    """Answers questions from the knowledge base. Safe to share: one LLM, generation serialised."""

    def __init__(self, kb: KnowledgeBase, llm: ChatLLM) -> None:
        self._kb = kb
        self._llm = llm
        self._settings = kb.settings
        self._index = VectorStoreIndex.from_vector_store(kb.store, embed_model=kb.embedder)

    def retrieve(self, query: str) -> list[Passage]:
        """The top-k chunks for a query, best first (empty if the knowledge base is empty)."""
        if not self._kb.has_collection():
            return []
        top_k = self._settings.retrieval.top_k
        # Fetch extra: chunks of a version the registry no longer (or not yet) names are hidden.
        retriever = self._index.as_retriever(similarity_top_k=top_k * 2)
        with self._kb.lock:
            hits = retriever.retrieve(query)
        current = self._kb.registry.hashes(list({str(h.node.metadata.get("doc_id")) for h in hits}))
        visible = [
            h
            for h in hits
            if current.get(str(h.node.metadata.get("doc_id"))) == h.node.metadata.get("doc_hash")
        ]
        return [Passage.from_node(i, hit) for i, hit in enumerate(visible[:top_k], start=1)]

    def _messages(
        self, question: str, history: list[Message], passages: list[Passage]
    ) -> list[Message]:
        prompts = self._settings.prompts
        return [
            {"role": "system", "content": render(prompts.system)},
            *history[-HISTORY_TURNS:],
            {
                "role": "user",
                "content": render(prompts.answer, passages=passages, question=question),
            },
        ]

    def fit(
        self, question: str, history: list[Message], passages: list[Passage]
    ) -> tuple[list[Message], list[Passage]]:
        """The most passages (best first) whose prompt leaves room for the answer in the window."""
        budget = self._llm.context_window - self._settings.llm.max_answer_tokens
        for keep in range(len(passages), 0, -1):
            messages = self._messages(question, history, passages[:keep])
            if self._llm.count_tokens(messages) <= budget:
                return messages, passages[:keep]
        if history:  # even one passage does not fit: drop the history before giving up
            return self.fit(question, [], passages)
        raise ValueError(
            f"The question is too long for the model's {self._llm.context_window}-token window."
        )

    def abstain_text(self, question: str, passages: list[Passage]) -> str:
        nearest = list(dict.fromkeys(p.title for p in passages[:3]))
        return render(
            self._settings.prompts.abstain,
            question=question,
            documents=len(self._kb.registry.all()),
            nearest=nearest,
            handoff=self._settings.handoff,
        )

    def stream(self, question: str, history: list[Message] | None = None) -> Iterator[str | Answer]:
        """Yield the answer's text as it is generated, then the finished Answer."""
        history = history or []
        started = time.perf_counter()
        timings = Timings()
        retrieved = self.retrieve(question)
        timings.retrieval_ms = (time.perf_counter() - started) * 1000
        relevant = [p for p in retrieved if p.score >= self._settings.retrieval.min_score]
        if not relevant:
            text = self.abstain_text(question, retrieved)
            timings.total_ms = (time.perf_counter() - started) * 1000
            yield text
            yield Answer(text, True, [], retrieved, timings)
            return

        messages, given = self.fit(question, history, relevant)
        usage = Usage()
        citations = CitationFilter(len(given))
        parts: list[str] = []
        # The opening words are held back until they can't be "I don't know", which is replaced
        # by the abstention message and so must never be shown.
        released = False
        for delta in self._llm.stream_chat(messages, self._settings.llm.max_answer_tokens, usage):
            if timings.first_token_ms is None:
                timings.first_token_ms = (time.perf_counter() - started) * 1000
            shown = citations.feed(delta)
            if not shown:
                continue
            parts.append(shown)
            if released:
                yield shown
                continue
            opening = "".join(parts)
            if len(opening) >= _HOLD_CHARS and not _DONT_KNOW.match(opening):
                released = True
                yield opening
        tail = citations.flush()
        parts.append(tail)
        text = "".join(parts).strip()
        abstained = not text or bool(_DONT_KNOW.match(text))
        if abstained:
            text = self.abstain_text(question, given)
            yield text
        elif remaining := tail if released else "".join(parts):
            yield remaining
        timings.total_ms = (time.perf_counter() - started) * 1000
        cited = [] if abstained else [given[n - 1] for n in citations.cited]
        yield Answer(
            text, abstained, cited, given, timings, usage.prompt_tokens, usage.completion_tokens
        )

    def ask(self, question: str, history: list[Message] | None = None) -> Answer:
        """The whole answer at once."""
        for item in self.stream(question, history):
            if isinstance(item, Answer):
                return item
        raise RuntimeError("the engine ended without an answer")

    async def astream(
        self, question: str, history: list[Message] | None = None
    ) -> AsyncIterator[str | Answer]:
        """``stream`` for async callers: the work runs in a thread, the event loop stays free."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def work() -> None:
            try:
                for item in self.stream(question, history):
                    loop.call_soon_threadsafe(queue.put_nowait, ("item", item))
            except Exception as exc:
                loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))
            loop.call_soon_threadsafe(queue.put_nowait, ("done", None))

        threading.Thread(target=work, name="groundline-answer", daemon=True).start()
        while True:
            kind, value = await queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
