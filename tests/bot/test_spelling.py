"""Typos in a question, corrected for searching from the words of the passages found."""

import pytest

from bot.engine import Engine
from bot.spelling import correct
from groundline.kb import KnowledgeBase
from ingest.cli import build_ingestor
from tests.bot.fakes import ScriptedLLM
from tests.conftest import SAMPLES

PASSAGES = ["To cancel your subscription, go to Settings → Billing.", "Refunds take 30 days."]
KNOWN = frozenset({"how", "do", "cancel", "subscription", "about", "invoices"})


def test_a_misspelt_word_is_corrected_from_the_passages() -> None:
    assert correct("how do i cancle my subscripton?", PASSAGES, KNOWN) == (
        "how do i cancel my subscription?"
    )


@pytest.mark.parametrize(
    "question",
    [
        "How do I cancel my subscription?",  # every word in the passages or the dictionary
        "Tell me about invoices",  # known words the passages don't have
        "Can Tallybook refund?",  # a name near no passage word
        "Do refund take long?",  # a plural away from a passage word
        "canc my sub",  # too short to tell a typo from another word
    ],
)
def test_known_words_and_names_are_left_as_they_are(question: str) -> None:
    assert correct(question, PASSAGES, KNOWN) == question


@pytest.mark.slow
def test_a_question_with_typos_is_answered_from_the_right_passage(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not build_ingestor(kb).ingest([SAMPLES]).failed
    llm = ScriptedLLM("Go to Settings → Billing → Cancel subscription [1].")
    engine = Engine(kb, llm)
    answer = engine.ask("how do i cancle my subscripton")
    assert not answer.abstained
    assert answer.citations[0].doc_id == "billing-and-refunds.md"
    assert "cancle my subscripton" in llm.calls[-1][-1]["content"]  # the model reads it as asked
    # Searched only as written, no passage is close enough: "I don't know".
    monkeypatch.setattr("bot.engine.correct", lambda question, passages, known: question)
    assert engine.ask("how do i cancle my subscripton").abstained_by == "threshold"


@pytest.mark.slow
def test_a_correction_that_comes_no_closer_is_not_searched_with(
    kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not build_ingestor(kb).ingest([SAMPLES]).failed
    engine = Engine(kb, ScriptedLLM("unused"))
    question = "How long do I have to ask for a refund?"
    as_asked = [p.node_id for p in engine.retrieve(question)]
    monkeypatch.setattr("bot.engine.correct", lambda q, passages, known: "zebra quasar nebula")
    assert [p.node_id for p in engine.retrieve(question)] == as_asked
