"""Groundedness: which answer sentences the passages they cite support."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from bot.grounding import (
    code_citations,
    content_words,
    fence_code,
    figures,
    ground,
    names,
    new_words,
    recite,
    repeating,
    split_sentences,
    unfenced,
    unframed,
    unrepeated,
    with_code,
)

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

VOCAB = ["refund", "days", "payroll", "price", "android", "app"]


def bag_of_words(texts: list[str]) -> list[list[float]]:
    """A deterministic stand-in embedder: one 0/1 dimension per vocabulary word."""
    return [[float(w in content_words(t)) for w in VOCAB] for t in texts]


def zero_similarity(texts: list[str]) -> list[list[float]]:
    """An embedder under which nothing is similar, so only word overlap can support."""
    return [[0.0] for _ in texts]


def test_sentences_lines_and_list_items_are_split() -> None:
    text = "One two. Three four!\n- item five\n2. Step six?\n\n   "
    assert split_sentences(text) == ["One two.", "Three four!", "item five", "Step six?"]


def test_a_marker_after_the_full_stop_stays_with_its_sentence() -> None:
    assert split_sentences("Refunds take 30 days.[1] The app is free. [2]") == [
        "Refunds take 30 days[1].",
        "The app is free [2].",
    ]


def test_a_sentence_is_not_cut_after_an_abbreviation() -> None:
    text = "Use a library, e.g. pyserial, to read the port. Or i.e. vs. cf. stay whole. Done."
    assert split_sentences(text) == [
        "Use a library, e.g. pyserial, to read the port.",
        "Or i.e. vs. cf. stay whole.",
        "Done.",
    ]


def test_content_words_drop_stopwords_and_case() -> None:
    assert content_words("The Refund is for 30 days") == ["refund", "30", "days"]


def test_each_sentence_is_checked_against_its_own_citations() -> None:
    passages = {1: "You can ask for a refund within 30 days.", 2: "Android app"}
    answer = "You can ask for a refund within 30 days [1]. Payroll price is 15 pounds [1]."
    score, sentences = ground(answer, passages, bag_of_words, min_similarity=0.9)
    # Sentence 1 vs [1]: same vector (refund, days), cosine 1. Sentence 2 cites [1], which
    # shares neither payroll nor price (cosine 0) and none of {payroll, price, 15, pounds};
    # nor does [2], the other passage given.
    assert [s.supported for s in sentences] == [True, False]
    assert sentences[0].similarity == pytest.approx(1.0)
    assert (sentences[1].similarity, sentences[1].overlap) == (0.0, 0.0)
    assert sentences[1].unsupported_figures == ["15"]
    assert sentences[1].recited is None
    assert score == 0.5
    assert sentences[1].markers == [1]
    assert sentences[0].text == "You can ask for a refund within 30 days."


def test_a_sentence_citing_the_wrong_passage_is_recited_to_the_right_one() -> None:
    passages = {1: "You can ask for a refund within 30 days.", 2: "Payroll price is 15 pounds."}
    answer = "- You can ask for a refund within 30 days [1].\n- Payroll price is 15 pounds.[1] Yes."
    score, sentences = ground(answer, passages, bag_of_words, min_similarity=0.9)
    assert [s.recited for s in sentences] == [None, 2, None]
    assert score == 1.0
    assert recite(answer, sentences) == (
        "- You can ask for a refund within 30 days [1].\n- Payroll price is 15 pounds [2]. Yes."
    )
    # Nothing to move: the answer comes back as it was.
    same, _ = ground("Refund within 30 days [1].", passages, bag_of_words)
    assert same == 1.0


def test_without_markers_any_given_passage_may_support() -> None:
    passages = {1: "Refund within 30 days.", 2: "Payroll price is 15 pounds."}
    answer = "The Payroll price is 15 pounds a month. Refund within 30 days!"
    score, sentences = ground(answer, passages, bag_of_words)
    # Against [2]: vectors (payroll, price) equal, cosine 1.
    assert score == 1.0
    assert sentences[0].markers == []
    # An answer that cites nothing gets each sentence's supporting passage as its citation.
    assert [s.recited for s in sentences] == [2, 1]
    assert recite(answer, sentences) == (
        "The Payroll price is 15 pounds a month [2]. Refund within 30 days [1]!"
    )


def test_a_line_of_code_is_one_sentence_and_is_not_cited_in_its_text() -> None:
    text = "Run this. Then:\n```\ngit commit -m 'Fix. Done'\n```\n  $ git push. Now"
    assert split_sentences(text) == [
        "Run this.",
        "Then:",
        "git commit -m 'Fix. Done'",
        "$ git push. Now",
    ]
    passages = {1: "Refund within 30 days.", 2: "git push origin main sends your commits"}
    answer = "Send your commits:\n```\n$ git push origin main\n```\nRefund within 30 days."
    score, sentences = ground(answer, passages, zero_similarity)
    assert score == 1.0
    assert [(s.code, s.recited) for s in sentences] == [(False, None), (True, 2), (False, 1)]
    # A user copies the command as it is shown: its passage is cited by the sentence before it.
    assert recite(answer, sentences) == (
        "Send your commits [2]:\n```\n$ git push origin main\n```\nRefund within 30 days [1]."
    )
    assert code_citations(sentences) == [2]


def test_a_commands_output_is_code_and_its_markers_go_to_the_sentence_before_it() -> None:
    answer = (
        "Cache it [1]. For example:\n$ git push [2]\nUsername: <you> [2]\n[5 minutes pass]\n"
        "It asks no more.\n$ git pull [3]"
    )
    assert split_sentences(answer) == [
        "Cache it [1].",
        "For example:",
        "$ git push [2]",
        "Username: <you> [2]",
        "[5 minutes pass]",
        "It asks no more.",
        "$ git pull [3]",
    ]
    _, sentences = ground(answer, {1: "a", 2: "b", 3: "c"}, zero_similarity)
    assert [s.code for s in sentences] == [False, False, True, True, True, False, True]
    assert code_citations(sentences) == [2, 3]
    assert recite(answer, sentences) == (
        "Cache it [1]. For example [2]:\n$ git push\nUsername: <you>\n[5 minutes pass]\n"
        "It asks no more [3].\n$ git pull"
    )
    # With no sentence before it, the code's passage is cited among the sources only.
    _, sentences = ground("$ git push [2]", {2: "b"}, zero_similarity)
    assert (recite("$ git push [2]", sentences), code_citations(sentences)) == ("$ git push", [2])


def test_brackets_in_a_fenced_block_are_code_not_markers() -> None:
    passages = {1: "y = [10] appends 10 to the list y", 2: "unrelated"}
    answer = "Append to the list y [1]:\n```\ny.append(10)  # y == [10]\n```"
    score, sentences = ground(answer, passages, zero_similarity)
    assert [(s.code, s.markers) for s in sentences] == [(False, [1]), (True, [])]
    assert sentences[1].text == "y.append(10) # y == [10]"
    assert score == 1.0


def test_a_run_of_three_markers_is_replaced_by_each_sentences_own_source() -> None:
    passages = {1: "Refund within 30 days.", 2: "Payroll price is 15 pounds.", 3: "Android app"}
    answer = "Refund within 30 days. The Payroll price is 15 pounds. [1][2][3]"
    score, sentences = ground(answer, passages, bag_of_words)
    assert score == 1.0
    assert [(s.lumped, s.markers, s.recited) for s in sentences] == [(False, [], 1), (True, [], 2)]
    assert recite(answer, sentences) == (
        "Refund within 30 days [1]. The Payroll price is 15 pounds [2]."
    )
    # Two markers are the model's choice: they stand.
    _, sentences = ground("The Payroll price is 15 pounds [1][2].", passages, bag_of_words)
    assert [(s.lumped, s.markers, s.recited) for s in sentences] == [(False, [1, 2], None)]


def test_a_marker_naming_no_given_passage_falls_back_to_all() -> None:
    passages = {1: "Payroll price is 15 pounds."}
    score, _ = ground("Payroll price is 15 pounds [7].", passages, bag_of_words)
    assert score == 1.0


def test_overlap_threshold_on_content_words() -> None:
    passage = {1: "Exports run nightly at two."}
    # Content words {exports, run, nightly, three}: 3 of 4 in the passage = 0.75.
    score, sentences = ground("Exports run nightly at three.", passage, zero_similarity)
    assert sentences[0].overlap == 0.75
    assert score == 1.0
    # {exports, run, weekly, three, am}: 2 of 5 = 0.4 < 0.6.
    score, sentences = ground("Exports run weekly at three am.", passage, zero_similarity)
    assert sentences[0].overlap == 0.4
    assert score == 0.0


def test_short_sentences_are_not_scored_and_no_passages_means_zero() -> None:
    score, sentences = ground("Yes [1].", {1: "text"}, bag_of_words)
    assert score is None
    assert sentences[0].supported is None
    # One unscored short sentence does not count against the scored one.
    assert ground("Sure. Payroll price went up.", {1: "Payroll price"}, bag_of_words)[0] == 1
    score, sentences = ground("There is an Android app for phones.", {}, bag_of_words)
    assert score == 0.0
    assert sentences[0].supported is False


def test_a_lead_in_to_a_list_or_command_is_not_scored() -> None:
    answer = "To turn on payroll, do the following steps [1]:\n- Open the payroll price page [1]."
    score, sentences = ground(answer, {1: "Payroll price page"}, bag_of_words)
    assert [s.supported for s in sentences] == [None, True]
    assert score == 1.0
    # With nothing after it to score, the lead-in is scored: the answer is still checked.
    score, sentences = ground("To turn on payroll, run this command:\n`on`", {1: "x"}, bag_of_words)
    assert [s.supported for s in sentences] == [False, None]
    assert score == 0.0


def test_a_pointer_to_the_passages_is_not_scored() -> None:
    passages = {1: "Refunds are paid back to the original card within 30 days."}
    answer = "Refunds are paid back within 30 days [1]. This is stated in [1]."
    score, sentences = ground(answer, passages, zero_similarity)
    assert [s.supported for s in sentences] == [True, None]
    assert score == 1.0
    # Naming what the markers number is still pointing at them.
    pointers = ["This is stated in passage [1].", "From the sources [1].", "This answer is [1]."]
    for pointer in pointers:
        score, sentences = ground(f"Refunds take 30 days [1]. {pointer}", passages, zero_similarity)
        assert [s.supported for s in sentences] == [True, None]
    # A claim that ends by citing is still a claim; a pointer alone is still checked.
    score, sentences = ground(
        "You can change the port, as described in [1].", passages, zero_similarity
    )
    assert sentences[0].supported is False
    assert ground("This information is provided in [1].", passages, zero_similarity)[0] == 0.0


def test_an_answer_of_short_sentences_only_is_checked_for_what_it_tells() -> None:
    passages = {1: "The Payroll add-on is available on the Team and Business plans."}
    question = "Which languages is the interface available in?"
    score, sentences = ground("English [1].", passages, zero_similarity, question)
    assert sentences[0].supported is False
    assert score == 0.0
    # What it tells is in the passage: supported. A bare yes tells nothing: not scored.
    assert ground("Business plans [1].", passages, zero_similarity, "Which plans?")[0] == 1.0
    assert ground("Yes [1].", passages, zero_similarity, question)[0] is None


def test_a_plural_is_the_word_a_passage_holds() -> None:
    passages = {1: "Every new account starts on a 14-day free trial of the Team plan."}
    question = "How long is the free trial?"
    # It tells "lasts", "14" and "days": "days" is the "day" of "14-day", so only "lasts" is new.
    score, sentences = ground(
        "The free trial lasts for 14 days [1].", passages, zero_similarity, question
    )
    assert sentences[0].unsupported_words == ["lasts"]
    assert score == 1.0


def test_figures_are_numbers_standing_on_their_own_normalised() -> None:
    text = "Pay $12.00 for 1,000 rows, 50% off, in 3.10 or 3.12 (py2exe, RS232, l1-0.dll)."
    assert figures(text) == {"12", "1000", "50", "3.1", "3.12"}
    assert figures("Open 9 AM to 5 PM.") == {"9", "5"}
    # A length of time spelled out is a figure; a number word that counts things is not.
    assert figures("The trial lasts two months, or Thirty-day refunds.") == {"2", "30"}
    assert figures("Use two-factor codes on one of two plans.") == set()


def test_a_figure_in_no_passage_makes_a_sentence_unsupported() -> None:
    passages = {1: "You can ask for a full refund within thirty days of any payment."}
    # Same words as the passage, so similar enough: only the made-up figure is wrong.
    invented = "You can ask for a full refund within 60 days of any payment [1]."
    score, sentences = ground(invented, passages, bag_of_words)
    assert sentences[0].similarity == pytest.approx(1.0)
    assert sentences[0].unsupported_figures == ["60"]
    assert score == 0.0
    # "30" is "thirty" in the passage; "60" is allowed when the question said it.
    assert ground(invented.replace("60", "30"), passages, bag_of_words)[0] == 1.0
    assert ground(invented, passages, bag_of_words, question="Is it 60 days?")[0] == 1.0
    # Spelled out, a made-up length of time is made up too.
    spelled = "You can ask for a full refund within two months of any payment [1]."
    assert ground(spelled, passages, bag_of_words)[1][0].unsupported_figures == ["2"]


def test_the_number_of_a_heading_or_step_is_not_a_figure_a_sentence_can_borrow() -> None:
    passages = {
        1: "3. Rate limits\nEach live API key may make 120 requests per minute.\n"
        "4. Pagination\nList endpoints return 25 records per page.\n"
        "2.3 Keys\nAn account can have at most 5 active API keys."
    }
    for invented, figure in [("at most 4 active", "4"), ("at most 2.3 active", "2.3")]:
        answer = f"An account can have {invented} API keys [1]."
        score, sentences = ground(answer, passages, bag_of_words)
        assert sentences[0].unsupported_figures == [figure]
        assert score == 0.0
    stated = "Each live API key may make 120 requests per minute [1]."
    assert ground(stated, passages, bag_of_words)[0] == 1.0
    # A figure the passage states counts, even where a heading has the same number.
    passages[1] += "\nYou can register up to 4 keys per user."
    assert (
        ground("An account can have at most 4 active API keys [1].", passages, bag_of_words)[0]
        == 1.0
    )


def test_names_are_capitalised_words_after_the_first() -> None:
    sentence = "The app is in English, Spanish and Welsh, see O'Reilly on Tallybook's SSO."
    assert names(sentence) == {"english", "spanish", "welsh", "o'reilly", "tallybook", "sso"}


def test_two_names_in_no_passage_make_a_sentence_unsupported() -> None:
    passages = {1: "The Android app and the iPhone app are free for every plan."}
    # As similar as can be, and still a list of things no passage names.
    invented = "The Android app is available in English, Spanish and French [1]."
    score, sentences = ground(invented, passages, lambda ts: [[1.0] for _ in ts])
    assert sentences[0].similarity == pytest.approx(1.0)
    assert sentences[0].unsupported_names == ["english", "french", "spanish"]
    assert score == 0.0
    # Names the passages or the question hold are fine; so is one new name.
    assert ground("The Android and iPhone apps are free [1].", passages, bag_of_words)[0] == 1.0
    assert ground(invented, passages, bag_of_words, question="English, Spanish or French?")[0] == 1
    assert ground("The Android app is free in Welsh [1].", passages, bag_of_words)[0] == 1.0


def test_new_words_are_what_the_sentence_adds_to_the_question() -> None:
    question = "Which languages is the interface available in?"
    # "Languages" is asked ("language" shares its stem); "yes" adds nothing a passage could hold.
    told = new_words("Yes, the interface is available in one language: English.", question)
    assert told == ["one", "english"]
    # Nor does its no: "cannot", "doesn't", "not" are polarity, not facts to look up.
    assert new_words("No, it cannot and doesn't offer Welsh.", question) == ["offer", "welsh"]


def test_a_yes_or_no_answer_is_checked_for_what_it_says_not_its_polarity() -> None:
    passages = {1: "The password file's permissions must disallow any access to world or group."}
    question = "Do the file's permissions matter?"
    # Content words {file, permissions, matter}, "file's" read as "file" and "yes" left out:
    # two of three are in the passage.
    answer = "Yes, the file's permissions matter [1]."
    score, sentences = ground(answer, passages, zero_similarity, question)
    assert sentences[0].overlap == pytest.approx(2 / 3)
    assert score == 1.0
    # What it says must still be there: {file, owner, matters} has one of three.
    score, _ = ground("No, the file's owner matters [1].", passages, zero_similarity, question)
    assert score == 0.0


def test_a_sentence_telling_mostly_what_no_passage_says_is_unsupported() -> None:
    passages = {1: "The Payroll add-on is available on the Team and Business plans."}
    question = "Which languages is the interface available in?"
    # Similar as can be, but its one new word, the answer, is in no passage.
    invented = "The interface is available in English [1]."
    score, sentences = ground(invented, passages, lambda ts: [[1.0] for _ in ts], question)
    assert sentences[0].unsupported_words == ["english"]
    assert score == 0.0
    # Half of what it tells is in the passages ("plans" is "plan"'s stem): supported.
    told = "The interface is available in English on Business plans [1]."
    assert ground(told, passages, lambda ts: [[1.0] for _ in ts], question)[0] == 1.0
    assert (
        ground(invented, passages, lambda ts: [[1.0] for _ in ts], question, min_known_words=0)[0]
        == 1.0
    )


def test_a_sentence_whose_every_new_word_one_passage_holds_is_supported() -> None:
    passages = {1: "inet holds an IPv4 or IPv6 host address, and optionally its subnet."}
    question = "Storing client addresses with their subnet mask: which column type should I use?"
    # It repeats the question's words, so little of it is in the passage (2 of 8 words), but
    # what it adds to the question, "inet", is.
    answer = "For client addresses with a subnet mask, the column type to use is inet [1]."
    score, sentences = ground(answer, passages, zero_similarity, question)
    assert sentences[0].overlap == pytest.approx(2 / 8)
    assert score == 1.0
    # What it adds must be in the passage: "cidr" is not.
    wrong = "For client addresses with a subnet mask, the column type to use is cidr [1]."
    assert ground(wrong, passages, zero_similarity, question)[0] == 0.0
    # A sentence that adds nothing to the question but its yes or no is not supported by this.
    passages = {1: "ANALYZE takes only a SHARE UPDATE EXCLUSIVE lock, so reads and writes go on."}
    question = "Can I run ANALYZE while the app writes to the table?"
    echo = "No, you cannot run ANALYZE while the app writes to the table [1]."
    assert ground(echo, passages, zero_similarity, question)[0] == 0.0


def test_a_yes_or_no_that_only_echoes_the_question_needs_a_passage_with_its_words() -> None:
    def similar(texts: list[str]) -> list[list[float]]:
        return [[1.0] for _ in texts]

    # Every passage the question found is on its topic: similarity says nothing of the verdict.
    passages = {1: "Tallybook is an online invoicing and bookkeeping app for small businesses."}
    question = "Is there a Tallybook app for Android phones?"
    echo = "Yes, there is a Tallybook app for Android phones [1]."
    score, sentences = ground(echo, passages, similar, question)
    assert sentences[0].similarity == 1.0
    assert score == 0.0
    # A passage that holds its words supports it.
    passages = {1: "Every plan starts with a free trial, and no payment card is needed."}
    assert ground("Yes, there is a free trial [1].", passages, zero_similarity, "Free trial?")[0]
    # Without a yes or no, repeating the user's own words claims nothing new: similarity counts.
    question = "We loaded all the rows from a dump. What should the subscription do?"
    repeated = "You loaded all the rows from a dump [1]."
    assert ground(repeated, passages, similar, question)[0] == 1.0


def test_a_short_sentence_with_a_figure_is_scored() -> None:
    score, sentences = ground("Price: $15 [1].", {1: "Payroll price is 12 pounds."}, bag_of_words)
    assert sentences[0].unsupported_figures == ["15"]
    assert score == 0.0


def test_everything_is_embedded_in_one_call() -> None:
    calls: list[list[str]] = []

    def recording(texts: list[str]) -> list[list[float]]:
        calls.append(texts)
        return bag_of_words(texts)

    ground("Refund within 30 days [1]. Payroll price went up [2].", {1: "a", 2: "b"}, recording)
    assert calls == [["Refund within 30 days.", "Payroll price went up.", "a", "b"]]


@pytest.mark.slow
def test_real_embeddings_tell_a_paraphrase_from_an_unrelated_claim(embedder: BaseEmbedding) -> None:
    passage = {1: "Customers can request a full refund within 30 days of any subscription payment."}
    embed = embedder.get_text_embedding_batch
    paraphrase = "Refunds are available for a month after each payment of your subscription [1]."
    score, sentences = ground(paraphrase, passage, embed)
    # Only 2 of its 5 content words are in the passage (0.4): the embedding must carry it.
    assert sentences[0].overlap < 0.6
    assert sentences[0].similarity >= 0.6
    assert score == 1.0
    score, sentences = ground(
        "Our office in Berlin opens at nine every morning [1].", passage, embed
    )
    assert sentences[0].similarity < 0.6
    assert score == 0.0


LOOP = (
    "Email billing@tallybook.example from the Owner's address [1]. Refunds are possible within 30 "
    "days of a payment [1]. After that you can cancel so that you are not charged again [1]. "
)


def test_a_loop_is_found_where_the_answer_starts_saying_itself_again() -> None:
    again = "Refunds are possible within 30 days of a payment [1]. After that you can cancel so "
    text = LOOP + again + "that you are not charged again [1]. Refunds are"
    assert text[: repeating(text)] == LOOP  # cut before the first sentence said again
    assert repeating(LOOP) is None
    # One sentence said again may be meant (a step that comes twice, a conclusion): not a loop
    # until the next one is said again too, whole.
    assert repeating(LOOP + again) is None
    once = "Open Settings and choose the Billing tab. "
    steps = (
        f"1. {once}\n2. Pick a new plan from the list shown.\n3. {once}\n4. Click Save now please."
    )
    assert repeating(steps) is None
    assert repeating(once * 3) == len(once)
    # What the model wrote asked how to make a script executable: item 3 opens with item 2's end.
    env = "you can use the env program [5]."
    listed = f"2. Make it executable. If needed {env}\n\n3. If needed {env} Or not."
    assert repeating(listed) is None


def test_a_sentence_said_a_second_time_is_shown_once() -> None:
    again = "Refunds are possible within 30 days of a payment [2]."
    assert unrepeated(LOOP + again) == LOOP.rstrip()  # how the model ended an answer on .pyc files
    assert unrepeated(f"{LOOP.rstrip()}\n\n{again}\n\nThat is all there is to it.") == (
        f"{LOOP.rstrip()}\n\nThat is all there is to it."  # its line goes, and a blank one
    )
    # A list item that opens with the sentence closing the one before it keeps the rest.
    env = "you can use the env program [5]."
    listed = f"2. Make it executable. If needed {env}\n\n3. If needed {env} Or not."
    assert unrepeated(listed) == f"2. Make it executable. If needed {env}\n\n3. Or not."
    # A step that comes twice, a list item of its own, stays; so do code and short sentences.
    steps = "1. Open Settings and choose Billing.\n2. Pick a new plan from the list.\n"
    assert unrepeated(steps + "3. Open Settings and choose Billing.") == (
        steps + "3. Open Settings and choose Billing."
    )
    code = "```\nx = compute_the_total(a, b).\nx = compute_the_total(a, b).\n```"
    assert unrepeated(code) == code
    assert unrepeated("Yes [1]. Yes [1].") == "Yes [1]. Yes [1]."


METHOD = (
    "A method is a function on some object.\n"
    "Methods are defined as functions inside the class definition:\n"
    "```\nclass C:\n    def meth(self, arg):\n        return arg * 2\n```\n"
    "For example:\n```\nC().meth(1)\n```"
)
DEFINED = "Methods are defined as functions inside the class definition"
CODE = "```\nclass C:\n    def meth(self, arg):\n        return arg * 2\n```"


def test_a_lead_in_followed_by_only_a_marker_gets_the_passages_code() -> None:
    passages = {1: "Unrelated text about modules.", 2: METHOD}
    # The model wrote the marker where the passage has code: on a line of its own (citing the
    # wrong passage), after the colon, or nothing at all after the lead-in.
    assert with_code(f"{DEFINED}:\n[1]", passages) == f"{DEFINED} [2]:\n{CODE}"
    assert with_code(f"{DEFINED}: [2]", passages) == f"{DEFINED}: [2]\n{CODE}"
    assert with_code(f"{DEFINED}:", passages) == f"{DEFINED} [2]:\n{CODE}"
    # Inside a list item, the code stays in the item.
    listed = with_code(f"1. {DEFINED}:\n   [2]\n2. Call it.", passages)
    assert (
        listed
        == f"1. {DEFINED} [2]:\n"
        + "\n".join("   " + line for line in CODE.split("\n"))
        + "\n2. Call it."
    )
    # A short lead-in only takes code from a passage it cites.
    assert with_code("For example:\n[2]", passages) == "For example [2]:\n```\nC().meth(1)\n```"
    assert with_code("For example:", passages) == "For example:"


def test_code_copied_from_a_passage_without_its_fences_is_fenced() -> None:
    passages = {1: "Unrelated.", 2: METHOD}
    copied = "class C:\n    def meth(self, arg):\n        return arg * 2 [2]"
    reply = f"{DEFINED}:\n{copied}\nThat is all."
    assert fence_code(reply, passages) == f"{DEFINED} [2]:\n{CODE}\nThat is all."
    # Prose, code the passages don't have, and a line too short to tell are left as they are.
    for reply in [DEFINED + ".", "class D:\n    pass", "Close it:\n}"]:
        assert fence_code(reply, {2: METHOD.replace("C().meth(1)", "}")}) == reply
    assert fence_code(CODE, passages) == CODE  # fenced already


def test_a_lead_in_to_what_follows_it_is_left_as_it_is() -> None:
    passages = {1: METHOD}
    for reply in [
        f"{DEFINED}:\n```\nclass D: pass\n```",  # its own code
        f"{DEFINED}:\n1. Write def inside the class.",  # a list
        "Nothing in the passages says this:\n[1]",  # said nowhere
    ]:
        assert with_code(reply, passages) == reply


def test_short_sentences_and_code_are_not_a_loop() -> None:
    assert repeating("Yes [1]. Yes [1]. Yes [1].") is None
    line = "echo Backups run every night at two.\n"
    assert repeating(line * 3) == len(line)  # as prose
    assert repeating("```\n" + line * 3 + "```") is None


def test_a_block_opened_by_tildes_is_code_until_its_tildes() -> None:
    # Backticks inside a ~~~ block are its code: the model reads them, and they are copied.
    passage = "Write a block like this:\n~~~\n```\nprint('hello, world')\n```\n~~~\nDone."
    assert unfenced(passage) == "Write a block like this:\n```\nprint('hello, world')\n```\nDone."
    copied = "Write a block like this:\nprint('hello, world') [1]"
    assert fence_code(copied, {1: passage}) == (
        "Write a block like this [1]:\n```\nprint('hello, world')\n```"
    )
    block = "~~~\n```\nprint('hello, world')\n```\n~~~"
    assert with_code("Write a block like this:\n[1]", {1: passage}) == (
        f"Write a block like this [1]:\n{block}"
    )


def test_the_models_talk_of_its_passages_goes_and_their_markers_stay() -> None:
    assert (
        unframed("The passage [1] states that refunds take 5 days.") == "Refunds take 5 days [1]."
    )
    assert unframed("According to passage [3], iPhones are not supported.") == (
        "iPhones are not supported [3]."  # a word that is not all lower case is left as it is
    )
    assert (
        unframed("Yes. The passage [2] also mentions that it is free [2].")
        == "Yes. It is free [2]."
    )
    assert (
        unframed("The passage [1] says that os.read() is low-level.")
        == "os.read() is low-level [1]."
    )
    # A sentence that only says where the answer is goes; the sentence before it cites it.
    assert (
        unframed("It is free. This answer is [1].\n- Step [2].") == "It is free [1].\n- Step [2]."
    )
    assert unframed("Renew it every 90 days [1]. This is stated in [2].") == (
        "Renew it every 90 days [1] [2]."
    )
    for kept in [
        "See [1].",  # nothing before it to cite it
        "```\nThe passage [1] states that x\n```",  # code
        "Refunds take 5 days.[1] Nothing else.",  # a line it does not change, as it was
        "The passage [3] provides an analogy, stating that cats have no names.",
    ]:
        assert unframed(kept) == kept
