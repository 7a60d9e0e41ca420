import jinja2
import pytest

from bot.engine import Passage
from bot.language import WRITTEN
from groundline import prompts
from groundline.settings import PromptSettings

PASSAGE = Passage(1, "id", "doc.md", "/d/doc.md", "Billing", "Refunds", None, None, "30 days.", 0.9)
VARIABLES = {
    "passages": [PASSAGE],
    "question": "How long?",
    "documents": 3,
    "nearest": ["Billing"],
    "handoff": "support@example.com",
    "reference": "Within 30 days.",
    "answer": "30 days [1].",
    "webhook": True,
    "sentences": ["It works offline."],
    "language": "Spanish",  # translate.j2's; abstain.j2 takes a code and gives English else
    "text": "Thirty days [1].",
    "kind": "greeting",
}


def test_every_prompt_file_renders() -> None:
    names = prompts.available()
    assert {"system", "answer", "abstain"} <= set(names)
    for name in names:
        assert prompts.render(name, **VARIABLES)


def test_every_prompt_setting_names_an_existing_file() -> None:
    for name in PromptSettings().model_dump().values():
        assert name in prompts.available()


def test_answer_prompt_numbers_the_passages_and_asks_for_citations() -> None:
    text = prompts.render("answer", passages=[PASSAGE, PASSAGE], question="How long?")
    assert "[1] Billing › Refunds" in text
    assert "[2] Billing › Refunds" in text
    assert "How long?" in text


def test_judge_prompt_asks_for_correctness_only_with_a_reference() -> None:
    graded = prompts.render("judge", **VARIABLES)
    assert "Within 30 days." in graded
    assert '"correctness"' in graded
    ungraded = prompts.render("judge", **{**VARIABLES, "reference": None})
    assert '"correctness"' not in ungraded
    assert '"faithfulness"' in ungraded


def test_abstain_prompt_offers_the_handoff() -> None:
    text = prompts.render("abstain", **VARIABLES)
    assert text.startswith("I don't know")
    assert "support@example.com" in text


def test_a_missing_variable_is_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError):
        prompts.render("answer", passages=[])


def test_abstain_prompt_says_so_when_the_knowledge_base_is_empty() -> None:
    text = prompts.render("abstain", **{**VARIABLES, "documents": 0, "nearest": []})
    assert text.startswith("I don't know: the knowledge base has no documents yet")
    assert "searched" not in text
    assert "support@example.com" in text


@pytest.mark.parametrize("documents", [1, 3, 0])
def test_abstain_prompt_is_written_in_every_language_replies_are_written_in(documents: int) -> None:
    nearest = ["Billing"] if documents else []
    variables = {**VARIABLES, "documents": documents, "nearest": nearest}
    del variables["language"]
    replies = {code: prompts.render("abstain", **variables, language=code) for code in WRITTEN}
    assert len(set(replies.values())) == len(WRITTEN)  # none falls back to English
    for reply in replies.values():
        assert "support@example.com" in reply
        assert all(topic in reply for topic in nearest)
        assert (str(documents) in reply) == bool(documents)
    assert prompts.render("abstain", **variables, language="sv") == replies["en"]


@pytest.mark.parametrize(
    ("documents", "nearest", "said"),
    [
        (
            1,
            ["Billing"],
            "1 document in the knowledge base and it doesn't cover this question "
            "(the closest topic was Billing).",
        ),
        (
            3,
            ["Billing"],
            "3 documents in the knowledge base and they don't cover this question "
            "(the closest topic was Billing).",
        ),
        (
            3,
            ["Billing", "Plans"],
            "3 documents in the knowledge base and they don't cover this "
            "question (the closest topics were Billing, Plans).",
        ),
    ],
)
def test_the_english_abstention_agrees_in_number(
    documents: int, nearest: list[str], said: str
) -> None:
    text = prompts.render("abstain", **{**VARIABLES, "documents": documents, "nearest": nearest})
    assert f"I don't know: I searched {said}" in text


def test_abstain_prompt_says_a_person_will_follow_up_only_with_a_webhook() -> None:
    assert "follow up" in prompts.render("abstain", **VARIABLES)
    assert "follow up" not in prompts.render("abstain", **{**VARIABLES, "webhook": False})


def test_translate_prompt_names_the_language_and_keeps_markers() -> None:
    text = prompts.render("translate", language="Spanish", text="Thirty days [1].")
    assert text.startswith("Translate into Spanish.")
    assert "[n] marker" in text
    assert text.endswith("Thirty days [1].")
