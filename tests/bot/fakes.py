"""Stand-ins: a deterministic chat model for unit tests of the logic around the LLM port, and a
help desk's hand-off webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from bot.llm import Message, Usage


class ScriptedLLM:
    """Streams a fixed reply word by word; counts one token per 4 characters. Its openings are
    the reply's first word, certain, unless ``openings`` gives them."""

    name = "scripted"

    def __init__(
        self,
        reply: str,
        context_window: int = 4096,
        openings: list[tuple[str, float]] | None = None,
    ) -> None:
        self.reply = reply
        self.context_window = context_window
        self._openings = openings
        self.calls: list[list[Message]] = []
        self.prefixes: list[str] = []

    def count_tokens(self, messages: list[Message]) -> int:
        return sum(len(m["content"]) // 4 + 4 for m in messages)

    def openings(self, messages: list[Message], n: int) -> list[tuple[str, float]]:
        if self._openings is not None:
            return self._openings[:n]
        return [(self.reply.split(" ")[0], 1.0)]

    def stream_chat(
        self, messages: list[Message], max_tokens: int, usage: Usage, prefix: str = ""
    ) -> Iterator[str]:
        """The reply, continuing ``prefix`` where the reply starts with it."""
        self.calls.append(messages)
        self.prefixes.append(prefix)
        usage.prompt_tokens = self.count_tokens(messages)
        reply = self.reply.removeprefix(prefix) if prefix else self.reply
        if prefix:
            yield prefix
        for word in reply.split(" "):
            usage.completion_tokens += 1
            yield word + " "

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> str:
        self.calls.append(messages)
        return self.reply


class TranslatingLLM(ScriptedLLM):
    """A ScriptedLLM that answers a request to translate into a language with that language's
    entry of ``translations``, and anything else with ``reply``."""

    def __init__(self, reply: str, translations: dict[str, str]) -> None:
        super().__init__(reply)
        self.translations = translations

    def stream_chat(
        self, messages: list[Message], max_tokens: int, usage: Usage, prefix: str = ""
    ) -> Iterator[str]:
        request = messages[-1]["content"]
        for language, translation in self.translations.items():
            if request.startswith(f"Translate into {language}."):
                self.calls.append(messages)
                yield translation
                return
        yield from super().stream_chat(messages, max_tokens, usage, prefix)


class Desk(BaseHTTPRequestHandler):
    """A help desk's webhook: keeps what it receives, answers with ``status``."""

    received: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        Desk.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(Desk.status)
        self.end_headers()


@contextmanager
def running_desk() -> Iterator[str]:
    """A stand-in desk listening on a free local port, emptied and answering 200: its URL."""
    Desk.received, Desk.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Desk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
