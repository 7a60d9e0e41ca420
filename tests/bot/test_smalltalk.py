"""Greetings, thanks, an "ok" and requests for a person: told from questions, and answered
without the documents or the model."""

import json

import pytest

from bot.engine import Engine
from bot.language import WRITTEN
from bot.smalltalk import _PHRASES, recognise
from groundline.kb import KnowledgeBase
from groundline.prompts import render
from ingest.cli import build_ingestor
from tests.bot.fakes import ScriptedLLM
from tests.conftest import REPO, SAMPLES


@pytest.mark.parametrize(
    ("message", "kind", "language"),
    [
        ("hi", "greeting", "en"),
        ("Hello there!", "greeting", "en"),
        ("Good morning 👋", "greeting", "en"),
        ("thanks, that helped!", "thanks", "en"),
        ("Thank you so much", "thanks", "en"),
        ("ok thanks, bye", "thanks", "en"),
        ("¡Hola!", "greeting", "es"),
        ("muchas gracias", "thanks", "es"),
        ("Bonjour", "greeting", "fr"),
        ("Merci beaucoup !", "thanks", "fr"),
        ("Guten Morgen", "greeting", "de"),
        ("Vielen Dank für die Hilfe", "thanks", "de"),
        ("I want to talk to a human", "person", "en"),
        ("Can I speak with a real person about my invoice?", "person", "en"),
        ("quiero hablar con una persona", "person", "es"),
        ("Je voudrais parler à un conseiller", "person", "fr"),
        ("Kann ich mit einem Menschen sprechen?", "person", "de"),
        ("ciao", "greeting", "it"),
        ("Grazie mille per l'aiuto!", "thanks", "it"),
        ("Posso parlare con un operatore?", "person", "it"),
        ("Olá, bom dia", "greeting", "pt"),
        ("Muito obrigada!", "thanks", "pt"),
        ("Quero falar com uma pessoa", "person", "pt"),
        ("Hallo, bedankt!", "thanks", "nl"),
        ("Kan ik met een medewerker spreken?", "person", "nl"),
        ("Cześć", "greeting", "pl"),
        ("Dziękuję bardzo!", "thanks", "pl"),
        ("Czy mogę porozmawiać z konsultantem?", "person", "pl"),
        ("Привет", "greeting", "ru"),
        ("Спасибо большое за помощь", "thanks", "ru"),
        ("Можно поговорить с человеком?", "person", "ru"),
        ("你好", "greeting", "zh"),
        ("谢谢！", "thanks", "zh"),
        ("我想找人工客服", "person", "zh"),
        ("こんにちは", "greeting", "ja"),
        ("ありがとうございます！", "thanks", "ja"),
        ("担当者と話したいです", "person", "ja"),
        ("了解しました", "ok", "ja"),
        ("ok", "ok", "en"),
        ("Got it.", "ok", "en"),
        ("no, thanks", "thanks", "en"),
        ("d'accord", "ok", "fr"),
        ("???", "ok", "en"),
        ("🙂", "ok", "en"),
    ],
)
def test_small_talk_is_recognised_with_its_language(message: str, kind: str, language: str) -> None:
    assert recognise(message) == (kind, language)


@pytest.mark.parametrize(
    "message",
    [
        "Hi, how do I cancel my subscription?",
        "Thanks! And how much is Tallybook Payroll?",
        "How do I contact support?",
        "Does the Pro plan include chat support?",
        "Is there a live chat?",
        "Can my accountant talk to the API?",
        "Hola, ¿cuánto cuesta el plan Pro?",
        "ok, and how do I export my data?",
        "Is it ok to delete a draft invoice?",
        "Ciao, come posso annullare l'abbonamento?",
        "Привет, как отменить подписку?",
        "谢谢你的帮助，发票在哪里下载？",
        "請求書はどこで確認できますか？",
        "404",
    ],
)
def test_a_question_is_not_small_talk(message: str) -> None:
    assert recognise(message) is None


def test_small_talk_is_recognised_in_every_language_replies_are_written_in() -> None:
    assert set(_PHRASES) == set(WRITTEN)


@pytest.mark.parametrize("kind", ["greeting", "thanks", "ok", "person"])
def test_every_language_recognised_is_replied_to_in_that_language(kind: str) -> None:
    replies = {
        language: render("smalltalk", kind=kind, language=language, handoff="", webhook=False)
        for language in WRITTEN
    }
    assert all(replies.values())
    assert len(set(replies.values())) == len(WRITTEN)  # none falls back to English


def test_no_question_of_the_evaluation_datasets_is_taken_for_small_talk() -> None:
    asked = [
        message
        for path in sorted((REPO / "eval").glob("*.jsonl"))
        for row in map(json.loads, path.read_text().splitlines())
        for message in [
            row["question"],
            *(m["content"] for m in row.get("history", []) if m["role"] == "user"),
        ]
    ]
    assert len(asked) > 300
    assert [m for m in asked if recognise(m)] == []


@pytest.mark.slow
def test_a_greeting_is_answered_without_searching_or_the_model(kb: KnowledgeBase) -> None:
    llm = ScriptedLLM("unused")
    answer = Engine(kb, llm).ask("Hello!")
    assert answer.text.startswith("Hello!")
    assert not answer.abstained
    assert answer.passages == []
    assert answer.citations == []
    assert llm.calls == []
    assert Engine(kb, llm).ask("gracias").text.startswith("¡De nada!")
    assert Engine(kb, llm).ask("ok").text.startswith("If you have a question")
    assert Engine(kb, llm).ask("grazie").text.startswith("Prego!")


@pytest.mark.slow
def test_asking_for_a_person_is_the_handoff_without_searching_or_the_model(
    kb: KnowledgeBase,
) -> None:
    settings = kb.settings.model_copy(
        update={"handoff": "https://help.example.com/contact", "handoff_webhook": "http://desk"}
    )
    llm = ScriptedLLM("unused")
    engine = Engine(KnowledgeBase(settings, kb.client, kb.embedder), llm)
    answer = engine.ask("Can I talk to a human please?")
    # Abstained, so the chat app sends the conversation to the hand-off webhook.
    assert answer.abstained
    assert answer.abstained_by == "handoff"
    assert "https://help.example.com/contact" in answer.text
    assert "a person will follow up" in answer.text
    assert llm.calls == []


@pytest.mark.slow
def test_a_greeting_with_a_question_is_answered_from_the_documents(kb: KnowledgeBase) -> None:
    assert not build_ingestor(kb).ingest([SAMPLES]).failed
    llm = ScriptedLLM("You can ask for a full refund within 30 days of any payment [1].")
    answer = Engine(kb, llm).ask("Hi! How long do I have to ask for a refund?")
    assert llm.calls
    assert not answer.abstained
    assert answer.citations[0].doc_id == "billing-and-refunds.md"
