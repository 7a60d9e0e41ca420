"""A results row's record of the question."""

from bot.llm import Message
from eval.datasets import Question
from eval.runner import score


def _unused(texts: list[str]) -> list[list[float]]:
    raise AssertionError("nothing to embed without an answer")


def test_a_rows_question_language_is_told_as_the_engine_tells_it() -> None:
    spanish: list[Message] = [
        {"role": "user", "content": "¿Cuánto tiempo tengo para pedir un reembolso?"},
        {"role": "assistant", "content": "Tiene 30 días [1]."},
    ]
    # Too short to tell alone: the conversation's language, as the engine takes it.
    follow_up = Question("f1", "factura duplicada", history=spanish)
    assert score(follow_up, "set", [], None, _unused)["question_language"] == "es"
    assert (
        score(Question("f2", "factura duplicada"), "set", [], None, _unused)["question_language"]
        is None
    )
    stated = Question("f3", "factura duplicada", history=spanish, language="pt")
    assert score(stated, "set", [], None, _unused)["question_language"] == "pt"
