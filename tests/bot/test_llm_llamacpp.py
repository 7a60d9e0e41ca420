"""The llama.cpp adapter with the real small model: its context window."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.llm import LlamaCppLLM
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
