"""The hand-off webhook, against a local stand-in for the help desk's endpoint."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from bot.handoff import send
from tests.bot.fakes import Desk, running_desk


@pytest.fixture
def desk() -> Iterator[str]:
    with running_desk() as url:
        yield url


def test_standin_desk_receives_the_conversation(desk: str) -> None:
    conversation = {
        "question": "Android app?",
        "history": [],
        "answer": "I don't know",
        "user": "u",
    }
    assert send(desk, conversation)
    assert Desk.received == [conversation]


def test_standin_desk_failing_or_down_is_reported_not_raised(desk: str) -> None:
    Desk.status = 500
    assert not send(desk, {"question": "q"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert not send(f"http://127.0.0.1:{port}/hook", {"question": "q"}, timeout=2)
