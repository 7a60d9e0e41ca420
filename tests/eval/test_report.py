"""report.html: one self-contained page with the numbers, the plots and the worst questions."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from typing import Any

from eval.report import render_html

LOST_PASSAGE = "Invoices are emailed on the first working day of each month."


class _Page(HTMLParser):
    """Collects tags, the text of every element and the URLs in any attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v for k, v in attrs if v and k in {"src", "href", "xlink:href"}]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _hit(rank: int, doc_id: str, score: float, text: str, evidence: bool) -> dict[str, Any]:
    return {
        "rank": rank,
        "doc_id": doc_id,
        "title": doc_id,
        "score": score,
        "text": text,
        "evidence": evidence,
        "gold_source": evidence,
    }


def _row(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "dataset": "qa",
        "id": "q",
        "question": "How do refunds work?",
        "answerable": True,
        "source": "billing.md",
        "evidence": "refund within 30 days",
        "reference": "Within 30 days.",
        "history": [],
        "retrieved": [_hit(1, "billing.md", 0.71, "You can get a refund within 30 days.", True)],
        "evidence_rank": 1,
        "source_rank": 1,
        "best_score": 0.71,
        "generated": True,
        "answer": "You can get a refund within 30 days [1].",
        "abstained": False,
        "markers": [1],
        "valid_markers": [1],
        "dropped_markers": 0,
        "citations": [{"n": 1, "doc_id": "billing.md", "gold_source": True}],
        "given": 1,
        "groundedness": 1.0,
        "sentences": [],
        "token_f1": 0.5,
        "rouge_l": 0.5,
        "timings": {"retrieval_ms": 12.0, "first_token_ms": 310.0, "total_ms": 820.0},
        "prompt_tokens": 400,
        "completion_tokens": 20,
        "judge": None,
    }
    return {**base, **overrides}


def _rows() -> list[dict[str, Any]]:
    no_answer = dict.fromkeys(
        ("answer", "abstained", "groundedness", "token_f1", "rouge_l", "prompt_tokens")
    )
    return [
        _row(id="good"),
        _row(
            id="lost",
            question="When are <b>invoices</b> sent?",
            evidence="invoices first working day",
            retrieved=[
                _hit(1, "faq.md", 0.52, "Our office is closed on public holidays.", False),
                _hit(2, "billing.md", 0.48, LOST_PASSAGE, False),
                _hit(3, "misc.md", 0.31, "Unrelated text.", False),
            ],
            evidence_rank=None,
            source_rank=2,
            best_score=0.52,
            answer="I don't know.",
            abstained=True,
            groundedness=None,
            timings={"retrieval_ms": 9.0, "first_token_ms": None, "total_ms": 15.0},
        ),
        _row(id="slow", generated=False, **no_answer, timings=dict.fromkeys(("total_ms",))),
        _row(
            id="u1",
            dataset="unanswerable",
            question="Does it run on Android?",
            answerable=False,
            evidence=None,
            source=None,
            reference=None,
            retrieved=[_hit(1, "faq.md", 0.29, "Supported platforms: Linux.", False)],
            evidence_rank=None,
            source_rank=None,
            best_score=0.29,
            generated=False,
            **no_answer,
            timings={"retrieval_ms": None, "first_token_ms": None, "total_ms": None},
        ),
        _row(
            id="u2",
            dataset="unanswerable",
            question="Is there a mobile app?",
            answerable=False,
            evidence=None,
            source=None,
            retrieved=[],
            evidence_rank=None,
            best_score=None,
            generated=False,
            **no_answer,
            timings={"retrieval_ms": None, "first_token_ms": None, "total_ms": None},
        ),
    ]


def _scope(n: int, hit1: float | None, p50: float | None) -> dict[str, Any]:
    return {
        "n": n,
        "retrieval": {"evidence_hit@1": hit1, "mrr@10": None if hit1 is None else 0.87712},
        "answers": {"false_abstention_rate_answerable": None if hit1 is None else 0.25},
        "cost": {"total_ms_p50": p50, "prompt_tokens_mean": None if p50 is None else 412.25},
    }


def _report(min_score: float | None = 0.35) -> dict[str, Any]:
    return {
        "config": {
            "llm": "qwen2.5-0.5b-instruct.gguf",
            "retrieval": {"top_k": 5, "mode": "dense", "min_score": min_score},
            "k": 10,
            "limit": None,
        },
        "datasets": {"qa": _scope(3, 0.6667, 417.5), "unanswerable": _scope(2, None, None)},
        "overall": _scope(5, 0.6667, 417.5),
        "judge": None,
    }


def test_the_page_is_one_self_contained_document() -> None:
    html = render_html(_report(), _rows())
    page = _parse(html)
    assert html.startswith("<!doctype html>")
    assert page.tags.count("html") == 1
    assert page.tags.count("body") == 1
    for external in ("http://", "https://", "//cdn", "<script", "<link", "@import", "url("):
        assert external not in html
    assert all(url.startswith("#") for url in page.urls)


def test_headline_numbers_are_formatted_and_none_shows_as_a_dash() -> None:
    page = _parse(render_html(_report(), _rows()))
    cells = [t.strip() for t in page.text if t.strip()]
    assert "0.667" in cells  # evidence_hit@1
    assert "0.877" in cells  # mrr@10, three decimals
    assert "418" in cells  # total_ms_p50 as an integer
    assert "412.2" in cells or "412.3" in cells  # prompt_tokens_mean
    assert "0.6667" not in cells
    assert cells.count("—") >= 4  # the unanswerable column is all n/a
    assert {"overall", "qa", "unanswerable", "evidence_hit@1", "total_ms_p50"} <= set(cells)
    assert '{"top_k":5,"mode":"dense","min_score":0.35}' in cells  # nested config as JSON


def test_three_plots_and_the_threshold_line() -> None:
    html = render_html(_report(), _rows())
    assert html.count("<svg") == 3
    assert "Evidence hit@k" in html
    assert 'class="threshold"' in html
    assert "min_score = 0.35" in html
    without = render_html(_report(min_score=None), _rows())
    assert without.count("<svg") == 3
    assert 'class="threshold"' not in without


def test_hit_curve_has_one_line_per_dataset_with_evidence() -> None:
    html = render_html(_report(), _rows())
    assert html.count("<polyline") == 1  # only "qa" has evidence rows
    assert "hit@3 = 0.667" in html  # good at rank 1, lost never, slow at rank 1


def test_worst_question_comes_first_with_its_passages_and_escaped() -> None:
    html = render_html(_report(), _rows())
    assert "<b>invoices</b>" not in html
    start = html.index("When are &lt;b&gt;invoices&lt;/b&gt; sent?")
    assert start > html.index('id="worst"')
    worst = html[start:]
    assert "evidence not in the top 3 retrieved passages" in worst
    assert "abstained although the question is answerable" in worst
    assert "<details>" in worst
    assert LOST_PASSAGE in worst
    assert "billing.md" in worst
    assert html.count("Does it run on Android?") == 0  # not generated: nothing went wrong


def test_worst_questions_are_ordered_by_badness_and_capped_at_15() -> None:
    vague = _row(
        id="vague",
        question="What is the vague one?",
        groundedness=0.5,
        sentences=[
            {"text": "Refunds take 30 days.", "supported": True},
            {"text": "Also the moon is cheese.", "supported": False},
        ],
    )
    vaguer = {**vague, "id": "vaguer", "question": "What is the vaguer one?", "groundedness": 0.2}
    answered = _row(
        id="u3",
        dataset="unanswerable",
        question="Is there a desktop app?",
        answerable=False,
        evidence=None,
        answer="Yes, there is one.",
        abstained=False,
        groundedness=None,
    )
    html = render_html(_report(), [vague, *_rows(), answered, vaguer])
    order = [
        html.index(q)
        for q in ("invoices&lt;/b&gt; sent?", "a desktop app?", "the vaguer one?", "the vague one?")
    ]
    assert order == sorted(order)
    assert "answered although the documents don&#39;t cover the question" in html
    assert "Also the moon is cheese." in html
    many = [{**vague, "id": f"v{i}", "question": f"Question number {i}?"} for i in range(20)]
    assert render_html(_report(), many).count("<details>") == 15


def test_passages_are_cut_to_400_characters() -> None:
    rows = _rows()
    rows[1]["retrieved"][1]["text"] = "x" * 399 + "END" + "y" * 200
    html = render_html(_report(), rows)
    assert "x" * 399 + "E…" in html
    assert "y" * 200 not in html


def test_nothing_to_plot_degrades_to_notes() -> None:
    rows = copy.deepcopy(_rows())
    for row in rows:
        row.update(generated=False, best_score=None, retrieved=[])
        row["timings"] = {"retrieval_ms": None, "first_token_ms": None, "total_ms": None}
    report = _report()
    report["overall"] = {"n": 5, "retrieval": None, "answers": {}, "cost": {}}
    html = render_html(report, rows)
    assert "<svg" not in html
    assert html.count('class="nodata"') == 3
    assert render_html(_report(), []).count('class="nodata"') == 3


def test_judge_section_only_when_judged() -> None:
    assert 'id="judge"' not in render_html(_report(), _rows())
    report = _report()
    report["judge"] = {
        "overall": {"faithfulness": 0.8125, "correctness": None, "n": 4, "parse_failures": 1},
        "qa": {"faithfulness": 0.8125, "correctness": None, "n": 4, "parse_failures": 1},
    }
    html = render_html(report, _rows())
    judged = html[html.index('id="judge"') :]
    assert "0.812" in judged or "0.813" in judged
    assert "parse_failures" in judged
