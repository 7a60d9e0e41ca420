"""Engine logic with a scripted LLM, and the real small model on the sample documents."""

import asyncio
import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from bot.cli import show
from bot.engine import Answer, Engine, Passage, closing, keeps, opens_dont_know
from bot.language import detect
from bot.llm import LlamaCppLLM, Message
from groundline.kb import KnowledgeBase
from ingest.cli import build_ingestor
from tests.bot.fakes import ScriptedLLM, TranslatingLLM
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture
def samples_kb(kb: KnowledgeBase) -> KnowledgeBase:
    assert not build_ingestor(kb).ingest([SAMPLES]).failed
    return kb


REFUND = "How long do I have to ask for a refund?"


def _refund(kb: KnowledgeBase) -> tuple[Engine, ScriptedLLM, int]:
    """An engine with a scripted model, whose reply the test sets, and the number of the passage
    it gives the model that answers REFUND."""
    llm = ScriptedLLM("")
    engine = Engine(kb, llm)
    n = next(p.n for p in engine.retrieve(REFUND) if "full refund within 30 days" in p.text)
    return engine, llm, n


def test_answer_with_valid_citations_maps_to_given_chunks(samples_kb: KnowledgeBase) -> None:
    engine, llm, n = _refund(samples_kb)
    llm.reply = f"You can ask for a full refund within 30 days of any payment [{n}]. See [9]."
    answer = engine.ask(REFUND)
    assert not answer.abstained
    assert "[9]" not in answer.text  # not a passage the model was given
    assert answer.text.startswith(
        f"You can ask for a full refund within 30 days of any payment [{n}]."
    )
    assert answer.groundedness == 1.0
    assert [c.n for c in answer.citations] == [n]
    assert answer.citations[0].doc_id == "billing-and-refunds.md"
    assert answer.citations[0] is answer.passages[n - 1]


def test_a_citation_of_the_wrong_passage_is_moved_to_the_right_one(
    samples_kb: KnowledgeBase,
) -> None:
    engine, llm, n = _refund(samples_kb)
    wrong = next(p.n for p in engine.retrieve(REFUND) if "refund" not in p.text.lower())
    llm.reply = f"You can ask for a full refund within 30 days of any payment [{wrong}]."
    answer = engine.ask(REFUND)
    assert not answer.abstained
    assert answer.recited == 1
    assert answer.text == f"You can ask for a full refund within 30 days of any payment [{n}]."
    assert [c.n for c in answer.citations] == [n]


def test_a_run_of_markers_citing_every_passage_is_replaced_by_the_source(
    samples_kb: KnowledgeBase,
) -> None:
    engine, llm, n = _refund(samples_kb)
    assert len(engine.relevant(engine.retrieve(REFUND), REFUND)) >= 3
    llm.reply = "You can ask for a full refund within 30 days of any payment. [1][2][3]"
    answer = engine.ask(REFUND)
    assert answer.text == f"You can ask for a full refund within 30 days of any payment [{n}]."
    assert [c.n for c in answer.citations] == [n]


def test_a_line_of_code_is_cited_by_the_sentence_before_it_not_in_itself(
    samples_kb: KnowledgeBase,
) -> None:
    engine, llm, n = _refund(samples_kb)
    code = "```\n$ request --full refund within 30 days of any payment\n```"
    llm.reply = f"Run:\n{code}"
    answer = engine.ask(REFUND)
    assert not answer.abstained
    assert answer.recited == 1
    assert answer.text == f"Run [{n}]:\n{code}"
    assert [c.n for c in answer.citations] == [n]
    # A marker the model writes on a command goes to the sentence before it, with none, to the
    # sources only: a user copies the command as it is shown.
    llm.reply = f"$ request --full refund within 30 days of any payment [{n}]"
    answer = engine.ask(REFUND)
    assert answer.text == "$ request --full refund within 30 days of any payment"
    assert [c.n for c in answer.citations] == [n]


def test_passages_given_are_numbered_as_the_prompt_numbers_them(
    samples_kb: KnowledgeBase,
) -> None:
    engine = Engine(samples_kb, ScriptedLLM(""))
    first, second, third = engine.retrieve("How long do I have to ask for a refund?")[:3]
    # Hybrid search can rank a keyword match the embeddings find too far: it is not given.
    floor = samples_kb.settings.retrieval.min_score
    low = replace(second, similarity=floor / 2)
    given = engine.relevant([first, low, replace(third, similarity=floor + 0.1)], "the weather")
    assert [p.node_id for p in given] == [first.node_id, third.node_id]
    assert [p.n for p in given] == [1, 2]  # [2] in the answer is the third passage found
    messages, _ = engine.fit("q", [], given)
    assert f"[2] {third.title}" in messages[-1]["content"]  # the prompt's numbering


def test_a_passage_holding_every_word_asked_is_given_however_far(
    samples_kb: KnowledgeBase,
) -> None:
    # Two words say less to the embedder than a question: "free trial" comes no closer than
    # the threshold to the passage that says "a 14-day free trial of the Team plan".
    engine = Engine(samples_kb, ScriptedLLM("Every new account starts on a 14-day free trial [1]."))
    floor = samples_kb.settings.retrieval.min_score
    far = [replace(p, similarity=floor / 2) for p in engine.retrieve("free trial")]
    given = engine.relevant(far, "free trial")
    assert given
    assert all("free trial" in p.text.lower() for p in given)
    assert engine.relevant(far, "free android trial") == []  # a word no passage holds
    answer = engine.ask("free trial")
    assert answer.worded  # recorded for `eval calibrate`
    assert not answer.abstained
    assert not engine.ask("free android trial").worded


UNSUPPORTED = "Tallybook has a free Android app that works offline on every phone [1]."


def test_the_cli_prints_the_checked_answer_not_the_draft_it_streamed(
    samples_kb: KnowledgeBase,
) -> None:
    engine = Engine(samples_kb, ScriptedLLM(UNSUPPORTED))
    streamed = [i for i in engine.stream("What is the refund window?") if isinstance(i, str)]
    assert "Android" in "".join(streamed)  # the draft streams before the check refuses it
    for terminal in (False, True):
        out = io.StringIO()
        console = Console(file=out, force_terminal=terminal, width=200)
        answer = show(engine.stream("What is the refund window?"), console)
        assert answer.abstained_by == "grounding"
        # A terminal shows the draft as it streams, then its last frame is the answer; a pipe
        # or a file gets the answer only.
        last = out.getvalue().split("\r")[-2 if terminal else -1]
        assert "I don't know" in last
        assert "Android" not in last
        assert terminal or "Android" not in out.getvalue()


# What the small model wrote asked "How do I get a refund?" in the chat: its answer, then the
# answer again until it ran out of tokens (23 s).
SAID = (
    "You can ask for a full refund within 30 days of any subscription payment [1]. "
    "To request a refund, email billing@tallybook.example from the Owner's email address [1]. "
)


def test_an_answer_that_repeats_itself_is_stopped_where_it_begins_to(
    samples_kb: KnowledgeBase,
) -> None:
    answer = Engine(samples_kb, ScriptedLLM(SAID * 8)).ask("How do I get a refund?")
    assert answer.text == SAID.strip()
    assert not answer.abstained
    assert [p.doc_id for p in answer.citations] == ["billing-and-refunds.md"]
    # The model was stopped once the loop was plain, not left to write all 8 rounds.
    assert answer.completion_tokens < len(SAID.split()) * 3


def test_a_sentence_the_model_says_twice_is_shown_once(samples_kb: KnowledgeBase) -> None:
    first = SAID.split("[1]. ")[0] + "[1]."
    answer = Engine(samples_kb, ScriptedLLM(SAID + first)).ask("How do I get a refund?")
    assert answer.text == SAID.strip()
    assert not answer.abstained


def test_the_model_talking_of_its_passages_is_not_shown(samples_kb: KnowledgeBase) -> None:
    # The user never saw the passages: the markers say where a sentence comes from.
    reply = (
        "The passage [1] states that you can ask for a full refund within 30 days of any "
        "subscription payment. To request a refund, email billing@tallybook.example from the "
        "Owner's email address. This is [1]."
    )
    answer = Engine(samples_kb, ScriptedLLM(reply)).ask("How do I get a refund?")
    assert answer.text == SAID.strip()
    assert not answer.abstained


def test_code_a_reply_only_points_to_is_shown_from_the_page(
    kb: KnowledgeBase, tmp_path: Path
) -> None:
    # An HTML page's <pre> is fenced when ingested; the model wrote the lead-in and a marker
    # where the page has the code, and the user gets the page's code under the lead-in.
    page = tmp_path / "docs" / "methods.html"
    page.parent.mkdir()
    page.write_text(
        "<html><body><main><h1>Methods</h1><p>A method is a function on some object x that you "
        "normally call as x.name(arguments).</p><p>Methods are defined as functions inside the "
        "class definition:</p><pre>class C:\n    def meth(self, arg):\n        return arg * 2"
        "</pre><p>A method is called on an instance of the class.</p></main></body></html>"
    )
    assert not build_ingestor(kb).ingest([page.parent]).failed
    lead = "Methods are defined as functions inside the class definition"
    llm = ScriptedLLM(f"A method is a function on some object [1]. {lead}:\n[1]")
    answer = Engine(kb, llm).ask("How do I define a method?")
    assert not answer.abstained
    code = "```\nclass C:\n    def meth(self, arg):\n        return arg * 2\n```"
    assert answer.text == f"A method is a function on some object [1]. {lead} [1]:\n{code}"
    assert code in answer.passages[0].text  # as stored, and shown among the sources
    # The model read the code without its fences, which made it answer more questions that its
    # passages don't answer (eval/README.md).
    prompt = llm.calls[-1][-1]["content"]
    assert "class C:\n    def meth(self, arg):" in prompt
    assert "```" not in prompt
    # So it copies code without them: what it copies from the page is fenced.
    llm.reply = f"{lead}:\nclass C:\n    def meth(self, arg):\n        return arg * 2 [1]"
    assert Engine(kb, llm).ask("How do I define a method?").text == f"{lead} [1]:\n{code}"


def test_an_answer_its_citations_dont_support_becomes_an_abstention(
    samples_kb: KnowledgeBase,
) -> None:
    assert samples_kb.settings.answers.grounding == "abstain"  # the default
    answer = Engine(samples_kb, ScriptedLLM(UNSUPPORTED)).ask("What is the refund window?")
    assert answer.abstained
    assert answer.abstained_by == "grounding"
    assert answer.text.startswith("I don't know")
    assert answer.citations == []
    assert answer.draft == UNSUPPORTED  # kept for the evaluation's rows, never shown


def test_the_evaluation_row_of_a_refused_answer_shows_what_was_refused_and_why(
    samples_kb: KnowledgeBase,
) -> None:
    from eval.datasets import Question
    from eval.runner import score

    engine = Engine(samples_kb, ScriptedLLM(UNSUPPORTED))
    question = Question(id="r1", question="What is the refund window?", answerable=True)
    embed = samples_kb.embedder.get_text_embedding_batch
    answer = engine.ask(question.question)
    row = score(question, "d", engine.retrieve(question.question), answer, embed)
    assert row["abstained_by"] == "grounding"
    assert row["draft"] == UNSUPPORTED
    assert row["dont_know"] == 0.0  # the scripted model's only opening is the reply's first word
    closest = max(p.similarity or 0 for p in engine.retrieve(question.question))
    # What min_score is compared with, unrounded: calibrating replays that comparison.
    assert row["closest"] == closest
    assert row["draft_sentences"]
    assert not any(s["supported"] for s in row["draft_sentences"])
    assert row["sentences"] is None


def test_flag_mode_shows_the_unsupported_answer_with_a_warning(samples_kb: KnowledgeBase) -> None:
    samples_kb.settings.answers.grounding = "flag"
    answer = Engine(samples_kb, ScriptedLLM(UNSUPPORTED)).ask("What is the refund window?")
    assert not answer.abstained
    assert answer.flagged
    assert answer.groundedness == 0.0
    assert "could not be verified" in answer.text


def test_a_shown_answer_names_the_sentences_its_passages_dont_support(
    samples_kb: KnowledgeBase,
) -> None:
    supported = "You can ask for a full refund within 30 days of any subscription payment."
    reply = f"{supported} {UNSUPPORTED}"  # half supported: enough to show, in the default mode
    answer = Engine(samples_kb, ScriptedLLM(reply)).ask("How long do I have to ask for a refund?")
    assert not answer.abstained
    assert answer.groundedness == 0.5
    assert answer.flagged
    answer_part, warning = answer.text.split("\n\n⚠")
    assert "full refund within 30 days" in answer_part
    assert "Android app" in warning  # the sentence not verified is named
    assert "full refund" not in warning  # the one verified is not


def test_the_evaluation_scores_a_flagged_answer_without_its_warning(
    samples_kb: KnowledgeBase,
) -> None:
    from eval.datasets import Question
    from eval.runner import score

    reply = "You can ask for a full refund within 30 days of any subscription payment. "
    engine = Engine(samples_kb, ScriptedLLM(reply + UNSUPPORTED))
    question = Question(id="f1", question="How long do I have to ask for a refund?")
    embed = samples_kb.embedder.get_text_embedding_batch
    answer = engine.ask(question.question)
    row = score(question, "d", engine.retrieve(question.question), answer, embed)
    assert row["flagged"] is True
    assert "⚠" in row["answer"]  # the row keeps what the user saw
    assert row["groundedness"] == 0.5  # the warning's quotes are not scored as the answer's
    assert len(row["sentences"]) == 2


def test_an_uncited_answer_is_checked_against_every_passage_given_and_cited_to_its_source(
    samples_kb: KnowledgeBase,
) -> None:
    reply = "You can ask for a full refund within 30 days of any subscription payment."
    answer = Engine(samples_kb, ScriptedLLM(reply)).ask("How long do I have to ask for a refund?")
    assert answer.groundedness == 1.0
    assert not answer.flagged
    n = next(p.n for p in answer.passages if "full refund within 30 days" in p.text)
    assert answer.text == f"{reply[:-1]} [{n}]."
    assert [c.n for c in answer.citations] == [n]


@pytest.mark.parametrize("reply", ["[1] [2]", "The answer is [4]."])
def test_an_answer_that_says_nothing_is_an_abstention(
    samples_kb: KnowledgeBase, reply: str
) -> None:
    samples_kb.settings.answers.grounding = "off"
    answer = Engine(samples_kb, ScriptedLLM(reply)).ask("What is the refund window?")
    assert answer.abstained
    assert answer.abstained_by == "model"
    assert answer.text.startswith("I don't know")


@pytest.mark.parametrize(
    ("token", "opens"),
    [
        *[("I", True), (" I", True), ("[I", True), ("I don", True), ("I'm", True), ("i", True)],
        *[("In", False), ("If", False), ("The", False), ("[", False), ("\n", False)],
    ],
)
def test_which_first_tokens_open_dont_know(token: str, opens: bool) -> None:
    assert opens_dont_know(token) is opens


def test_a_likely_dont_know_abstains_without_generating(samples_kb: KnowledgeBase) -> None:
    samples_kb.settings.answers.dont_know_probability = 0.5
    # "I" opens "I don't know"; with "I'm" (as in "I'm not sure") it is 0.6 of the openings.
    openings = [("I", 0.45), ("The", 0.3), ("I'm", 0.15), ("Yes", 0.1)]
    llm = ScriptedLLM("The refund window is 30 days [1].", openings=openings)
    answer = Engine(samples_kb, llm).ask("What is the refund window?")
    assert answer.abstained
    assert answer.abstained_by == "model"
    assert llm.prefixes == []  # never asked for the reply
    assert answer.prompt_tokens > 0  # the model read the prompt to weigh its openings
    assert answer.dont_know == pytest.approx(0.6)
    assert answer.closest == max(p.similarity or 0 for p in answer.passages)


def test_under_min_score_the_model_is_not_asked_and_the_closest_passage_is_recorded(
    samples_kb: KnowledgeBase,
) -> None:
    samples_kb.settings.retrieval.min_score = 0.99
    llm = ScriptedLLM("The refund window is 30 days [1].")
    answer = Engine(samples_kb, llm).ask("What is the refund window?")
    assert (answer.abstained, answer.abstained_by) == (True, "threshold")
    assert llm.prefixes == []
    assert answer.dont_know is None
    assert answer.closest is not None
    assert 0.35 < answer.closest < 0.99  # a refund passage, under the raised floor


def test_an_unlikely_dont_know_gives_way_to_the_likeliest_other_opening(
    samples_kb: KnowledgeBase,
) -> None:
    samples_kb.settings.answers.dont_know_probability = 0.5
    # "I don't know" is the single likeliest opening, but less likely than not.
    openings = [("I", 0.4), ("\n", 0.2), ("You", 0.3), ("The", 0.1)]
    reply = "You can ask for a full refund within 30 days of any payment [1]."
    llm = ScriptedLLM(reply, openings=openings)
    answer = Engine(samples_kb, llm).ask("How long do I have to ask for a refund?")
    assert llm.prefixes == ["You"]  # not "I", and not a blank opening
    assert not answer.abstained
    assert answer.dont_know == pytest.approx(0.4)
    assert answer.text.startswith("You can ask for a full refund within 30 days")


def test_a_forced_opening_followed_by_dont_know_is_the_models_abstention(
    samples_kb: KnowledgeBase,
) -> None:
    samples_kb.settings.answers.dont_know_probability = 0.5
    openings = [("I", 0.4), ("No", 0.35), ("Yes", 0.25)]
    llm = ScriptedLLM("No, I don't know: the passages don't say.", openings=openings)
    pieces = list(Engine(samples_kb, llm).stream("Does Tallybook run on a fridge?"))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    assert llm.prefixes == ["No"]
    assert (answer.abstained, answer.abstained_by) == (True, "model")
    assert pieces[:-1] == [answer.text]  # the model's words were never shown
    assert answer.text.startswith("I don't know: I searched")


@pytest.mark.parametrize(
    ("reply", "kept"),
    [
        ("Within 30 days [1].\nI don't know.", "Within 30 days [1].\n"),
        ("Within 30 days [1]. I do not know.\n", "Within 30 days [1]. "),
        ("Within 30 days [1].\n\nI don", "Within 30 days [1].\n\n"),  # may yet become one
        ("Within 30 days [1]. I", "Within 30 days [1]. "),
        ("Within 30 days [1]. It is", "Within 30 days [1]. It is"),
        ("Within 30 days [1]. I'm not sure it applies to add-ons.", None),
        ("I don't know. Refunds take 30 days [1].", None),  # only the last sentence
    ],
)
def test_where_a_closing_dont_know_begins(reply: str, kept: str | None) -> None:
    assert reply[: closing(reply)] == (reply if kept is None else kept)


def test_a_closing_dont_know_after_an_answer_is_never_shown(samples_kb: KnowledgeBase) -> None:
    question = "How long do I have to ask for a refund?"
    llm = ScriptedLLM("")
    engine = Engine(samples_kb, llm)
    n = next(p.n for p in engine.retrieve(question) if "full refund within 30 days" in p.text)
    said = f"You can ask for a full refund within 30 days of any payment [{n}]."
    llm.reply = said + "\nI don't know."
    pieces = list(engine.stream(question))
    answer = pieces[-1]
    assert isinstance(answer, Answer)
    assert not answer.abstained
    assert answer.text == said
    assert "".join(str(p) for p in pieces[:-1]).strip() == said  # never shown, not even streamed
    llm.reply = said + " I'm not sure it applies to add-ons."
    assert engine.ask(question).text.startswith(llm.reply)  # a sentence saying more is kept


def test_context_is_fitted_to_the_window(samples_kb: KnowledgeBase) -> None:
    question = "How much does Tallybook Payroll cost?"
    llm = ScriptedLLM("Answer [1].")
    engine = Engine(samples_kb, llm)
    passages = engine.retrieve(question)
    assert len(passages) == samples_kb.settings.retrieval.top_k
    two = llm.count_tokens(engine.fit(question, [], passages[:2])[0])
    llm.context_window = two + samples_kb.settings.llm.max_answer_tokens
    answer = engine.ask(question)
    assert [p.n for p in answer.passages] == [1, 2]  # the best two: all that fit
    assert llm.count_tokens(llm.calls[0]) <= two


def test_a_follow_up_is_asked_with_the_conversation_and_a_new_topic_without_its_answers(
    samples_kb: KnowledgeBase,
) -> None:
    follow_up = [
        {"role": "user", "content": "Does Tallybook have an API?"},
        {"role": "assistant", "content": "Yes, a REST API (version 2) that returns JSON."},
    ]
    llm = ScriptedLLM("Up to 5 [1].")
    Engine(samples_kb, llm).ask("How many keys can I have at once for it?", follow_up)
    assert llm.calls[0][1:3] == follow_up
    # The bot's answer about Direct Debit would only tempt the model to repeat it.
    old_topic = [
        {"role": "user", "content": "Can I pay for my subscription by Direct Debit?"},
        {"role": "assistant", "content": "Yes, from a UK bank account."},
    ]
    llm = ScriptedLLM("At least 12 characters [1].")
    Engine(samples_kb, llm).ask("How long does a password have to be?", old_topic)
    assert llm.calls[0][1:-1] == old_topic[:1]


def test_a_follow_up_is_searched_with_the_questions_that_name_its_subject(
    samples_kb: KnowledgeBase,
) -> None:
    engine = Engine(samples_kb, ScriptedLLM(""))
    question = "And how many of them can I have at once?"
    history = [
        {"role": "user", "content": "Does Tallybook have an API?"},
        {"role": "assistant", "content": "Yes, a REST API (version 2) that returns JSON."},
        {"role": "user", "content": "How do I get a key?"},  # itself a follow-up
        {"role": "assistant", "content": "Create API keys at Settings > Developer > API keys."},
    ]

    def found(earlier: list[dict[str, str]]) -> bool:
        passages, _ = engine.search(question, earlier)
        return any("at most 5 active API keys" in p.text for p in passages)

    assert not found([])  # alone, "them" names nothing
    assert not found(history[2:])  # "a key" of what?
    assert found(history)
    assert engine.search(question, history)[1]  # it follows up on the conversation
    assert engine.standalone("What is the refund window?", []) == "What is the refund window?"


def test_a_new_topic_after_an_old_one_is_searched_alone(samples_kb: KnowledgeBase) -> None:
    engine = Engine(samples_kb, ScriptedLLM(""))
    question = "How long does a password have to be?"
    history = [
        {"role": "user", "content": "Can I pay for my subscription by Direct Debit?"},
        {"role": "assistant", "content": "Yes, from a UK bank account."},
    ]
    evidence = "passwords must be at least 12 characters long"
    # Searched with the old question, the old topic's passages come first.
    assert evidence not in engine.retrieve(engine.standalone(question, history))[0].text
    passages, follows_up = engine.search(question, history)
    assert evidence in passages[0].text
    assert not follows_up


def test_a_longer_list_makes_the_choice_the_answer_made(
    samples_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine(samples_kb, ScriptedLLM(""))
    top = samples_kb.settings.retrieval.top_k

    def passages(similarities: list[float]) -> list[Passage]:
        return [
            Passage(n, f"c{n}", "d", "d.md", "T", "", None, None, "text", s, s)
            for n, s in enumerate(similarities, start=1)
        ]

    # With the conversation: 0.5 in the answer's passages, 0.9 only further down the list.
    with_context = [0.5] * top + [0.9] * top
    alone = [0.6] * (2 * top)

    def retrieve(query: str, k: int | None = None) -> list[Passage]:
        ranked = with_context if "\n" in query else alone
        return passages(ranked[: k or top])

    monkeypatch.setattr(engine, "retrieve", retrieve)
    history = [{"role": "user", "content": "Does Tallybook have an API?"}]
    assert engine.search("How many keys?", history)[1] is False  # alone came closer
    assert engine.search("How many keys?", history, 2 * top)[1] is False


def test_astream_runs_off_the_event_loop(samples_kb: KnowledgeBase) -> None:
    engine = Engine(samples_kb, ScriptedLLM("Thirty days [1]."))

    async def collect() -> list[object]:
        return [item async for item in engine.astream("What is the refund window?")]

    items = asyncio.run(collect())
    assert isinstance(items[-1], Answer)
    assert "".join(i for i in items if isinstance(i, str)).strip() == items[-1].text


def test_an_answer_stopped_by_the_user_stops_the_model(samples_kb: KnowledgeBase) -> None:
    """The chat's stop button cancels the task reading ``astream``: the model stops too, rather
    than write on in its thread while the next question waits for it."""
    reply = " ".join(f"Refunds take 30 days in case {i} [1]." for i in range(100))
    llm = ScriptedLLM(reply, pace=0.01)
    engine = Engine(samples_kb, llm)

    async def stop_once_it_writes() -> None:
        async def read() -> None:
            async for item in engine.astream("What is the refund window?"):
                if not writing.done():
                    writing.set_result(item)

        writing: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(read())
        await writing
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(stop_once_it_writes())
    time.sleep(0.5)
    given = llm.given
    time.sleep(0.5)
    assert llm.given == given  # stopped
    assert given < len(reply.split(" ")) / 2


SPANISH = "¿Cuánto tiempo tengo para pedir un reembolso de mi suscripción?"


def test_a_question_in_another_language_is_answered_in_it_from_the_documents(
    samples_kb: KnowledgeBase,
) -> None:
    english = "How long do I have to ask for a refund of my subscription?"
    llm = TranslatingLLM("", {"English": english})
    engine = Engine(samples_kb, llm)
    n = next(p.n for p in engine.retrieve(english) if "full refund within 30 days" in p.text)
    said = f"You can ask for a full refund within 30 days of any payment [{n}]."
    llm.reply = said
    llm.translations["Spanish"] = f"Puede pedir un reembolso completo en un plazo de 30 días [{n}]."
    answer = engine.ask(SPANISH)
    # Searched, answered and checked in English, the documents' language; shown in Spanish.
    assert answer.language == "es"
    assert answer.asked == english
    assert answer.translated_from == said
    assert answer.text == llm.translations["Spanish"]
    assert answer.groundedness == 1.0
    assert [c.doc_id for c in answer.citations] == ["billing-and-refunds.md"]
    assert english in llm.calls[-2][-1]["content"]  # the answer prompt asked it in English


def test_a_figure_written_with_the_languages_own_separators_is_kept() -> None:
    english = "An account may make 50,000 requests a day and pays £12.50 [1]."
    assert keeps(english, "Una cuenta puede hacer 50.000 solicitudes al día y paga 12,50 £ [1].")
    assert not keeps(english, "Una cuenta puede hacer 50.000 solicitudes al día y paga 12 £ [1].")
    assert not keeps(english, "Una cuenta puede hacer 50.000 solicitudes al día y paga 12,50 £.")


def full_width(text: str) -> str:
    """``text``'s ASCII written full width, as Chinese and Japanese text may write it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_an_address_and_link_written_against_chinese_or_japanese_are_kept() -> None:
    # Chinese and Japanese put no space around them, and may write figures and brackets full
    # width. (The model's Chinese translation of a help-centre answer was not shown: its address
    # was read as "将电子邮件发送到onboarding@tallybook.example".)
    english = "Email onboarding@tallybook.example or see https://tallybook.example/pricing [1]."
    chinese = (
        f"将电子邮件发送到onboarding@tallybook.example{full_width(',')}"
        "或查看https://tallybook.example/pricing。[1]"
    )
    assert keeps(english, chinese)
    assert not keeps(english, chinese.replace("onboarding@", "help@"))
    searched, marker = "I searched 14 documents [2].", full_width("[2]")
    assert keeps(searched, f"{full_width('14')}件を検索しました{marker}。")
    assert not keeps(searched, f"件を検索しました{marker}。")


def test_a_translation_that_loses_a_marker_or_figure_is_not_shown(
    samples_kb: KnowledgeBase,
) -> None:
    english = "How long do I have to ask for a refund of my subscription?"
    said = "You can ask for a full refund within 30 days of any payment [1]."
    for lossy in (
        "Puede pedir un reembolso en 30 días.",
        "Puede pedir un reembolso en 60 días [1].",
    ):
        llm = TranslatingLLM(said, {"English": english, "Spanish": lossy})
        answer = Engine(samples_kb, llm).ask(SPANISH)
        assert answer.text.startswith("You can ask for a full refund within 30 days")
        assert answer.language is None
        assert answer.asked == english  # searched and answered in English all the same


def test_an_abstention_in_a_language_prompts_are_written_in_is_not_translated(
    kb: KnowledgeBase,
) -> None:
    settings = kb.settings.model_copy(update={"handoff": "https://help.example.com/contact"})
    llm = TranslatingLLM("", {"English": "How long do I have to ask for a refund?"})
    answer = Engine(KnowledgeBase(settings, kb.client, kb.embedder), llm).ask(SPANISH)
    assert answer.abstained_by == "threshold"  # an empty knowledge base
    assert answer.text.startswith("No lo sé: la base de conocimiento aún no tiene documentos")
    assert "https://help.example.com/contact" in answer.text
    assert answer.language == "es"
    assert not [c for c in llm.calls if c[-1]["content"].startswith("Translate into Spanish")]


def test_an_abstention_in_another_language_is_translated_with_its_handoff_kept(
    kb: KnowledgeBase,
) -> None:
    settings = kb.settings.model_copy(update={"handoff": "https://help.example.com/contact"})
    swedish = "Jag vet inte: det finns inga dokument än. En person kan hjälpa dig: https://help.example.com/contact"
    llm = TranslatingLLM(
        "", {"English": "How long do I have to ask for a refund?", "Swedish": swedish}
    )
    question = "Hur lång tid har jag på mig att begära återbetalning av min prenumeration?"
    answer = Engine(KnowledgeBase(settings, kb.client, kb.embedder), llm).ask(question)
    assert answer.abstained_by == "threshold"
    assert answer.text == swedish
    assert answer.language == "sv"


def test_a_message_too_short_to_tell_is_in_the_conversations_language(
    samples_kb: KnowledgeBase,
) -> None:
    assert detect("factura duplicada") is None  # two words: no language is likely enough
    history: list[Message] = [
        {"role": "user", "content": SPANISH},
        {"role": "assistant", "content": "Tienes 30 días [1]."},
    ]
    llm = TranslatingLLM("I don't know.", {"English": "duplicate invoice"})
    answer = Engine(samples_kb, llm).ask("factura duplicada", history)
    assert answer.asked == "duplicate invoice"
    assert answer.language == "es"
    assert answer.text.startswith("No lo sé")
    # In an English conversation the same short message is asked as it is.
    english: list[Message] = [{"role": "user", "content": "How long do I have for a refund?"}]
    llm = TranslatingLLM("I don't know.", {"English": "duplicate invoice"})
    answer = Engine(samples_kb, llm).ask("factura duplicada", english)
    assert answer.language is None
    assert not [c for c in llm.calls if c[-1]["content"].startswith("Translate")]


def test_a_question_in_the_documents_language_is_not_translated(samples_kb: KnowledgeBase) -> None:
    llm = TranslatingLLM("Thirty days [1].", {"English": "unused", "Spanish": "unused"})
    answer = Engine(samples_kb, llm).ask(
        "How long do I have to ask for a refund of my subscription?"
    )
    assert answer.language is None
    assert all(not c[-1]["content"].startswith("Translate") for c in llm.calls)


MISREAD = "Can I sync invoices with Société Générale?"  # the bank's name reads as French


@pytest.mark.parametrize(
    "given_back",
    [
        MISREAD,  # the model gives the question back as it is
        "Sync invoices with Société Générale?",  # without "Can I": the same content words
    ],
)
def test_a_misread_question_the_model_gives_back_is_asked_as_it_is(
    samples_kb: KnowledgeBase, given_back: str
) -> None:
    # Asked to translate it into English, the model gives it back: it is not translated, nor is
    # its answer, and the reply stays English.
    assert detect(MISREAD) == "fr"
    llm = TranslatingLLM("I don't know.", {"English": given_back, "French": "Je ne sais pas."})
    answer = Engine(samples_kb, llm).ask(MISREAD)
    assert answer.language is None
    assert "Je ne sais pas" not in answer.text
    assert not [c for c in llm.calls if c[-1]["content"].startswith("Translate into French")]


def test_real_model_answers_from_the_right_document(
    samples_kb: KnowledgeBase, llm: LlamaCppLLM
) -> None:
    answer = Engine(samples_kb, llm).ask("What is the API rate limit per minute?")
    assert not answer.abstained
    assert "120" in answer.text
    assert answer.citations
    assert {Path(c.source).name for c in answer.citations} == {"api-reference.pdf"}
    assert answer.prompt_tokens > 0
    assert answer.completion_tokens > 0
    assert answer.timings.first_token_ms is not None


def test_real_model_replies_to_a_question_in_spanish_in_spanish(
    samples_kb: KnowledgeBase, llm: LlamaCppLLM
) -> None:
    # The small test model doubts its answer here: the abstention is written in Spanish.
    answer = Engine(samples_kb, llm).ask("¿Qué pasa si supero el límite de velocidad de la API?")
    assert answer.language == "es"
    assert detect(answer.text) == "es"
    assert answer.translated_from is not None
    assert detect(answer.translated_from) == "en"
