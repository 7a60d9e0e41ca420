"""The llama.cpp adapter with the real small model: its context window."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.llm import LlamaCppLLM, Usage
from groundline.models import locate_llm
from tests.conftest import TEST_LLM


def test_configured_window_is_used_when_the_model_reads_that_much(llm: LlamaCppLLM) -> None:
    assert llm.context_window == 4096  # the conftest's n_ctx; the model was trained on 32,768


@pytest.mark.slow
def test_window_never_exceeds_what_the_gguf_says_the_model_was_trained_on(
    model_dir: Path,
) -> None:
    too_big = LlamaCppLLM(locate_llm(TEST_LLM, model_dir), 40_000, 1, 0.0)
    assert too_big.context_window == 32_768  # qwen2.context_length in the GGUF metadata


QUESTION = [
    {"role": "system", "content": "Answer in one short sentence."},
    {"role": "user", "content": "What colour is a clear daytime sky?"},
]


def test_openings_are_the_first_tokens_likeliest_first(llm: LlamaCppLLM) -> None:
    openings = llm.openings(QUESTION, 10)
    assert 0 < len(openings) <= 10
    probabilities = [p for _, p in openings]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1.0 + 1e-6
    # Greedy decoding opens the reply with the likeliest first token.
    reply = "".join(llm.stream_chat(QUESTION, 8, Usage()))
    assert reply.startswith(openings[0][0])


def test_a_prefix_opens_the_reply_and_the_model_continues_it(llm: LlamaCppLLM) -> None:
    greedy = "".join(llm.stream_chat(QUESTION, 12, Usage()))
    second = llm.openings(QUESTION, 2)[1][0]  # an opening the model would not have chosen
    usage = Usage()
    pieces = list(llm.stream_chat(QUESTION, 12, usage, prefix=second))
    assert pieces[0] == second
    continuation = "".join(pieces[1:])
    # The model read the prefix: it went on from it instead of starting its own reply.
    assert continuation.strip()
    assert not continuation.strip().startswith(greedy.strip()[:4])
    assert usage.prompt_tokens == llm.count_tokens(QUESTION)
    assert usage.completion_tokens == len(pieces)


def test_openings_are_the_same_whatever_prompt_was_read_before(llm: LlamaCppLLM) -> None:
    other = [QUESTION[0], {"role": "user", "content": "Name a large planet."}]
    llm.openings(other, 5)  # shares the system prompt with QUESTION: only the rest is read
    after_other = llm.openings(QUESTION, 5)
    after_same = llm.openings(QUESTION, 5)  # all of it cached: only the last token is read
    reply = "".join(llm.stream_chat(other, 8, Usage()))  # the cache now holds a reply too
    assert reply
    after_reply = llm.openings(QUESTION, 5)
    # Read in other batches, the same prompt gives the same figures up to the quantised model's
    # rounding, about 0.02 here (the 5th token may swap with a 6th as close).
    expected = dict(after_other)
    for openings in (after_same, after_reply):
        assert [t for t, _ in openings[:3]] == [t for t, _ in after_other[:3]]
        for token, p in openings:
            if token in expected:
                assert p == pytest.approx(expected[token], abs=0.05)
