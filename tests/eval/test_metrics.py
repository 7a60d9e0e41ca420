"""Each metric on hand-made cases whose right value is worked out in the comments."""

from __future__ import annotations

from typing import Any

import pytest

from eval.metrics import (
    HEADLINE,
    aggregate,
    changed,
    compare,
    evidence_in,
    ndcg_at,
    percentile,
    polarity,
    rouge_l,
    source_matches,
    token_f1,
)


def test_evidence_found_across_case_whitespace_and_punctuation() -> None:
    chunk = "Refunds.\n\nYou can ask for a FULL refund -- within 30 days of any payment!"
    assert evidence_in("a full refund, within 30 days", chunk)


def test_evidence_80_percent_rule() -> None:
    # 10 distinct evidence words; 8 in the chunk (80%) counts, 7 (70%) does not.
    evidence = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"
    assert evidence_in(evidence, "w8 w7 w6 w5 w4 w3 w2 w1 other words")
    assert not evidence_in(evidence, "w1 w2 w3 w4 w5 w6 w7 other words")
    # Distinct words: "a a a a b" is {a, b}; 1 of 2 found is 50%, not 80% of 5 tokens.
    assert not evidence_in("a a a a b", "a c")
    assert not evidence_in("", "anything")
    assert not evidence_in("...", "anything")


def test_source_matches_the_path_or_its_tail_only() -> None:
    assert source_matches("design.html", "design.html")
    assert source_matches("faq/design.html", "design.html")
    assert not source_matches("faq/xdesign.html", "design.html")
    assert not source_matches("design.html", "faq/design.html")
    assert source_matches("docs\\faq\\design.html", "faq/design.html")
    assert source_matches("faq/design.html", "./faq/design.html")
    assert not source_matches("faq/design.html", "")


def test_token_f1_and_rouge_l() -> None:
    # answer "the cat sat", reference "the cat sat down": 3 common; P=1, R=3/4, F1=6/7.
    assert token_f1("The cat sat.", "the cat sat down") == pytest.approx(6 / 7)
    assert token_f1("dog", "cat") == 0.0
    # Multiset: "the the cat" vs "the cat" shares one "the" and "cat": P=2/3, R=1, F1=0.8.
    assert token_f1("the the cat", "the cat") == pytest.approx(0.8)
    # LCS of "a b c d" and "a c b d" is 3: P=R=3/4, F=0.75.
    assert rouge_l("a b c d", "a c b d") == pytest.approx(0.75)
    # LCS of "a b" and "a x y b" is 2: P=1, R=1/2, F=2/3.
    assert rouge_l("A, b!", "a x y b") == pytest.approx(2 / 3)
    assert rouge_l("", "a") == 0.0


def test_ndcg_and_percentile() -> None:
    # One relevant chunk at rank 3: DCG=1/log2(4)=0.5, ideal 1/log2(2)=1.
    assert ndcg_at([False, False, True]) == pytest.approx(0.5)
    assert ndcg_at([False] * 10) == 0.0
    # Relevant at ranks 1 and 3: DCG=1+0.5, ideal=1+1/log2(3)=1.6309; nDCG=0.9197.
    assert ndcg_at([True, False, True]) == pytest.approx(0.9197, abs=1e-4)
    # Beyond k is ignored.
    assert ndcg_at([False, False, True], k=2) == 0.0
    assert percentile([10, 20, 30, 40], 50) == pytest.approx(25)
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    # Sorted first: position (3-1)*0.5 = 1 -> the middle value.
    assert percentile([30, 10, 20], 50) == 20


def row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "dataset": "d",
        "answerable": True,
        "evidence": "e",
        "source": "a.md",
        "reference": None,
        "retrieved": [],
        "evidence_rank": None,
        "source_rank": None,
        "generated": True,
        "answer": "x",
        "abstained": False,
        "markers": [],
        "valid_markers": [],
        "dropped_markers": 0,
        "citations": [],
        "groundedness": None,
        "token_f1": None,
        "rouge_l": None,
        "timings": {"retrieval_ms": 10.0, "first_token_ms": 100.0, "total_ms": 200.0},
        "prompt_tokens": 400,
        "completion_tokens": 20,
    }
    return {**base, **overrides}


def test_retrieval_metrics_for_evidence_at_rank_3() -> None:
    retrieved = [{"evidence": rank == 3} for rank in range(1, 11)]
    metrics = aggregate([row(evidence_rank=3, source_rank=1, retrieved=retrieved)])["retrieval"]
    assert metrics["evidence_hit@1"] == 0.0
    assert metrics["evidence_hit@3"] == 1.0
    assert metrics["mrr@10"] == pytest.approx(0.3333)
    assert metrics["ndcg@10"] == 0.5
    assert metrics["source_hit@5"] == 1.0


def test_retrieval_metrics_average_over_rows_with_evidence() -> None:
    first = [{"evidence": True}] + [{"evidence": False}] * 9
    rows = [
        row(evidence_rank=1, source_rank=6, retrieved=first),  # RR 1, nDCG 1, source beyond 5
        row(evidence_rank=None, source_rank=None, retrieved=[{"evidence": False}]),  # RR 0
        row(evidence=None, source=None, evidence_rank=None),  # no gold: not counted
        row(answerable=False, evidence=None, source=None),  # unanswerable: not counted
    ]
    metrics = aggregate(rows)["retrieval"]
    assert metrics["evidence_hit@1"] == 0.5
    assert metrics["evidence_hit@10"] == 0.5
    assert metrics["mrr@10"] == 0.5  # (1 + 0) / 2
    assert metrics["ndcg@10"] == 0.5  # (1 + 0) / 2
    assert metrics["source_hit@5"] == 0.0  # 2 rows with a source, neither in the top 5


def test_abstention_precision_recall_f1() -> None:
    unanswerable = {"answerable": False, "evidence": None}
    rows = [
        row(**unanswerable, abstained=True),  # TP: right abstention
        row(**unanswerable),  # FN: answered the unanswerable
        row(**unanswerable),  # FN
        row(abstained=True),  # FP: false abstention
        row(),  # TN
        row(),  # TN
        row(**unanswerable, abstained=True, generated=False),  # not generated: ignored
    ]
    answers = aggregate(rows)["answers"]
    assert answers["abstention_rate_unanswerable"] == 0.3333  # 1 of 3
    assert answers["false_abstention_rate_answerable"] == 0.3333  # 1 of 3
    # P = TP/(TP+FP) = 1/2; R = TP/(TP+FN) = 1/3; F1 = 2PR/(P+R) = (1/3)/(5/6) = 0.4.
    assert answers["abstention_precision"] == 0.5
    assert answers["abstention_recall"] == 0.3333
    assert answers["abstention_f1"] == 0.4


def test_abstention_f1_is_zero_when_the_bot_never_abstains() -> None:
    answers = aggregate([row(answerable=False, evidence=None), row()])["answers"]
    # No abstention: precision has no row; recall 0 of 1; F1 = 2TP/(2TP+FP+FN) = 0/1.
    assert answers["abstention_precision"] is None
    assert answers["abstention_recall"] == 0.0
    assert answers["abstention_f1"] == 0.0


def test_what_does_not_apply_is_null_never_zero() -> None:
    unanswerable_only = aggregate(
        [row(answerable=False, evidence=None, source=None, abstained=True)]
    )
    assert unanswerable_only["retrieval"]["evidence_hit@5"] is None
    assert unanswerable_only["retrieval"]["source_hit@5"] is None
    assert unanswerable_only["answers"]["false_abstention_rate_answerable"] is None
    assert unanswerable_only["answers"]["citation_validity"] is None
    answerable_only = aggregate([row()])
    assert answerable_only["answers"]["abstention_rate_unanswerable"] is None
    assert answerable_only["answers"]["abstention_recall"] is None
    assert answerable_only["answers"]["abstention_f1"] is None
    # A false abstention among answerable questions only: measured by the false-abstention
    # rate, while abstention F1 (which needs unanswerable questions) does not apply.
    one_false = aggregate([row(abstained=True), row()])["answers"]
    assert one_false["false_abstention_rate_answerable"] == 0.5
    assert one_false["abstention_f1"] is None
    assert answerable_only["answers"]["groundedness"] is None  # no row had a score
    assert answerable_only["answers"]["token_f1"] is None  # no reference
    retrieval_only = aggregate([row(generated=False, evidence_rank=1)])
    assert retrieval_only["retrieval"]["evidence_hit@1"] == 1.0
    assert retrieval_only["answers"]["false_abstention_rate_answerable"] is None
    assert retrieval_only["cost"]["total_ms_p50"] is None
    assert retrieval_only["cost"]["prompt_tokens_mean"] is None
    # --no-generate rows still time their retrieval.
    assert retrieval_only["cost"]["retrieval_ms_p50"] == 10.0
    assert aggregate([])["n"] == 0
    assert aggregate([])["retrieval"]["mrr@10"] is None


def test_citation_metrics_and_cost() -> None:
    rows = [
        row(
            markers=[1, 2],
            valid_markers=[1, 2],
            dropped_markers=2,
            citations=[{"gold_source": False}, {"gold_source": True}],
            groundedness=1.0,
            reference="r",
            token_f1=0.5,
            rouge_l=0.4,
        ),
        row(markers=[1], valid_markers=[1], citations=[{"gold_source": False}], groundedness=0.5),
        row(
            abstained=True,
            prompt_tokens=0,
            timings={"retrieval_ms": 30.0, "first_token_ms": None, "total_ms": 40.0},
        ),
    ]
    result = aggregate(rows)
    answers = result["answers"]
    assert answers["citation_validity"] == 1.0  # 3 of 3 shown markers are valid
    assert answers["raw_citation_validity"] == 0.6  # 3 valid of 3 + 2 dropped
    assert answers["cited_gold_source_rate"] == 0.5  # answered rows: first cites gold, second not
    assert answers["groundedness"] == 0.75
    assert (answers["token_f1"], answers["rouge_l"]) == (0.5, 0.4)
    cost = result["cost"]
    assert cost["retrieval_ms_p50"] == 10.0  # of 10, 10, 30
    assert cost["retrieval_ms_p95"] == 28.0  # position 2*0.95 = 1.9: 10 + 0.9 * 20
    assert cost["first_token_ms_p50"] == 100.0  # the abstention never called the model
    assert cost["total_ms_p50"] == 200.0  # of 40, 200, 200
    assert cost["prompt_tokens_mean"] == 400  # the abstention's 0 tokens left out
    assert cost["completion_tokens_mean"] == 20


def test_polarity_reads_the_first_word_past_markdown() -> None:
    assert polarity("**No.** It takes an ACCESS EXCLUSIVE lock [1].") == "no"
    assert polarity("Yes, you can [2].") == "yes"
    assert polarity("Nobody needs to [1].") is None
    assert polarity("You can't [1].") is None


def test_yes_no_agreement_judges_answered_yes_no_questions_only() -> None:
    rows = [
        row(reference="No. It is blocked.", answer="No, it is blocked [1]."),
        row(reference="No, never.", answer="Yes, it keeps working [1]."),  # wrong polarity
        row(reference="Yes.", answer="You can [1]."),  # no yes or no: not agreeing
        row(reference="Yes.", answer="Yes [1].", abstained=True),  # abstained: not judged
        row(reference="Use pg_dump.", answer="Yes [1]."),  # not a yes/no question
        row(reference="No.", answer="No [1].", answerable=False),  # unanswerable: not judged
    ]
    assert aggregate(rows)["answers"]["yes_no_agreement"] == round(1 / 3, 4)
    assert aggregate([row(reference="Use pg_dump.")])["answers"]["yes_no_agreement"] is None


def test_same_language_compares_reply_and_question_where_both_can_be_told() -> None:
    rows = [
        row(question="¿Cuántas claves de API puede tener mi cuenta?", answer_language="es"),
        row(question="Quels sont vos horaires d'assistance téléphonique ?", answer_language="en"),
        row(question="How many API keys can my account have?", answer_language=None),  # untold
        row(question="Merci", answer_language="fr"),  # too short a question to tell
    ]
    assert aggregate(rows)["answers"]["same_language"] == 0.5
    assert aggregate([row(question="Merci")])["answers"]["same_language"] is None


def test_same_language_takes_the_question_language_the_dataset_states() -> None:
    # The bank's name reads as French; the dataset says English.
    misread = row(question="Can I sync invoices with Société Générale?", answer_language="en")
    assert aggregate([misread])["answers"]["same_language"] == 0.0
    stated = {**misread, "question_language": "en"}
    assert aggregate([stated])["answers"]["same_language"] == 1.0
    assert aggregate([{**stated, "question_language": None}])["answers"]["same_language"] is None


def _report(hit5: float, false_abstention: float) -> dict[str, Any]:
    scope = aggregate([row()])
    scope["retrieval"]["evidence_hit@5"] = hit5
    scope["answers"]["false_abstention_rate_answerable"] = false_abstention
    return {"overall": scope, "datasets": {"qa": scope}}


def test_compare_gates_on_drops_beyond_the_allowance() -> None:
    base = _report(0.90, 0.05)
    _, regressed = compare(base, _report(0.89, 0.05), 0.02)
    assert not regressed
    rows, regressed = compare(base, _report(0.87, 0.05), 0.02)
    assert regressed
    assert {(r["scope"], r["metric"]) for r in rows if r["regressed"]} == {
        ("overall", "evidence_hit@5"),
        ("qa", "evidence_hit@5"),
    }
    # A rise of the false-abstention rate is a regression (lower is better).
    _, regressed = compare(base, _report(0.90, 0.10), 0.02)
    assert regressed
    _, regressed = compare(base, _report(0.90, 0.0), 0.02)
    assert not regressed
    # A drop of exactly the allowance is allowed.
    _, regressed = compare(base, _report(0.88, 0.05), 0.02)
    assert not regressed


def test_compare_skips_nulls_and_datasets_missing_from_one_side() -> None:
    base, new = _report(0.90, 0.05), _report(0.50, 0.05)
    new["overall"] = {**new["overall"], "retrieval": {**new["overall"]["retrieval"]}}
    new["overall"]["retrieval"]["evidence_hit@5"] = None
    new["datasets"] = {"other": new["datasets"]["qa"]}
    rows, regressed = compare(base, new, 0.02)
    assert not regressed
    assert {r["scope"] for r in rows} == {"overall"}
    hit = next(r for r in rows if r["metric"] == "evidence_hit@5")
    assert (hit["base"], hit["new"], hit["delta"], hit["regressed"]) == (0.9, None, None, False)
    assert len(rows) == len(HEADLINE)  # every headline metric once


def test_changed_lists_the_questions_a_change_moved_and_only_those() -> None:
    base = [
        row(id="a", answer="Yes [1].", evidence_rank=1),
        row(id="b", answer="No [2].", evidence_rank=2),
        row(id="c", answer="Same [1].", evidence_rank=1),
        row(id="d", answer="Gone [1].", evidence_rank=1),
        row(id="u", answerable=False, answer="I don't know.", abstained=True, abstained_by="model"),
    ]
    new = [
        row(id="a", answer="I don't know.", evidence_rank=1, abstained=True, abstained_by="model"),
        row(id="b", answer="No [2].", evidence_rank=4),
        row(id="c", answer="Same [1].", evidence_rank=1),
        row(id="u", answerable=False, answer="Invented [1].", abstained=False),
        row(id="e", answer="Only in the new run."),
    ]
    moved = changed(base, new)
    assert [q["id"] for q in moved] == ["a", "b", "u"]
    a, b, u = moved
    assert (a["base"], a["new"], a["reworded"]) == ("answered", "abstained (model)", True)
    assert (b["base"], b["new"], b["reworded"]) == ("answered", "answered", False)
    assert b["evidence_rank"] == (2, 4)
    assert (u["answerable"], u["base"], u["new"]) == (False, "abstained (model)", "answered")
    # The same id in another dataset is another question.
    assert changed([row(id="a", dataset="x")], [row(id="a", dataset="y", answer="z")]) == []
