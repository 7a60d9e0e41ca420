"""The hand-off webhook, against a local stand-in for the help desk's endpoint."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from bot.handoff import send


class Desk(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        Desk.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(Desk.status)
        self.end_headers()


@pytest.fixture
def desk() -> Iterator[str]:
    Desk.received, Desk.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Desk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


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
