"""The optional LLM-as-judge pass: faithfulness and correctness, kept apart from the metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.llm import ChatLLM
from groundline.prompts import render

_SCALE = {"type": "integer", "minimum": 1, "maximum": 5}


def _schema(with_reference: bool) -> dict[str, Any]:
    keys = ["faithfulness", "correctness"] if with_reference else ["faithfulness"]
    return {
        "type": "object",
        "properties": dict.fromkeys(keys, _SCALE),
        "required": keys,
    }


def parse(reply: str, with_reference: bool) -> dict[str, Any]:
    """Grades on 1..5 scaled to 0..1, or an error saying why the reply can't be used."""
    try:
        data = json.loads(reply)
        grades = {}
        for key in ["faithfulness", "correctness"] if with_reference else ["faithfulness"]:
            value = data[key]
            if not isinstance(value, int) or not 1 <= value <= 5:
                raise ValueError(f"{key} is {value!r}, not 1 to 5")
            grades[key] = (value - 1) / 4
    except (ValueError, KeyError, TypeError) as exc:
        return {"faithfulness": None, "correctness": None, "error": f"{exc}: {reply[:200]!r}"}
    return {"correctness": None, **grades, "error": None}


def judge_row(llm: ChatLLM, row: dict[str, Any]) -> dict[str, Any]:
    """Ask the model to grade one answered row."""
    reference = row.get("reference")
    given = [hit["text"] for hit in row["retrieved"][: row["given"] or 0]]
    prompt = render(
        "judge", passages=given, question=row["question"], reference=reference, answer=row["answer"]
    )
    reply = llm.complete_json(
        [{"role": "user", "content": prompt}], _schema(bool(reference)), max_tokens=40
    )
    return parse(reply, bool(reference))


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    judged = [r["judge"] for r in rows if r.get("judge")]

    def mean(key: str) -> float | None:
        values = [j[key] for j in judged if j[key] is not None]
        return round(sum(values) / len(values), 4) if values else None

    return {
        "n": len(judged),
        "faithfulness": mean("faithfulness"),
        "correctness": mean("correctness"),
        "parse_failures": sum(1 for j in judged if j["error"]),
    }


def judge_rows(
    llm: ChatLLM, rows: list[dict[str, Any]], progress: Callable[[str, int, int], None] | None
) -> dict[str, Any]:
    """Grade every answered row in place (row["judge"]); summaries per dataset and overall."""
    answered = [r for r in rows if r["generated"] and not r["abstained"]]
    for i, row in enumerate(answered):
        if progress:
            progress(f"judging {row['id']}", i, len(answered))
        row["judge"] = judge_row(llm, row)
    summary = {name: summarise([r for r in rows if r["dataset"] == name]) for name in _names(rows)}
    summary["overall"] = summarise(rows)
    return summary


def _names(rows: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["dataset"] for r in rows))
