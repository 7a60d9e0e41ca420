"""Evaluation metrics: pure functions over results.jsonl rows (definitions in eval/README.md)."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from bot.language import detect

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_FIRST_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# What `eval compare` gates on: (section, metric, higher is better).
HEADLINE: tuple[tuple[str, str, bool], ...] = (
    ("retrieval", "evidence_hit@5", True),
    ("retrieval", "mrr@10", True),
    ("retrieval", "source_hit@5", True),
    ("answers", "abstention_rate_unanswerable", True),
    ("answers", "false_abstention_rate_answerable", False),
    ("answers", "citation_validity", True),
    ("answers", "cited_gold_source_rate", True),
    ("answers", "groundedness", True),
    ("answers", "token_f1", True),
    ("answers", "yes_no_agreement", True),
)


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, whitespace collapsed."""
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def evidence_in(evidence: str, chunk: str) -> bool:
    """The chunk holds the evidence after normalising, or at least 80% of its distinct words."""
    wanted, text = normalise(evidence), normalise(chunk)
    if not wanted:
        return False
    if wanted in text:
        return True
    words = set(wanted.split())
    # Integer form of "found >= 80% of words", free of float rounding at the boundary.
    return 5 * len(words & set(text.split())) >= 4 * len(words)


def polarity(text: str) -> str | None:
    """'yes' or 'no' when the text's first word is that (markdown and punctuation skipped)."""
    first = _FIRST_WORD.search(text)
    word = first.group().lower() if first else ""
    return word if word in ("yes", "no") else None


def source_matches(doc_path: str, source: str) -> bool:
    """The document (path relative to --docs) is the gold source, or ends with /source."""
    doc, gold = _path(doc_path), _path(source)
    return bool(gold) and (doc == gold or doc.endswith("/" + gold))


def _path(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def token_f1(answer: str, reference: str) -> float:
    """SQuAD-style F1 of the normalised tokens (multiset overlap)."""
    a, r = normalise(answer).split(), normalise(reference).split()
    common = sum((Counter(a) & Counter(r)).values())
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(r)
    return 2 * precision * recall / (precision + recall)


def rouge_l(answer: str, reference: str) -> float:
    """ROUGE-L F-measure (beta 1) on normalised tokens."""
    a, r = normalise(answer).split(), normalise(reference).split()
    if not a or not r:
        return 0.0
    previous = [0] * (len(r) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(r, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(r)
    return 2 * precision * recall / (precision + recall)


def ndcg_at(relevance: list[bool], k: int = 10) -> float:
    """Binary nDCG@k; the ideal ranking puts the same relevant chunks first."""
    gains = relevance[:k]
    dcg = sum(1 / math.log2(i + 2) for i, rel in enumerate(gains) if rel)
    ideal = sum(1 / math.log2(i + 2) for i in range(sum(gains)))
    return dcg / ideal if ideal else 0.0


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _round(section: dict[str, float | None]) -> dict[str, float | None]:
    return {key: None if value is None else round(value, 4) for key, value in section.items()}


def _retrieval(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    with_evidence = [r for r in rows if r["answerable"] and r.get("evidence")]
    ranks = [r["evidence_rank"] for r in with_evidence]
    section: dict[str, float | None] = {
        f"evidence_hit@{k}": _share([rank is not None and rank <= k for rank in ranks])
        for k in (1, 3, 5, 10)
    }
    section["mrr@10"] = _mean([1 / rank if rank and rank <= 10 else 0.0 for rank in ranks])
    section["ndcg@10"] = _mean(
        [ndcg_at([h["evidence"] for h in r["retrieved"] or []]) for r in with_evidence]
    )
    with_source = [r for r in rows if r["answerable"] and r.get("source")]
    section["source_hit@5"] = _share(
        [r["source_rank"] is not None and r["source_rank"] <= 5 for r in with_source]
    )
    return section


def _answers(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    generated = [r for r in rows if r["generated"]]
    answerable = [r for r in generated if r["answerable"]]
    unanswerable = [r for r in generated if not r["answerable"]]
    answered = [r for r in generated if not r["abstained"]]
    # Abstaining is the positive class, unanswerable the truth.
    tp = sum(1 for r in unanswerable if r["abstained"])
    fp = sum(1 for r in answerable if r["abstained"])
    fn = len(unanswerable) - tp
    markers = sum(len(r["markers"] or []) for r in generated)
    valid = sum(len(r["valid_markers"] or []) for r in generated)
    dropped = sum(_count(r.get("dropped_markers")) for r in generated)
    with_source = [r for r in answered if r["answerable"] and r.get("source")]
    with_reference = [r for r in answered if r.get("reference")]
    yes_no = [r for r in with_reference if r["answerable"] and polarity(r["reference"])]
    return {
        "abstention_rate_unanswerable": _share([r["abstained"] for r in unanswerable]),
        "false_abstention_rate_answerable": _share([r["abstained"] for r in answerable]),
        "abstention_precision": _ratio(tp, tp + fp),
        "abstention_recall": _ratio(tp, tp + fn),
        # 2TP / (2TP + FP + FN): 0 rather than undefined when precision alone is undefined;
        # null without unanswerable questions, where abstaining right is not being measured.
        "abstention_f1": _ratio(2 * tp, 2 * tp + fp + fn) if tp + fn else None,
        "citation_validity": _ratio(valid, markers),
        # Dropped markers never point at a given passage, so they only add to the total.
        "raw_citation_validity": _ratio(valid, markers + dropped),
        "cited_gold_source_rate": _share(
            [any(c["gold_source"] for c in r["citations"] or []) for r in with_source]
        ),
        "token_f1": _mean([r["token_f1"] for r in with_reference if r["token_f1"] is not None]),
        "rouge_l": _mean([r["rouge_l"] for r in with_reference if r["rouge_l"] is not None]),
        "groundedness": _mean(
            [r["groundedness"] for r in answered if r["groundedness"] is not None]
        ),
        # Right or wrong, where a lexical check can tell: the reference opens with Yes or No.
        "yes_no_agreement": _share(
            [polarity(r["answer"] or "") == polarity(r["reference"]) for r in yes_no]
        ),
        # Replies (answers and abstentions) in the question's language, where both can be told.
        "same_language": _share(
            [
                r["answer_language"] == asked
                for r in generated
                if r.get("answer_language")
                and (
                    asked := r["question_language"]
                    if "question_language" in r  # rows of runs before it was recorded: detected
                    else detect(r["question"])
                )
            ]
        ),
    }


def _count(value: int | list[Any] | None) -> int:
    """A count stored either as a number or as the list of the things counted."""
    if value is None:
        return 0
    return len(value) if isinstance(value, list) else value


def _cost(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    generated = [r for r in rows if r["generated"]]
    called = [r for r in generated if r["prompt_tokens"]]

    def timing(key: str, among: list[dict[str, Any]]) -> list[float]:
        values = [(r.get("timings") or {}).get(key) for r in among]
        return [v for v in values if v is not None]

    # Retrieval time is measured for --no-generate rows too. First token is null on rows that
    # never called the model (abstained before generating), so dropping nulls keeps those out.
    sources = {"retrieval_ms": rows, "first_token_ms": generated, "total_ms": generated}
    section: dict[str, float | None] = {}
    for key, among in sources.items():
        values = timing(key, among)
        section[f"{key}_p50"] = percentile(values, 50)
        section[f"{key}_p95"] = percentile(values, 95)
    section["prompt_tokens_mean"] = _mean([r["prompt_tokens"] for r in called])
    section["completion_tokens_mean"] = _mean(
        [r["completion_tokens"] for r in called if r["completion_tokens"] is not None]
    )
    return section


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Every metric of eval/README.md over these rows; None where no row applies."""
    return {
        "n": len(rows),
        "retrieval": _round(_retrieval(rows)),
        "answers": _round(_answers(rows)),
        "cost": _round(_cost(rows)),
    }


def compare(
    base: dict[str, Any], new: dict[str, Any], max_drop: float
) -> tuple[list[dict[str, Any]], bool]:
    """Headline deltas for overall and each shared dataset; True when one worsened > max_drop."""
    base_sets, new_sets = base.get("datasets") or {}, new.get("datasets") or {}
    scopes = [("overall", base["overall"], new["overall"])]
    scopes += [(name, base_sets[name], new_sets[name]) for name in new_sets if name in base_sets]
    rows = []
    for scope, before_scope, after_scope in scopes:
        for section, metric, higher in HEADLINE:
            before = (before_scope.get(section) or {}).get(metric)
            after = (after_scope.get(section) or {}).get(metric)
            delta = None if before is None or after is None else round(after - before, 4)
            # The epsilon keeps a drop of exactly max_drop (0.90 -> 0.88) from flagging.
            worse = delta is not None and (-delta if higher else delta) > max_drop + 1e-9
            rows.append(
                {
                    "scope": scope,
                    "section": section,
                    "metric": metric,
                    "base": before,
                    "new": after,
                    "delta": delta,
                    "regressed": worse,
                }
            )
    return rows, any(r["regressed"] for r in rows)


def outcome(row: dict[str, Any]) -> str:
    """What the bot did with a question: answered, abstained (and which check), or not asked."""
    if not row["generated"]:
        return "not generated"
    if row["abstained"]:
        return f"abstained ({row.get('abstained_by') or 'model'})"
    return "answered"


def changed(base: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The questions of both runs whose outcome, answer or evidence rank differ, in the new
    run's order. With a fixed seed (the default) an answer depends only on its question and
    passages, so these are what the change between the two runs moved, and nothing else."""
    before = {(r["dataset"], r["id"]): r for r in base}
    moved = []
    for after in new:
        was = before.get((after["dataset"], after["id"]))
        if was is None:
            continue
        then, now = outcome(was), outcome(after)
        reworded = was["answer"] != after["answer"]
        if then != now or reworded or was["evidence_rank"] != after["evidence_rank"]:
            moved.append(
                {
                    "dataset": after["dataset"],
                    "id": after["id"],
                    "answerable": after["answerable"],
                    "base": then,
                    "new": now,
                    "reworded": reworded,
                    "evidence_rank": (was["evidence_rank"], after["evidence_rank"]),
                }
            )
    return moved
