"""Dataset files: the documented format, and clear errors naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.datasets import DatasetError, load
from tests.conftest import REPO


def test_the_smoke_datasets_load_with_defaults_and_history() -> None:
    questions = load(REPO / "eval" / "smoke.jsonl")
    assert all(q.answerable for q in questions)
    follow_up = next(q for q in questions if q.id == "f01")
    assert follow_up.history[0]["role"] == "user"
    assert [q.answerable for q in load(REPO / "eval" / "smoke-unanswerable.jsonl")] == [False] * 4
    assert len(load(REPO / "eval" / "smoke.jsonl", limit=3)) == 3
    assert {q.language for q in load(REPO / "eval" / "smoke-keywords.jsonl")} == {"en"}


@pytest.mark.parametrize("path", sorted((REPO / "eval").glob("*.jsonl")), ids=lambda p: p.name)
def test_every_shipped_dataset_loads(path: Path) -> None:
    questions = load(path)
    assert all(q.history[-1]["role"] == "assistant" for q in questions if q.history)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "question": "q"}\nnot json\n', "bad.jsonl:2: not valid JSON"),
        ('{"question": "q"}\n', "bad.jsonl:1: 'id'"),
        ('{"id": "a", "question": "q"}\n{"id": "a", "question": "r"}\n', "appears twice"),
        ('{"id": "a", "question": "q", "answerable": "no"}\n', "'answerable' must be"),
        ('{"id": "a", "question": "q", "history": [{"role": "bot"}]}\n', "'history'"),
        ('{"id": "a", "question": "q", "language": "english"}\n', "'language' must be one of"),
        ("\n", "no questions"),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        load(path)
