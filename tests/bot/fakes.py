"""Stand-ins: a deterministic chat model for unit tests of the logic around the LLM port, a help
desk's hand-off webhook, and an Ollama server."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from bot.llm import Message, Usage


class ScriptedLLM:
    """Streams a fixed reply word by word, ``pace`` seconds apart (``given`` counts the words
    streamed); counts one token per 4 characters. Its openings are the reply's first word,
    certain, unless ``openings`` gives them."""

    name = "scripted"

    def __init__(
        self,
        reply: str,
        context_window: int = 4096,
        openings: list[tuple[str, float]] | None = None,
        pace: float = 0.0,
    ) -> None:
        self.reply = reply
        self.pace = pace
        self.given = 0
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
    ) -> Generator[str, None, None]:
        """The reply, continuing ``prefix`` where the reply starts with it."""
        self.calls.append(messages)
        self.prefixes.append(prefix)
        usage.prompt_tokens = self.count_tokens(messages)
        reply = self.reply.removeprefix(prefix) if prefix else self.reply
        if prefix:
            yield prefix
        for word in reply.split(" "):
            time.sleep(self.pace)
            usage.completion_tokens += 1
            self.given += 1
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
    ) -> Generator[str, None, None]:
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
def _listening(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local server of ``handler`` on a free port, in a thread: its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def running_desk() -> Iterator[str]:
    """A stand-in desk listening on a free local port, emptied and answering 200: its URL."""
    Desk.received, Desk.status = [], 200
    with _listening(Desk) as url:
        yield f"{url}/hook"


REPLY = ["The refund ", "window is ", "30 days ", "[1]."]
OPENINGS = [("The", 0.6), ("I", 0.3), ("You", 0.1)]


class OllamaStandIn(BaseHTTPRequestHandler):
    """An Ollama server: /api/show, the first token's logprobs (``OPENINGS``), a JSON reply, and
    ``reply`` streamed as NDJSON, ``pace`` seconds between pieces. Keeps the requests it gets."""

    requests: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    reply: ClassVar[list[str]] = REPLY
    delay = 0.0  # before any response
    pace = 0.0
    logprobs = True  # False: a server older than Ollama 0.12.11, which has none

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        OllamaStandIn.requests.append((self.path, body))
        time.sleep(OllamaStandIn.delay)
        if self.path == "/api/show":
            self._json({"model_info": {"qwen2.context_length": 32768}, "details": {}})
        elif self.path == "/api/chat" and body.get("logprobs"):
            top = [{"token": t, "logprob": math.log(p)} for t, p in OPENINGS]
            reply = {
                "model": body["model"],
                "message": {"role": "assistant", "content": OPENINGS[0][0]},
                "done": True,
            }
            if OllamaStandIn.logprobs:
                reply["logprobs"] = [{**top[0], "top_logprobs": top[: body["top_logprobs"]]}]
            self._json(reply)
        elif self.path == "/api/chat" and body.get("stream") is False:
            content = json.dumps({"faithfulness": 5, "correctness": 4})
            self._json(
                {
                    "model": body["model"],
                    "message": {"role": "assistant", "content": content},
                    "done": True,
                }
            )
        elif self.path == "/api/chat":
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for piece in OllamaStandIn.reply:
                time.sleep(OllamaStandIn.pace)
                self._line(
                    {
                        "model": body["model"],
                        "message": {"role": "assistant", "content": piece},
                        "done": False,
                    }
                )
            self._line(
                {
                    "model": body["model"],
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": "stop",
                    "prompt_eval_count": 321,
                    "eval_count": len(OllamaStandIn.reply),
                }
            )
        else:
            self._json({"error": "not found"}, status=404)

    def _line(self, obj: dict[str, Any]) -> None:
        self.wfile.write(json.dumps(obj).encode() + b"\n")
        self.wfile.flush()

    def _json(self, obj: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def running_ollama(reply: list[str] = REPLY, pace: float = 0.0) -> Iterator[str]:
    """A stand-in Ollama server on a free local port, streaming ``reply``: its URL."""
    OllamaStandIn.requests, OllamaStandIn.reply = [], reply
    OllamaStandIn.delay, OllamaStandIn.pace, OllamaStandIn.logprobs = 0.0, pace, True
    with _listening(OllamaStandIn) as url:
        yield url
