"""The chat UI in a real browser: headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.fakes import Desk, OllamaStandIn, running_desk, running_ollama
from tests.conftest import SAMPLES
from tests.test_cli_e2e import _env, groundline, serving

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def desk() -> Iterator[str]:
    """A local stand-in for a help desk's hand-off webhook (what it received: Desk.received)."""
    with running_desk() as url:
        yield url


@pytest.fixture(scope="module")
def chat_server(
    tmp_path_factory: pytest.TempPathFactory, model_dir: Path, desk: str
) -> Iterator[tuple[str, Path]]:
    """The chat server's URL and its data dir; it hands conversations off to the stand-in desk."""
    env = _env(tmp_path_factory.mktemp("ui"), model_dir)
    env["GROUNDLINE_HANDOFF_WEBHOOK"] = desk
    assert groundline(env, "ingest", str(SAMPLES)).returncode == 0
    with serving(env) as url:
        yield url, Path(env["GROUNDLINE_DATA_DIR"])


@pytest.fixture(scope="module")
def chat_url(chat_server: tuple[str, Path]) -> str:
    return chat_server[0]


# Keeps the page's text after every change to it: what the user could have read, frame by frame.
WATCH = """() => {
    window.seen = [];
    new MutationObserver(() => window.seen.push(document.body.innerText)).observe(
        document.body, {subtree: true, childList: true, characterData: true});
}"""


def _ask(url: str, question: str, rate: str | None = None, seen: list[str] | None = None) -> str:
    """The page's text once the answer is done; ``seen`` gets the text after each change of it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#chat-input", timeout=60_000)
        page.wait_for_timeout(2_000)  # the socket connects after the page renders
        page.evaluate(WATCH)
        page.fill("#chat-input", question)
        page.click("#chat-submit")
        # Done when the input's send button is back (the stop button shows while answering).
        page.wait_for_selector(".step", timeout=120_000)
        page.wait_for_function("() => !document.querySelector('#stop-button')", timeout=180_000)
        page.wait_for_timeout(1_000)
        if rate:
            page.get_by_role("button", name=rate).first.click()
            page.wait_for_selector("text=Thanks for the feedback", timeout=30_000)
        text = page.inner_text("body")
        if seen is not None:
            seen.extend(page.evaluate("() => window.seen"))
        browser.close()
    return text


def test_chat_answers_with_cited_passages(chat_url: str) -> None:
    text = _ask(chat_url, "What is your refund window?")
    assert "30 days" in text
    assert "[1] Billing and refunds" in text  # the cited passage, shown as an element
    assert "billing-and-refunds.md" in text


def test_chat_says_plainly_when_the_documents_dont_cover_it(chat_url: str) -> None:
    text = _ask(chat_url, "Can you give me a recipe for banana bread?")
    assert "I don't know" in text
    assert "https://help.tallybook.example/contact" in text


def test_thumbs_down_is_recorded_with_the_conversation(chat_server: tuple[str, Path]) -> None:
    url, data_dir = chat_server
    _ask(url, "How many API keys can my account have?", rate="👎")
    records = [json.loads(line) for line in (data_dir / "feedback.jsonl").read_text().splitlines()]
    assert records[-1]["rating"] == -1
    assert records[-1]["question"] == "How many API keys can my account have?"
    assert records[-1]["answer"]


def test_asking_for_a_person_hands_the_conversation_to_the_standin_desk(chat_url: str) -> None:
    text = _ask(chat_url, "Can I talk to a person, please?")
    assert "a person will follow up" in text
    assert "https://help.tallybook.example/contact" in text
    handed = [c for c in Desk.received if c["question"] == "Can I talk to a person, please?"]
    assert len(handed) == 1
    assert "a person will follow up" in handed[0]["answer"]


# The draft a model might write: the samples give no Android app and a 30-day window, so the
# grounding check refuses it. It streams word by word, as slowly as a CPU writes, after the
# stand-in's likeliest opening, "The".
DRAFT = [" refunds ", "of the ", "Android app ", "take ", "90 days ", "[1]."]


def test_chat_never_shows_a_draft_the_check_refuses_ollama_standin(
    tmp_path_factory: pytest.TempPathFactory, model_dir: Path
) -> None:
    """The default ``ui.stream=checked``. The model is a stand-in Ollama server (none can run
    here) streaming an unsupported draft; everything else is real: ingest, retrieval, the check,
    the chat server and the browser."""
    env = _env(tmp_path_factory.mktemp("checked"), model_dir)
    assert groundline(env, "ingest", str(SAMPLES)).returncode == 0
    with running_ollama(DRAFT, pace=0.3) as ollama:
        env.update(GROUNDLINE_LLM__BACKEND="ollama", GROUNDLINE_OLLAMA__HOST=ollama)
        with serving(env) as url:
            seen: list[str] = []
            text = _ask(url, "What is the refund window?", seen=seen)
        assert any(
            path == "/api/chat" and body.get("stream") for path, body in OllamaStandIn.requests
        )
    assert "I don't know" in text
    assert seen  # the watch saw the page change
    assert not [frame for frame in seen if "Android" in frame]
