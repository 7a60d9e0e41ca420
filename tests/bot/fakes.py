"""A deterministic chat model for unit tests of the logic around the LLM port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.llm import Message, Usage


class ScriptedLLM:
    """Streams a fixed reply word by word; counts one token per 4 characters."""

    name = "scripted"

    def __init__(self, reply: str, context_window: int = 4096) -> None:
        self.reply = reply
        self.context_window = context_window
        self.calls: list[list[Message]] = []

    def count_tokens(self, messages: list[Message]) -> int:
        return sum(len(m["content"]) // 4 + 4 for m in messages)

    def stream_chat(self, messages: list[Message], max_tokens: int, usage: Usage) -> Iterator[str]:
        self.calls.append(messages)
        usage.prompt_tokens = self.count_tokens(messages)
        for word in self.reply.split(" "):
            usage.completion_tokens += 1
            yield word + " "

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> str:
        self.calls.append(messages)
        return self.reply
