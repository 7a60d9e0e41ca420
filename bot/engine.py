"""The RAG engine: question → retrieve → fit the context window → prompt → cited answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
import unicodedata
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from bot.citations import CitationFilter, cited_numbers, strip_markers
from bot.grounding import (
    code_citations,
    content_words,
    fence_code,
    ground,
    has_every_word,
    recite,
    repeating,
    unfenced,
    unframed,
    unrepeated,
    with_code,
    words,
)
from bot.language import NAMES, WRITTEN, conversation_language
from bot.llm import ChatLLM, Message, Usage
from bot.retrieval import Hit, Retriever
from bot.smalltalk import Kind, recognise
from bot.spelling import correct
from groundline.kb import KnowledgeBase
from groundline.prompts import render
from groundline.wiring import build_reranker, known_words

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # earlier messages kept in the prompt
CONTEXT_QUESTIONS = 2  # the user's earlier questions a follow-up is searched with
OPENINGS = 20  # first tokens weighed for the model's "I don't know"
SPELLING_PASSAGES = 20  # passages searched whose words may correct a typo in the question
_HOLD_CHARS = 24
_DONT_KNOW_PHRASES = (
    "i don't know",
    "i dont know",
    "i do not know",
    "i'm not sure",
    "i am not sure",
)
# "No, I don't know.": made to open with "No", the model may still not know.
_DONT_KNOW = re.compile(
    r"^[\W\d]*(?:(?:yes|no)\W+)?(" + "|".join(_DONT_KNOW_PHRASES) + r")\b", re.I
)
# Where a reply's last sentence begins: after a sentence's end or a citation, or a line break.
_LAST_SENTENCE = re.compile(r"(?:^|(?<=[.!?\]])[ \t]+|\n\s*)(?=[^\n]*$)")
_ENDS = re.compile(r"[.!?]")
_CLOSING = re.compile(r"(?:" + "|".join(_DONT_KNOW_PHRASES) + r")[\s.!]*", re.I)


# Words a reply may use about itself: "The answer is [4]." says nothing.
_ABOUT_ITSELF = frozenset(["answer", "passage", "passages", "question"])


def says_something(reply: str) -> bool:
    """Whether a reply has a word besides its markers and the words it uses about itself."""
    return bool(set(content_words(strip_markers(reply, " "))) - _ABOUT_ITSELF)


def closing(reply: str) -> int:
    """Where a closing "I don't know" (the small model's habit after an answer), or what may yet
    become one, begins in ``reply``: ``len(reply)`` when its last sentence is something else."""
    start = max(m.end() for m in _LAST_SENTENCE.finditer(reply.rstrip()))
    last = reply[start:].lower()
    if _CLOSING.fullmatch(last) or any(p.startswith(last.rstrip()) for p in _DONT_KNOW_PHRASES):
        return start
    return len(reply)


# What a translation must keep as it is: citation markers, links and e-mail addresses. Links
# and addresses are ASCII, so one written against Chinese or Japanese text ends where it does.
_VERBATIM = re.compile(
    r"\[\d{1,3}\]|https?://[^\s<>\"\u0080-\U0010ffff]*[\w/#=&~%+-]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.ASCII,
)
_DIGITS = re.compile(r"\d+")
ECHO = 0.8  # share of a question's words its "translation" repeats: it was in that language


def keeps(original: str, translation: str) -> bool:
    """Whether a translation keeps the original's markers, links, e-mail addresses and figures.

    Figures are compared by their runs of digits, so a language's own separators are kept too:
    "50,000" may become "50.000" or "50 000", and "12.50" "12,50"; "30" may not become "trente"."""
    original, translation = (unicodedata.normalize("NFKC", t) for t in (original, translation))
    return sorted(_VERBATIM.findall(original)) == sorted(_VERBATIM.findall(translation)) and sorted(
        _DIGITS.findall(original)
    ) == sorted(_DIGITS.findall(translation))


def echoes(question: str, translation: str) -> bool:
    """Whether a "translation" repeats the question's words: it was in that language already.

    Content words are compared where the question has some: a short question that language
    detection misread ("Can I sync invoices with Société Générale?" as French) may come back
    without its small words ("Sync invoices with Société Générale?")."""
    asked = set(content_words(question)) or set(words(question))
    return bool(asked) and len(asked & set(words(translation))) / len(asked) >= ECHO


def opens_dont_know(token: str) -> bool:
    """Whether a reply's first token could begin "I don't know" (or another phrase of it)."""
    start = re.sub(r"^[\W\d]+", "", token).rstrip().lower()  # as _DONT_KNOW skips them
    return bool(start) and any(phrase.startswith(start) for phrase in _DONT_KNOW_PHRASES)


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
    score: float  # the ranking score (cosine, keyword or fused: see bot/retrieval.py)
    similarity: float | None = None  # cosine similarity to the question, where known

    @classmethod
    def from_hit(cls, n: int, hit: Hit) -> Passage:
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
            score=float(hit.score),
            similarity=hit.similarity,
        )


def closest(passages: list[Passage]) -> float | None:
    """The highest cosine similarity among the passages (None: no passage has one)."""
    return max((p.similarity for p in passages if p.similarity is not None), default=None)


def worded(passages: list[Passage], question: str) -> list[Passage]:
    """The passages that hold every word the question asks about, their title and section
    included (see ``has_every_word``)."""
    return [p for p in passages if has_every_word(f"{p.title}\n{p.section}\n{p.text}", question)]


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
    dropped_citations: int = 0  # invalid [n] markers removed from the model's output
    groundedness: float | None = None  # share of sentences the cited passages support
    recited: int = 0  # sentences cited anew: to the passage that supports them, not their own
    # Why it abstained: no passage relevant enough, the model's own "I don't know", the
    # grounding check, or the user asked for a person (the hand-off, nothing searched).
    abstained_by: Literal["threshold", "model", "grounding", "handoff"] | None = None
    draft: str | None = None  # the model's reply the abstention message replaced, if any
    # How likely the model's reply was to open "I don't know" (None: the model wasn't asked).
    dont_know: float | None = None
    # Cosine similarity of the closest passage retrieved: what RETRIEVAL__MIN_SCORE is compared
    # with (None: nothing was retrieved).
    closest: float | None = None
    # The end of ``text`` that names the sentences its passages don't support (too few of them
    # supported, in "flag" mode, or some of them in an answer supported enough to show).
    warning: str = ""
    # A question in another language than the documents' is translated into theirs (``asked``)
    # and answered in it; ``text`` is then translated into the user's ``language`` (a
    # bot.language code), unless the translation lost a marker, figure, link or address.
    asked: str | None = None
    language: str | None = None
    translated_from: str | None = None  # the answer (without its warning) before translation
    # Some passage retrieved holds every word the question asks about: the question is put to
    # the model however far its closest passage (``Engine.relevant``).
    worded: bool = False

    @property
    def flagged(self) -> bool:
        """Shown with a warning: some of its sentences could not be verified."""
        return bool(self.warning)

    def as_json(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "abstained": self.abstained,
            "abstained_by": self.abstained_by,
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
        documents = self._settings.answers.documents_language
        if documents != "off" and documents not in NAMES:
            raise ValueError(
                f"ANSWERS__DOCUMENTS_LANGUAGE={documents!r} is not a language Groundline "
                f"translates: use one of {', '.join(sorted(NAMES))}, or 'off'."
            )
        self._known = known_words(self._settings)
        retrieval = self._settings.retrieval
        self._retriever = Retriever(
            kb, retrieval.mode, retrieval.alpha, retrieval.candidates, build_reranker(kb.settings)
        )

    def retrieve(self, query: str, k: int | None = None) -> list[Passage]:
        """The top-k chunks for a query, best first (empty if the knowledge base is empty)."""
        if not self._kb.has_collection():
            return []
        top_k = k or self._settings.retrieval.top_k
        found = self._search(query, top_k)
        # A typo ("cancle my subscripton") is searched again corrected from the words of the
        # passages found; whichever search comes closer (cosine) wins.
        spelled = correct(query, (p.text for p in found), self._known)
        if spelled == query:
            return found[:top_k]
        again = self._search(spelled, top_k)
        top = self._settings.retrieval.top_k
        if (closest(again[:top]) or 0.0) > (closest(found[:top]) or 0.0):
            log.info("searched as %r", spelled)
            return again[:top_k]
        return found[:top_k]

    def _search(self, query: str, top_k: int) -> list[Passage]:
        """The top chunks of the current version of their documents: at least
        ``SPELLING_PASSAGES``, so that a typo can be corrected from their words."""
        # Fetch extra: chunks of a version the registry no longer (or not yet) names are hidden.
        hits = self._retriever.search(query, max(top_k * 2, SPELLING_PASSAGES))
        current = self._kb.registry.hashes(list({str(h.node.metadata.get("doc_id")) for h in hits}))
        visible = [
            h
            for h in hits
            if current.get(str(h.node.metadata.get("doc_id"))) == h.node.metadata.get("doc_hash")
        ]
        return [Passage.from_hit(i, hit) for i, hit in enumerate(visible, start=1)]

    def relevant(self, passages: list[Passage], question: str) -> list[Passage]:
        """The passages worth giving the model: those close enough to the question (the
        threshold is calibrated on cosine similarity: see `groundline eval`) or, when none is,
        those that hold every word it asks about (``worded``: a short question, "free trial",
        says less to the embedder than a sentence does); none when there are neither."""
        floor = self._settings.retrieval.min_score
        best = closest(passages)
        if best is None or best < floor:
            kept = worded(passages, question)
        else:
            kept = [p for p in passages if p.similarity is None or p.similarity >= floor]
        # Numbered as the prompt numbers them, so that [n] is passage n everywhere.
        return [replace(p, n=n) for n, p in enumerate(kept, start=1)]

    def standalone(self, question: str, history: list[Message]) -> str:
        """The query to retrieve with: a follow-up ("and how much is it?") is searched together
        with the user's last questions before it, which name what "it" is, even when the one just
        before is a follow-up too ("which formats?"). Measured on eval/conversations*.jsonl (see
        eval/README.md); cheaper than asking the model to rewrite it, which costs a generation.
        """
        previous = [m["content"] for m in history if m["role"] == "user"][-CONTEXT_QUESTIONS:]
        return "\n".join([*previous, question])

    def search(
        self, question: str, history: list[Message], k: int | None = None
    ) -> tuple[list[Passage], bool]:
        """The top-k chunks for a question in a conversation, and whether it follows up on the
        conversation: searched with the user's earlier questions (``standalone``) and, after them,
        alone; whichever search comes closer (cosine) wins. A follow-up ("is there a free trial of
        it?") is closer with them, a new topic after an old one ("how long must a password be?")
        alone, where the old topic's passages don't come first. Measured on
        eval/conversations*.jsonl (see eval/README.md)."""
        context = self.standalone(question, history)
        found = self.retrieve(context, k)
        if context == question:
            return found, False
        alone = self.retrieve(question, k)
        # Judged on the passages an answer is given, so that a longer list (the evaluation's
        # top 10) makes the same choice as the answer did.
        top = self._settings.retrieval.top_k
        if (closest(alone[:top]) or 0.0) > (closest(found[:top]) or 0.0):
            return alone, False
        return found, True

    def translate(self, text: str, language: str) -> str:
        """``text`` translated by the model into ``language`` (a key of bot.language.NAMES)."""
        messages: list[Message] = [
            {"role": "system", "content": render("translator")},
            {"role": "user", "content": render("translate", language=NAMES[language], text=text)},
        ]
        limit = 2 * self._settings.llm.max_answer_tokens
        return "".join(self._llm.stream_chat(messages, limit, Usage())).strip()

    def understand(self, question: str, history: list[Message]) -> tuple[str, str | None]:
        """The question in the documents' language, and the user's language when it was in
        another (None: asked in the documents' language, or it could not be told).

        A message too short to tell ("factura duplicada") is taken to be in the language of the
        user's last earlier message that can be told: the conversation's."""
        documents = self._settings.answers.documents_language
        if documents == "off":
            return question, None
        language = conversation_language(question, history)
        if language is None or NAMES[language] == NAMES[documents]:
            return question, None
        asked = self.translate(question, documents)
        if not content_words(asked) or echoes(question, asked):
            return question, None  # detection was wrong, or the model could not translate it
        log.info("question in %s, asked as %r", NAMES[language], asked)
        return asked, language

    def _messages(
        self, question: str, history: list[Message], passages: list[Passage]
    ) -> list[Message]:
        prompts = self._settings.prompts
        # The model reads code without the lines that fence it (``unfenced``).
        read = [replace(p, text=unfenced(p.text)) for p in passages]
        return [
            {"role": "system", "content": render(prompts.system)},
            *history[-HISTORY_TURNS:],
            {
                "role": "user",
                "content": render(prompts.answer, passages=read, question=question),
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

    def abstain_text(
        self, question: str, passages: list[Passage], language: str | None = None
    ) -> str:
        """The "I don't know" answer, naming the closest topics, in ``language`` (default: the
        documents')."""
        nearest = list(dict.fromkeys(p.title for p in passages[:3]))
        documents = self._settings.answers.documents_language
        return render(
            self._settings.prompts.abstain,
            language=language or ("en" if documents == "off" else documents),
            question=question,
            documents=len(self._kb.registry.all()),
            nearest=nearest,
            handoff=self._settings.handoff,
            webhook=bool(self._settings.handoff_webhook),
        )

    def small_talk(self, kind: Kind, language: str, started: float) -> Iterator[str | Answer]:
        """The reply to a greeting, thanks or an "ok", or the hand-off to a person who was asked
        for: nothing is searched and the model is not called."""
        text = render(
            self._settings.prompts.smalltalk,
            kind=kind,
            language=language,
            handoff=self._settings.handoff,
            webhook=bool(self._settings.handoff_webhook),
        )
        elapsed = (time.perf_counter() - started) * 1000
        yield text
        person = kind == "person"  # an abstention: the bot's app sends it to the webhook
        timings = Timings(first_token_ms=elapsed, total_ms=elapsed)
        yield Answer(text, person, [], [], timings, abstained_by="handoff" if person else None)

    def stream(
        self, question: str, history: list[Message] | None = None
    ) -> Generator[str | Answer, None, None]:
        """Yield the answer's text as it is generated, then the finished Answer.

        A question in another language than the documents' is answered in theirs, searched,
        checked and cited as any other, then the whole answer is translated into the user's and
        shown at once; a translation that loses a marker, figure, link or address is not shown,
        the answer is, in the documents' language."""
        started = time.perf_counter()
        if talk := recognise(question):
            yield from self.small_talk(*talk, started)
            return
        asked, language = self.understand(question, history or [])
        if language is None:
            yield from self._answer(question, history or [], started)
            return
        answer = next(
            a for a in self._answer(asked, history or [], started) if isinstance(a, Answer)
        )
        answer = replace(answer, asked=asked)
        if answer.abstained and language in WRITTEN:
            # Written in the user's language in prompts/: nothing for the model to translate.
            said, warning = answer.text, ""
            text = self.abstain_text(asked, answer.passages, language)
        else:
            said = answer.text.removesuffix(answer.warning)
            translated = self.translate(said, language)
            if not keeps(said, translated):
                log.info(
                    "translation into %s dropped a marker, figure or link: not shown", language
                )
                yield answer.text
                yield answer
                return
            warning = ""
            if answer.warning:
                warning = "\n\n" + self.translate(answer.warning.strip(), language)
            text = translated + warning
        elapsed = (time.perf_counter() - started) * 1000
        yield text
        yield replace(
            answer,
            text=text,
            warning=warning,
            language=language,
            translated_from=said,
            timings=replace(answer.timings, first_token_ms=elapsed, total_ms=elapsed),
        )

    def _answer(
        self, question: str, history: list[Message], started: float
    ) -> Iterator[str | Answer]:
        """``stream`` for a question in the documents' language."""
        timings = Timings()
        retrieved, follows_up = self.search(question, history)
        if not follows_up:
            # A new topic: the bot's answers about the old one are left out of the prompt, where
            # the small model would repeat them; the user's questions stay ("the cheapest one").
            history = [m for m in history if m["role"] == "user"]
        timings.retrieval_ms = (time.perf_counter() - started) * 1000
        relevant = self.relevant(retrieved, question)
        nearest = closest(retrieved)
        spelled_out = bool(worded(retrieved, question))
        if not relevant:
            text = self.abstain_text(question, retrieved)
            timings.total_ms = (time.perf_counter() - started) * 1000
            yield text
            yield Answer(
                text, True, [], retrieved, timings, abstained_by="threshold", closest=nearest
            )
            return

        messages, given = self.fit(question, history, relevant)
        # The model's "I don't know" counts when it is likely, not merely the likeliest opening:
        # a small model often puts it first by a hair over the answer its passages hold.
        openings = self._llm.openings(messages, OPENINGS)
        dont_know = sum(p for token, p in openings if opens_dont_know(token))
        if dont_know >= self._settings.answers.dont_know_probability:
            text = self.abstain_text(question, given)
            timings.first_token_ms = timings.total_ms = (time.perf_counter() - started) * 1000
            yield text
            prompt_tokens = self._llm.count_tokens(messages)
            yield Answer(
                text,
                True,
                [],
                given,
                timings,
                prompt_tokens,
                abstained_by="model",
                dont_know=dont_know,
                closest=nearest,
                worded=spelled_out,
            )
            return
        prefix = next((t for t, _ in openings if t.strip() and not opens_dont_know(t)), "")
        usage = Usage()
        citations = CitationFilter(len(given))
        parts: list[str] = []
        # The opening words are held back until they can't be "I don't know", which is replaced
        # by the abstention message and so must never be shown; so is a closing one, which the
        # small model sometimes adds after its answer, until it can't be one (it is dropped).
        released = False
        sent = 0  # characters of the reply shown
        loop = None  # where the reply began to repeat itself, when it did
        answer_tokens = self._settings.llm.max_answer_tokens
        with contextlib.closing(
            self._llm.stream_chat(messages, answer_tokens, usage, prefix)
        ) as stream:
            for delta in stream:
                if timings.first_token_ms is None:
                    timings.first_token_ms = (time.perf_counter() - started) * 1000
                shown = citations.feed(delta)
                if not shown:
                    continue
                parts.append(shown)
                reply = "".join(parts)
                # A loop shows when a sentence ends.
                if _ENDS.search(shown) and (loop := repeating(reply)) is not None:
                    log.info("the answer repeats itself from %r: stopped", reply[loop:])
                    break
                if not released:
                    if len(reply) < _HOLD_CHARS or _DONT_KNOW.match(reply):
                        continue
                    released = True
                if (upto := closing(reply)) > sent:
                    yield reply[sent:upto]
                    sent = upto
        reply = "".join(parts)[:loop] if loop is not None else "".join(parts) + citations.flush()
        if says_something(reply[: (end := closing(reply))]):
            reply = reply[:end]
        # A sentence said twice is shown once; "The passage [1] states that" is not shown.
        text = unframed(unrepeated(reply.strip()))
        stored = {p.n: p.text for p in given}  # with their code fenced
        text = with_code(fence_code(text, stored), stored)
        cited = [given[n - 1] for n in cited_numbers(text)]  # not those of what was cut
        # No words besides markers, or the model's own "I don't know": nothing to show.
        abstained = not says_something(text) or bool(_DONT_KNOW.match(text))
        abstained_by: Literal["model", "grounding"] | None = "model" if abstained else None
        groundedness, recited = None, 0
        unverified: list[str] = []  # sentences of a shown answer its passages don't support
        if not abstained and self._settings.answers.grounding != "off":
            groundedness, sentences = ground(
                text,
                stored,
                self._kb.embedder.get_text_embedding_batch,
                question,
            )
            recited = sum(1 for s in sentences if s.recited is not None)
            code = code_citations(sentences)
            # A sentence cited the wrong passage or none: cite its support. A line of code is
            # cited by the sentence that introduces it, not in itself, where it would be copied.
            if recited or code:
                text = recite(text, sentences)
                cited = [given[n - 1] for n in dict.fromkeys(cited_numbers(text) + code)]
            if groundedness is not None and groundedness < self._settings.answers.min_groundedness:
                log.info("answer not supported by the passages (%.2f): %r", groundedness, text)
                abstained = self._settings.answers.grounding == "abstain"
                abstained_by = "grounding" if abstained else None
            if not abstained:  # shown: the user is told which sentences weren't verified
                unverified = [s.text for s in sentences if s.supported is False]
        draft = None
        if abstained:
            draft, text = text, self.abstain_text(question, given)
            yield text
        elif remaining := reply[sent:] if released else text:
            yield remaining
        warning = ""
        if unverified:
            warning = "\n\n" + render("unsupported", sentences=unverified)
            text += warning
            yield warning
        timings.total_ms = (time.perf_counter() - started) * 1000
        cited = [] if abstained else cited
        yield Answer(
            text,
            abstained,
            cited,
            given,
            timings,
            usage.prompt_tokens,
            usage.completion_tokens,
            citations.dropped,
            groundedness,
            recited,
            abstained_by,
            draft,
            dont_know,
            nearest,
            warning,
            worded=spelled_out,
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
        """``stream`` for async callers: the work runs in a thread, the event loop stays free.
        Closed or cancelled before the end (the chat's stop button), it stops the model, which
        would otherwise write on while the next question waits for it."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        stop = threading.Event()

        def send(kind: str, value: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the reader's event loop is gone
                loop.call_soon_threadsafe(queue.put_nowait, (kind, value))

        def work() -> None:
            try:
                with contextlib.closing(self.stream(question, history)) as items:
                    for item in items:
                        if stop.is_set():
                            break  # closing the stream closes the model's
                        send("item", item)
            except Exception as exc:
                send("error", exc)
            send("done", None)

        threading.Thread(target=work, name="groundline-answer", daemon=True).start()
        try:
            while True:
                kind, value = await queue.get()
                if kind == "done":
                    return
                if kind == "error":
                    raise value
                yield value
        finally:
            stop.set()
