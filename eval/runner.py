"""Run datasets through the engine users get, on a fresh collection, and score every answer."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.citations import cited_numbers
from bot.engine import Answer, Engine, Passage
from bot.grounding import SentenceSupport, ground
from bot.language import conversation_language, detect
from bot.llm import ChatLLM, Message, Usage
from eval import metrics
from eval.datasets import Question, load
from groundline.kb import KnowledgeBase
from groundline.settings import QdrantSettings, Settings
from groundline.wiring import build_llm
from ingest.cli import build_ingestor

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], list[list[float]]]
Progress = Callable[[str, int, int], None]  # what is being done, done so far, total
_SECRETS = [("api", "token"), ("ui", "admin_password"), ("ui", "user_password")]
_SECRETS += [("qdrant", "api_key")]

_ANSWER_KEYS = (
    *("answer", "abstained", "abstained_by", "markers", "valid_markers", "dropped_markers"),
    *("recited", "citations", "given", "draft", "draft_sentences", "dont_know", "closest"),
    "worded",
    *("groundedness", "flagged", "sentences", "token_f1", "rouge_l"),
    *("prompt_tokens", "completion_tokens", "asked", "language", "answer_language"),
    "judge",
)


@dataclass
class RunOptions:
    datasets: list[Path]
    docs: Path
    out: Path
    k: int = 10
    limit: int | None = None
    generate: bool = True
    judge: bool = False


class _NoLLM:
    """Stands in for the model on a --no-generate run, which never asks it anything."""

    name = "none (--no-generate)"
    context_window = 0

    def count_tokens(self, messages: list[Message]) -> int:
        raise RuntimeError("no model on a --no-generate run")

    def openings(self, messages: list[Message], n: int) -> list[tuple[str, float]]:
        raise RuntimeError("no model on a --no-generate run")

    def stream_chat(
        self, messages: list[Message], max_tokens: int, usage: Usage, prefix: str = ""
    ) -> Generator[str, None, None]:
        raise RuntimeError("no model on a --no-generate run")

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], max_tokens: int
    ) -> str:
        raise RuntimeError("no model on a --no-generate run")


def eval_settings(settings: Settings, out: Path) -> Settings:
    """The user's settings, but an embedded collection of its own under the output dir."""
    return settings.model_copy(
        update={
            "data_dir": out / "data",
            "model_dir": settings.model_cache.resolve(),
            "collection": "eval",
            "qdrant": QdrantSettings(),
        }
    )


def public_settings(settings: Settings) -> dict[str, Any]:
    """Settings for the report, secrets masked."""
    dumped: dict[str, Any] = settings.model_dump(mode="json")
    for section, key in _SECRETS:
        if dumped.get(section, {}).get(key):
            dumped[section][key] = "***"
    return dumped


def score(
    q: Question, dataset: str, retrieved: list[Passage], answer: Answer | None, embed: Embed
) -> dict[str, Any]:
    """One results.jsonl row: retrieval against the gold, then (given one) the engine's answer."""
    similarities = [p.similarity for p in retrieved if p.similarity is not None]
    hits = []
    for p in retrieved:
        hits.append(
            {
                "rank": p.n,
                "doc_id": p.doc_id,
                "title": p.title,
                "score": round(p.score, 4),
                "text": p.text,
                "evidence": bool(q.evidence) and metrics.evidence_in(q.evidence or "", p.text),
                "gold_source": bool(q.source) and metrics.source_matches(p.doc_id, q.source or ""),
            }
        )
    row: dict[str, Any] = {
        "dataset": dataset,
        "id": q.id,
        "question": q.question,
        # As the dataset states it, or as the engine tells it (None: it cannot be told).
        "question_language": q.language or conversation_language(q.question, q.history),
        "answerable": q.answerable,
        "source": q.source,
        "evidence": q.evidence,
        "reference": q.answer,
        "history": q.history,
        "retrieved": hits,
        "evidence_rank": next((h["rank"] for h in hits if h["evidence"]), None),
        "source_rank": next((h["rank"] for h in hits if h["gold_source"]), None),
        "best_score": max(similarities) if similarities else None,
        "generated": answer is not None,
        **dict.fromkeys(_ANSWER_KEYS),
        "timings": {"retrieval_ms": None, "first_token_ms": None, "total_ms": None},
    }
    if answer is None:
        return row
    # What is scored: not the engine's warning, and in the documents' language (as checked).
    said = answer.translated_from or answer.text.removesuffix(answer.warning)
    markers = [] if answer.abstained else cited_numbers(said)
    question = answer.asked or q.question
    row.update(
        answer=answer.text,
        asked=answer.asked,
        language=answer.language,
        answer_language=detect(answer.text.removesuffix(answer.warning)),
        abstained=answer.abstained,
        abstained_by=answer.abstained_by,
        markers=markers,
        valid_markers=[n for n in markers if 1 <= n <= len(answer.passages)],
        dropped_markers=answer.dropped_citations,
        recited=answer.recited,
        flagged=answer.flagged,
        citations=[
            {
                "n": p.n,
                "doc_id": p.doc_id,
                "gold_source": bool(q.source) and metrics.source_matches(p.doc_id, q.source or ""),
            }
            for p in answer.citations
        ],
        given=len(answer.passages),
        # Unrounded: `eval calibrate` compares them with thresholds as the engine did.
        dont_know=answer.dont_know,
        closest=answer.closest,
        worded=answer.worded,
        timings={k: getattr(answer.timings, k) for k in row["timings"]},
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
    )
    given = {p.n: p.text for p in answer.passages}  # as the engine's guard checks it
    if answer.abstained_by == "grounding" and answer.draft:  # why the check refused it
        row["draft"] = answer.draft
        row["draft_sentences"] = _sentences(ground(answer.draft, given, embed, question)[1])
    if not answer.abstained:
        grounded, sentences = ground(said, given, embed, question)
        row["groundedness"] = grounded
        row["sentences"] = _sentences(sentences)
        if q.answer:
            row["token_f1"] = round(metrics.token_f1(said, q.answer), 4)
            row["rouge_l"] = round(metrics.rouge_l(said, q.answer), 4)
    return row


def _sentences(sentences: list[SentenceSupport]) -> list[dict[str, Any]]:
    """How well each sentence is supported, for results.jsonl."""
    return [
        {
            "text": s.text,
            "supported": s.supported,
            "similarity": round(s.similarity, 4),
            "overlap": round(s.overlap, 4),
            "unsupported_figures": s.unsupported_figures,
            "unsupported_names": s.unsupported_names,
            "unsupported_words": s.unsupported_words,
        }
        for s in sentences
    ]


def run(
    settings: Settings, options: RunOptions, progress: Progress | None = None
) -> dict[str, Any]:
    """Ingest the docs, answer every question, write results.jsonl / report.json / report.html."""
    from eval.report import render_html

    started = time.perf_counter()
    datasets = {path.stem: load(path, options.limit) for path in options.datasets}
    if len(datasets) != len(options.datasets):
        raise ValueError("two datasets have the same file name; rename one")
    if not options.docs.is_dir():
        raise FileNotFoundError(f"--docs {options.docs} is not a directory")
    options.out.mkdir(parents=True, exist_ok=True)
    ev = eval_settings(settings, options.out)
    shutil.rmtree(ev.data_dir, ignore_errors=True)  # a fresh collection every run
    kb = KnowledgeBase.open(ev)
    try:
        if progress:
            progress("Ingesting", 0, 0)
        ingested = build_ingestor(kb).ingest([options.docs])
        llm: ChatLLM = build_llm(ev) if options.generate or options.judge else _NoLLM()
        engine = Engine(kb, llm)
        embed: Embed = kb.embedder.get_text_embedding_batch
        rows: list[dict[str, Any]] = []
        total = sum(len(qs) for qs in datasets.values())
        with (options.out / "results.jsonl").open("w", encoding="utf-8") as results:
            for name, questions in datasets.items():
                for q in questions:
                    if progress:
                        progress(f"{name}: {q.id}", len(rows), total)
                    answer = engine.ask(q.question, q.history) if options.generate else None
                    # Searched as the engine searched it: translated into the documents'
                    # language, if it was (which needs the model: not on a --no-generate run).
                    asked = answer.asked if answer and answer.asked else q.question
                    retrieved, _ = engine.search(asked, q.history, options.k)
                    row = score(q, name, retrieved, answer, embed)
                    rows.append(row)
                    results.write(json.dumps(row, ensure_ascii=False) + "\n")
                    results.flush()
        judged = None
        if options.judge:
            from eval.judge import judge_rows

            judged = judge_rows(llm, rows, progress)
            with (options.out / "results.jsonl").open("w", encoding="utf-8") as results:
                results.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        report: dict[str, Any] = {
            "config": {
                "settings": public_settings(ev),
                "llm": llm.name,
                "embedding": ev.embedding.model,
                "retrieval": ev.retrieval.model_dump(),
                "docs": str(options.docs),
                "datasets": [str(p) for p in options.datasets],
                "k": options.k,
                "limit": options.limit,
                "generate": options.generate,
                "documents": len(kb.registry.all()),
                "chunks": kb.count(),
                "ingest_seconds": round(ingested.seconds, 1),
                "ingest_failed": ingested.failed,
            },
            "datasets": {
                name: metrics.aggregate([r for r in rows if r["dataset"] == name])
                for name in datasets
            },
            "overall": metrics.aggregate(rows),
            "judge": judged,
        }
    finally:
        kb.close()
    report["config"]["seconds"] = round(time.perf_counter() - started, 1)
    (options.out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (options.out / "report.html").write_text(render_html(report, rows), encoding="utf-8")
    return report
