"""Users' 👍/👎 on answers, kept as JSON Lines in the data dir for review and evaluation."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class FeedbackStore:
    """Appends one line per rating; safe to share between chat sessions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def add(
        self,
        rating: int,
        question: str,
        answer: str,
        history: list[dict[str, str]],
        sources: list[str],
        user: str | None = None,
    ) -> None:
        """Record a rating (1: helpful, -1: not) of one answer with what led to it."""
        record = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "rating": rating,
            "user": user,
            "question": question,
            "answer": answer,
            "history": history,
            "sources": sources,
        }
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def all(self) -> list[dict[str, Any]]:
        """Every record, oldest first (a damaged line is skipped, not fatal)."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return records


def to_dataset_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Thumbs-down answers as dataset rows to review: fill in `answer`/`source` or mark
    `answerable: false`, then add them to a dataset."""
    rows = []
    for i, record in enumerate(r for r in records if r.get("rating", 0) < 0):
        rows.append(
            {
                "id": f"feedback-{i + 1}",
                "question": record["question"],
                "history": record.get("history") or [],
                "bot_answer": record.get("answer", ""),
                "bot_sources": record.get("sources", []),
                "rated_at": record.get("at"),
                "review": "fill in 'answer' and 'source', or set 'answerable': false",
            }
        )
    return rows
