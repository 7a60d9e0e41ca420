"""Evaluation datasets: JSON Lines of questions (format in eval/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.language import NAMES
from bot.llm import Message


class DatasetError(ValueError):
    """A dataset file that can't be used; the message names the file and line."""


@dataclass
class Question:
    id: str
    question: str
    answer: str | None = None
    evidence: str | None = None
    source: str | None = None
    answerable: bool = True
    history: list[Message] = field(default_factory=list)
    language: str | None = None  # the question's language (a bot.language code), if stated


def _history(value: Any, where: str) -> list[Message]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
        isinstance(t, dict)
        and t.get("role") in ("user", "assistant")
        and isinstance(t.get("content"), str)
        for t in value
    ):
        raise DatasetError(f"{where}: 'history' must be a list of {{'role', 'content'}} turns")
    return [{"role": t["role"], "content": t["content"]} for t in value]


def _text(row: dict[str, Any], key: str, where: str) -> str | None:
    value = row.get(key)
    if value is None or isinstance(value, str):
        return value or None
    raise DatasetError(f"{where}: {key!r} must be a string")


def load(path: Path, limit: int | None = None) -> list[Question]:
    """The questions of one dataset file (the first ``limit`` of them)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise DatasetError(f"{where}: each line must be a JSON object")
        qid, text = row.get("id"), row.get("question")
        if not isinstance(qid, str) or not qid:
            raise DatasetError(f"{where}: 'id' (a non-empty string) is required")
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{where}: 'question' (a non-empty string) is required")
        if qid in seen:
            raise DatasetError(f"{where}: id {qid!r} appears twice")
        seen.add(qid)
        answerable = row.get("answerable", True)
        if not isinstance(answerable, bool):
            raise DatasetError(f"{where}: 'answerable' must be true or false")
        language = _text(row, "language", where)
        if language is not None and language not in NAMES:
            raise DatasetError(f"{where}: 'language' must be one of {', '.join(sorted(NAMES))}")
        questions.append(
            Question(
                id=qid,
                question=text,
                answer=_text(row, "answer", where),
                evidence=_text(row, "evidence", where),
                source=_text(row, "source", where),
                answerable=answerable,
                history=_history(row.get("history"), where),
                language=language,
            )
        )
        if limit is not None and len(questions) >= limit:
            break
    if not questions:
        raise DatasetError(f"{path}: no questions")
    return questions
