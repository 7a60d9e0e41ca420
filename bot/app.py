"""The Chainlit chat app: handlers only; the engine is built once when the app starts."""

from __future__ import annotations

import logging
from functools import cache

import chainlit as cl
from chainlit.element import Element

from bot.engine import Answer, Engine, Passage
from bot.llm import BackendUnavailable, Message
from groundline.console import setup_logging
from groundline.kb import KnowledgeBase
from groundline.settings import Settings
from groundline.wiring import StoreUnavailable, build_llm

log = logging.getLogger(__name__)


@cache
def engine() -> Engine:
    """The one engine of this process (one model in memory, shared by every chat)."""
    settings = Settings()
    kb = KnowledgeBase.open(settings)
    return Engine(kb, build_llm(settings))


@cl.on_app_startup
async def start() -> None:
    setup_logging()
    await cl.make_async(engine)()
    log.info("Groundline is ready")


@cl.on_chat_start
async def chat_start() -> None:
    cl.user_session.set("history", [])


def _element(p: Passage) -> cl.Text:
    where = f"page {p.page}" if p.page else p.section
    header = f"**{p.title}**" + (f" · {where}" if where else "") + f"\n\n_{p.source}_\n\n"
    return cl.Text(name=f"[{p.n}] {p.title}", content=header + p.text, display="inline")


@cl.on_message
async def on_message(message: cl.Message) -> None:
    history: list[Message] = cl.user_session.get("history") or []
    reply = cl.Message(content="")
    answer: Answer | None = None
    try:
        async for item in engine().astream(message.content, history):
            if isinstance(item, Answer):
                answer = item
            else:
                await reply.stream_token(item)
    except (BackendUnavailable, StoreUnavailable) as exc:
        log.warning("answer failed: %s", exc)
        reply.content = f"Sorry, I can't answer right now: {exc}"
        await reply.send()
        return
    if answer is None:
        return
    reply.content = answer.text
    elements: list[Element] = [_element(p) for p in answer.citations]
    reply.elements = elements  # type: ignore[assignment]  # chainlit types it with a bare TypeVar
    await reply.send()
    history.extend(
        [
            {"role": "user", "content": message.content},
            {"role": "assistant", "content": answer.text},
        ]
    )
    cl.user_session.set("history", history)
