"""The LLM port and its adapters: llama.cpp in process, or an Ollama server."""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

Message = dict[str, str]

# The chat markup of the common model families (ChatML, Llama 3, Phi: <|…|>; Llama 2 and Mistral:
# [INST], <<SYS>>; Gemma: <start_of_turn>; thinking and tool tags), as a message's text may write
# it. The Ollama server reads the whole prompt with special tokens on (ollama/ollama#15931).
_CHAT_MARKUP = re.compile(
    r"<\|[^\s<>|]{1,40}\|>|\[/?INST\]|<</?SYS>>|</?(?:start_of_turn|end_of_turn|bos|eos|s|think"
    r"|tool_call|tool_response)>|\[/?(?:AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|SYSTEM_PROMPT)\]"
)
_JOINER = "\u2060"  # WORD JOINER: invisible, and no special token holds it


def as_words(messages: list[Message]) -> list[Message]:
    """The messages with any chat markup their text writes broken by an invisible joiner, so a
    server that reads special tokens in them (Ollama) reads words, not a turn of the chat."""
    return [
        {**m, "content": _CHAT_MARKUP.sub(lambda t: t[0][0] + _JOINER + t[0][1:], m["content"])}
        for m in messages
    ]


class BackendUnavailable(RuntimeError):
    """The LLM backend cannot be reached or failed; the message says what to do."""


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


class ChatLLM(Protocol):
    """What the engine needs from a chat model."""

    name: str

    @property
    def context_window(self) -> int:
        """Tokens the model reads at most: prompt and answer together."""
        ...

    def count_tokens(self, messages: list[Message]) -> int:
        """Tokens the formatted prompt of these messages takes (upper bound where not exact)."""
        ...

    def openings(self, messages: list[Message], n: int) -> list[tuple[str, float]]:
        """The ``n`` likeliest first tokens of the reply, with their probabilities, likeliest
        first; empty when the backend cannot tell."""
        ...

    def stream_chat(
        self, messages: list[Message], max_tokens: int, usage: Usage, prefix: str = ""
    ) -> Generator[str, None, None]:
        """Yield the answer's text as it is generated; fill ``usage`` when done. A ``prefix`` is
        the reply's opening, chosen by the caller: it is yielded first and the model continues it.
        Closed before its end, it stops the model.
        """
        ...

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> str:
        """One reply constrained to JSON matching ``schema`` (decoding is greedy)."""
        ...


class LlamaCppLLM:
    """A GGUF model run in process by llama.cpp with the model's own chat template.

    One instance serves every session: generation is serialised by a lock, so callers
    must run ``stream_chat`` off the event loop (in a thread).
    """

    def __init__(
        self,
        model_path: Path,
        context_window: int,
        threads: int,
        temperature: float,
        *,
        seed: int,
    ) -> None:
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.name = model_path.name
        self._temperature = temperature
        # Given with every call: left out, llama-cpp-python draws each call's seed from the last
        # one's, so an answer would depend on every call made before it in the process.
        self._seed = seed
        self._lock = threading.Lock()
        self._llm = Llama(
            model_path=str(model_path),
            n_ctx=context_window,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
        )
        # Never more than the model was trained on (the GGUF says), whatever n_ctx was asked.
        self.context_window = min(self._llm.n_ctx(), self._llm._model.n_ctx_train())
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise BackendUnavailable(f"{model_path} has no chat template in its GGUF metadata.")
        # What llama.cpp's cache holds, as `_read` left it: the system message read alone, and
        # the last prompt read but its last token.
        self._head: list[int] = []
        self._body: list[int] = []
        self._eos = self._llm._model.token_get_text(self._llm.token_eos())
        bos = self._llm._model.token_get_text(self._llm.token_bos())
        self._formatter = Jinja2ChatFormatter(template=template, eos_token=self._eos, bos_token=bos)

    def _prompt(self, messages: list[Message]) -> list[int]:
        """The tokens of the messages in the model's chat template, ready for the reply.

        Only the template's own markup is read as special tokens. What the messages say (a
        passage, a question) is read as text: a document that writes ``<|im_end|><|im_start|>
        system`` gets those words, not a turn of its own in the chat."""
        slots = [f"\x00{i}\x00" for i in range(len(messages))]
        held: Any = [{**m, "content": slot} for m, slot in zip(messages, slots, strict=True)]
        shell = self._formatter(messages=held).prompt
        if any(shell.count(slot) != 1 for slot in slots):  # a template that rewrites the text
            prompt = self._formatter(messages=messages).prompt  # type: ignore[arg-type]
            return self._tokens(prompt, special=True)
        tokens: list[int] = []
        for slot, message in zip(slots, messages, strict=True):
            markup, _, shell = shell.partition(slot)
            tokens += self._tokens(markup, special=True)
            tokens += self._tokens(str(message["content"]), special=False)
        return tokens + self._tokens(shell, special=True)

    def _tokens(self, text: str, special: bool) -> list[int]:
        if not text:
            return []
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def count_tokens(self, messages: list[Message]) -> int:
        return len(self._prompt(messages))

    def _read(self, messages: list[Message], tokens: list[int]) -> None:
        """Leave llama.cpp's cache holding the prompt ``tokens`` but the last, read the same way
        whatever was read before: the system message alone from the start, the rest in one go.

        llama.cpp's figures for a token shift a little with the batch it was read in, so reusing
        whatever prefix the last prompt happened to share would make an answer depend on the
        question asked before it. Only this prompt itself, or its system message, is reused.
        """
        llm = self._llm
        body = tokens[:-1]
        if body == self._body:
            llm.n_tokens = len(body)
            return
        head: list[int] = []
        if messages and messages[0]["role"] == "system":
            head = body[: llm.longest_token_prefix(self._prompt(messages[:1]), body)]
        if not head or head != self._head:
            self._head = []  # until it is read
            llm.n_tokens = 0
            llm.eval(head)
            self._head = head
        self._body = []  # until it is read
        llm.n_tokens = len(head)
        llm.eval(body[len(head) :])
        self._body = body

    def openings(self, messages: list[Message], n: int) -> list[tuple[str, float]]:
        import llama_cpp
        import numpy as np

        tokens = self._prompt(messages)
        with self._lock:
            # The last token is read alone, as generating the reply reads it next (the rest of
            # the prompt stays cached for that).
            self._read(messages, tokens)
            self._llm.eval(tokens[-1:])
            logits = np.ctypeslib.as_array(
                llama_cpp.llama_get_logits_ith(self._llm.ctx, -1), shape=(self._llm.n_vocab(),)
            ).astype(np.float64)
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        found = []
        for token in np.argsort(-probs)[:n]:
            try:  # a token holding part of a character is no opening to offer
                text = self._llm.detokenize([int(token)]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            found.append((text, float(probs[token])))
        return found

    def stream_chat(
        self, messages: list[Message], max_tokens: int, usage: Usage, prefix: str = ""
    ) -> Generator[str, None, None]:
        tokens = self._prompt(messages)
        usage.prompt_tokens = len(tokens)
        opening = []
        if prefix:
            opening = self._llm.tokenize(prefix.encode("utf-8"), add_bos=False, special=False)
            usage.completion_tokens += 1
            yield prefix
        with self._lock:
            # llama-cpp-python keeps what its cache shares with the prompt and reads the rest:
            # here the prompt's last token and the opening.
            self._read(messages, tokens)
            stream: Any = self._llm.create_completion(
                prompt=tokens + opening,
                max_tokens=max_tokens,
                temperature=self._temperature,
                seed=self._seed,
                stop=[self._eos],
                stream=True,
            )
            for chunk in stream:
                delta = chunk["choices"][0]["text"]
                if delta:
                    usage.completion_tokens += 1
                    yield delta

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> str:
        with self._lock:
            self._head, self._body = [], []  # it reads the cache its own way
            # llama-cpp-python reads this prompt with special tokens on, as Ollama does.
            result: Any = self._llm.create_chat_completion(
                messages=as_words(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=0.0,
                response_format={"type": "json_object", "schema": schema},
            )
        return str(result["choices"][0]["message"]["content"] or "")


class OllamaLLM:
    """A model served by Ollama, through the official client, with an explicit ``num_ctx``."""

    def __init__(
        self,
        model: str,
        host: str,
        timeout: float,
        context_window: int,
        temperature: float,
        *,
        seed: int,
    ) -> None:
        import ollama

        self.name = model
        self._host = host
        self._client = ollama.Client(host=host, timeout=timeout)
        self._configured_window = context_window
        self._options: dict[str, Any] = {"temperature": temperature, "seed": seed}

    @functools.cached_property
    def context_window(self) -> int:
        """The configured window, or the model's own maximum if that is smaller (asked of the
        server once, at the first question, so a server that is down does not stop start-up).
        Sent as ``num_ctx`` with every request: Ollama never falls back to its default."""
        limit = self.context_limit()
        if limit and limit < self._configured_window:
            log.warning(
                "%s reads at most %d tokens: using that, not the configured %d",
                self.name,
                limit,
                self._configured_window,
            )
            return limit
        return self._configured_window

    def _unavailable(self, exc: Exception) -> BackendUnavailable:
        return BackendUnavailable(
            f"The Ollama server at {self._host} did not answer ({exc}). Start it (`ollama serve`), "
            f"check GROUNDLINE_OLLAMA__HOST, and make sure it has the model {self.name!r} "
            f"(`ollama pull {self.name}`)."
        )

    def context_limit(self) -> int | None:
        """The model's own maximum context length, from Ollama's /api/show."""
        import httpx
        import ollama

        try:
            info = self._client.show(self.name)
        except (httpx.HTTPError, ollama.ResponseError, ConnectionError) as exc:
            raise self._unavailable(exc) from exc
        for key, value in (info.modelinfo or {}).items():
            if key.endswith(".context_length"):
                return int(value)
        return None

    def count_tokens(self, messages: list[Message]) -> int:
        # Ollama has no tokenize endpoint: count conservatively (about 3 characters per token)
        # plus the chat template's few tokens per message.
        return sum(len(m["content"]) // 3 + 8 for m in messages)

    def openings(self, messages: list[Message], n: int) -> list[tuple[str, float]]:
        import httpx
        import ollama

        options = {**self._options, "num_ctx": self.context_window, "num_predict": 1}
        try:
            reply = self._client.chat(
                model=self.name,
                messages=as_words(messages),
                options=options,
                logprobs=True,
                top_logprobs=min(n, 20),  # Ollama's most
            )
        except (httpx.HTTPError, ollama.ResponseError, ConnectionError) as exc:
            raise self._unavailable(exc) from exc
        if not reply.logprobs:  # a server older than logprobs (0.12.11)
            return []
        found = reply.logprobs[0].top_logprobs or []
        return [(t.token, math.exp(t.logprob)) for t in found][:n]

    def stream_chat(
        self, messages: list[Message], max_tokens: int, usage: Usage, prefix: str = ""
    ) -> Generator[str, None, None]:
        import httpx
        import ollama

        options = {**self._options, "num_ctx": self.context_window, "num_predict": max_tokens}
        if prefix:  # a last assistant message is continued, not answered
            messages = [*messages, {"role": "assistant", "content": prefix}]
            yield prefix
        try:
            for chunk in self._client.chat(
                model=self.name, messages=as_words(messages), stream=True, options=options
            ):
                if chunk.message.content:
                    yield chunk.message.content
                if chunk.done:
                    usage.prompt_tokens = chunk.prompt_eval_count or 0
                    usage.completion_tokens = chunk.eval_count or 0
        except (httpx.HTTPError, ollama.ResponseError, ConnectionError) as exc:
            raise self._unavailable(exc) from exc

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> str:
        import httpx
        import ollama

        options = {
            **self._options,
            "num_ctx": self.context_window,
            "num_predict": max_tokens,
            "temperature": 0.0,
        }
        try:
            reply = self._client.chat(
                model=self.name, messages=as_words(messages), format=schema, options=options
            )
        except (httpx.HTTPError, ollama.ResponseError, ConnectionError) as exc:
            raise self._unavailable(exc) from exc
        return reply.message.content or ""
