"""The Chainlit chat app: handlers only. Everything is built once, when the app starts."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

import chainlit as cl
from chainlit.config import config as chainlit_config
from chainlit.element import Element
from chainlit.server import app as server_app

from bot import handoff
from bot.engine import Answer, Engine, Passage
from bot.feedback import FeedbackStore
from bot.llm import BackendUnavailable, Message
from groundline.console import setup_logging
from groundline.kb import KnowledgeBase
from groundline.settings import Settings
from groundline.wiring import StoreUnavailable, build_llm
from ingest.cli import build_ingestor
from ingest.pipeline import IngestReport
from ingest.service import IngestService, announce, build_router, mount, withdraw

log = logging.getLogger(__name__)
SETTINGS = Settings()  # read once: this module is the chat server's entry point


class Runtime:
    # A plain class: Chainlit loads this file as a module missing from sys.modules, which
    # dataclasses cannot introspect.
    def __init__(self, engine: Engine, ingest: IngestService, feedback: FeedbackStore) -> None:
        self.engine = engine
        self.ingest = ingest
        self.feedback = feedback


@cache
def runtime() -> Runtime:
    """This process's one knowledge base, model and ingestion service, shared by every chat."""
    kb = KnowledgeBase.open(SETTINGS)
    return Runtime(
        Engine(kb, build_llm(SETTINGS)),
        IngestService(kb, build_ingestor(kb)),
        FeedbackStore(SETTINGS.feedback_path),
    )


mount(server_app, build_router(SETTINGS, lambda: runtime().ingest))
# The attach button only where someone may use it: the admin (see password auth below).
chainlit_config.features.spontaneous_file_upload.enabled = bool(SETTINGS.ui.admin_password)


@cl.on_app_startup
async def start() -> None:
    setup_logging()
    await cl.make_async(runtime)()
    announce(SETTINGS, f"http://127.0.0.1:{chainlit_config.run.port}")
    log.info("Groundline is ready")


@cl.on_app_shutdown
async def stop() -> None:
    withdraw(SETTINGS)


if SETTINGS.ui.admin_password:

    @cl.password_auth_callback
    async def login(username: str, password: str) -> cl.User | None:
        ui = SETTINGS.ui
        if username == "admin" and password == ui.admin_password:
            return cl.User(identifier="admin", metadata={"role": "admin"})
        if username != "admin" and ui.user_password and password == ui.user_password:
            return cl.User(identifier=username, metadata={"role": "user"})
        return None


@cl.on_chat_start
async def chat_start() -> None:
    cl.user_session.set("history", [])
    cl.user_session.set("answers", {})  # message id -> what a rating of it records


def _rating_buttons() -> list[cl.Action]:
    return [
        cl.Action(name="rate", payload={"rating": 1}, label="👍", tooltip="Helpful"),
        cl.Action(name="rate", payload={"rating": -1}, label="👎", tooltip="Not helpful"),
    ]


@cl.action_callback("rate")
async def rate(action: cl.Action) -> None:
    """Record a rating once, with the question and answer it rates; the buttons then go."""
    answers: dict[str, Any] = cl.user_session.get("answers") or {}
    rated = answers.pop(action.forId or "", None)
    if rated is None:
        return
    user = cl.user_session.get("user")
    await cl.make_async(runtime().feedback.add)(
        rating=int(action.payload["rating"]),
        user=user.identifier if user else None,
        **rated["record"],
    )
    for button in rated["buttons"]:
        await button.remove()
    await cl.Message(content="Thanks for the feedback.").send()


def _element(p: Passage) -> cl.Text:
    where = f"page {p.page}" if p.page else p.section
    header = f"**{p.title}**" + (f" · {where}" if where else "") + f"\n\n_{p.source}_\n\n"
    return cl.Text(name=f"[{p.n}] {p.title}", content=header + p.text, display="inline")


def uploaded(name: str, report: IngestReport) -> list[str]:
    """What the chat tells an admin of a file they attached."""
    if report.failed:
        lines = [f"✗ {name}: {report.failed[0]['error']}"]
    else:
        state = "unchanged" if report.unchanged else "added"
        lines = [f"✓ {name}: {state} ({report.chunks_embedded} passages)"]
    return lines + [
        f"⚠ {name}: left out, as it speaks to the bot, not the reader: “{item['text']}”"
        for item in report.withheld
    ]


async def _upload(message: cl.Message) -> None:
    """Files attached to a message go into the knowledge base, for admins only."""
    user = cl.user_session.get("user")
    if not (user and user.metadata.get("role") == "admin"):
        await cl.Message(content="Only an administrator can add documents.").send()
        return
    lines = []
    for file in message.elements:
        if not isinstance(file, cl.File) or not file.path:
            continue
        data = open(file.path, "rb").read()  # noqa: SIM115 - a temp file Chainlit wrote
        report = await cl.make_async(runtime().ingest.upload)(file.name, data, None)
        lines += uploaded(file.name, report)
    await cl.Message(content="\n".join(lines) or "No file to add.").send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    if message.elements:
        await _upload(message)
        if not message.content.strip():
            return
    history: list[Message] = cl.user_session.get("history") or []
    reply = cl.Message(content="")
    answer: Answer | None = None
    live = SETTINGS.ui.stream == "live"  # else shown once checked (Chainlit's loader meanwhile)
    try:
        async for item in runtime().engine.astream(message.content, history):
            if isinstance(item, Answer):
                answer = item
            elif live:
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
    if answer.abstained and SETTINGS.handoff_webhook:
        user = cl.user_session.get("user")
        conversation = {
            "question": message.content,
            "history": history,
            "answer": answer.text,
            "user": user.identifier if user else None,
        }
        await cl.make_async(handoff.send)(SETTINGS.handoff_webhook, conversation)
    reply.actions = _rating_buttons()
    await reply.send()
    answers = cl.user_session.get("answers") or {}
    cl.user_session.set("answers", answers)
    answers[reply.id] = {
        "buttons": reply.actions,
        "record": {
            "question": message.content,
            "answer": answer.text,
            "history": list(history),
            "sources": [p.doc_id for p in answer.citations],
        },
    }
    history.extend(
        [
            {"role": "user", "content": message.content},
            {"role": "assistant", "content": answer.text},
        ]
    )
    cl.user_session.set("history", history)
