"""The `groundline` command as a user runs it: real subprocesses, real models, real Qdrant."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, TEST_LLM

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _env(tmp_path: Path, model_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUNDLINE_")}
    env.update(
        GROUNDLINE_DATA_DIR=str(tmp_path / "data"),
        GROUNDLINE_MODEL_DIR=str(model_dir),
        GROUNDLINE_LLM__MODEL=TEST_LLM,
        GROUNDLINE_HANDOFF="https://help.tallybook.example/contact",
    )
    return env


def groundline(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "groundline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, model_dir: Path) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("cli")
    env = _env(tmp, model_dir)
    docs = tmp / "docs"
    shutil.copytree(SAMPLES, docs)
    (docs / "corrupt.pdf").write_bytes(b"%PDF-1.7 not really")
    result = groundline(env, "ingest", str(docs), "--json")
    assert result.returncode == 1, result.stderr  # one file failed
    summary = json.loads(result.stdout)
    assert summary["added"] == 14
    assert [Path(f["path"]).name for f in summary["failed"]] == ["corrupt.pdf"]
    assert set(summary) >= {
        "added",
        "updated",
        "unchanged",
        "deleted",
        "failed",
        "chunks_embedded",
        "seconds",
    }
    (docs / "corrupt.pdf").unlink()
    again = groundline(env, "ingest", str(docs), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["chunks_embedded"] == 0
    return env


def test_ask_json_answers_a_known_question_citing_the_right_source(
    ingested: dict[str, str],
) -> None:
    result = groundline(ingested, "ask", "--json", "How long do I have to ask for a refund?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert not answer["abstained"]
    assert "30" in answer["answer"]
    assert answer["citations"]
    assert Path(answer["citations"][0]["source"]).name == "billing-and-refunds.md"
    assert {"n", "source", "title", "text"} <= set(answer["citations"][0])
    assert set(answer["timings"]) == {"retrieval_ms", "first_token_ms", "total_ms"}
    assert answer["prompt_tokens"] > 0
    assert answer["completion_tokens"] > 0


def test_ask_off_topic_question_is_not_answered(ingested: dict[str, str]) -> None:
    result = groundline(
        ingested, "ask", "--json", "What will the weather be like in Madrid this weekend?"
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["abstained"]
    assert answer["abstained_by"] == "threshold"  # the model was not even asked
    assert answer["citations"] == []
    assert "https://help.tallybook.example/contact" in answer["answer"]


def test_documents_list_and_remove(ingested: dict[str, str]) -> None:
    listed = json.loads(groundline(ingested, "documents", "list", "--json").stdout)
    assert len(listed) == 15  # the corrupt file stays listed with its error
    row = next(d for d in listed if d["id"] == "payroll.html")
    assert set(row) == {"id", "source", "hash", "chunks", "status", "error", "ingested_at"}
    assert row["status"] == "ok"
    failed = next(d for d in listed if d["id"] == "corrupt.pdf")
    assert failed["status"] == "failed"
    assert "PDF" in failed["error"]
    removed = groundline(ingested, "documents", "remove", "corrupt.pdf")
    assert removed.returncode == 0, removed.stderr
    missing = groundline(ingested, "documents", "remove", "corrupt.pdf")
    assert missing.returncode == 1


def test_models_lists_the_shipped_models(ingested: dict[str, str]) -> None:
    result = groundline(ingested, "models")
    assert result.returncode == 0, result.stderr
    assert "qwen2.5-coder-0.5b" in result.stdout
    assert "Apache-2.0" in result.stdout


def test_missing_model_is_a_clear_error(tmp_path: Path, model_dir: Path) -> None:
    env = _env(tmp_path, model_dir) | {"GROUNDLINE_LLM__MODEL": "no-such-model"}
    groundline(env, "ingest", str(SAMPLES / "invoices.md"))
    result = groundline(env, "ask", "How do I send an invoice?")
    assert result.returncode == 1
    assert "Unknown LLM 'no-such-model'" in result.stderr
    assert "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    """`groundline serve` on a free port, as a subprocess whose output is kept for failures."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "groundline", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return server, port


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """`groundline serve` with ``env``, once its page answers: its URL. It must stop without a
    traceback."""
    server, port = start_server(env)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(
                        f"server did not start: {server.stdout.read() if server.stdout else ''}"
                    )
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output


def test_serve_starts_the_chat_ui(ingested: dict[str, str]) -> None:
    with serving(ingested) as url:
        with urllib.request.urlopen(url, timeout=5) as page:
            assert "<html" in page.read().decode().lower()
        with urllib.request.urlopen(f"{url}project/settings?language=en-US", timeout=5) as r:
            assert r.status == 200
