"""How well an answer's sentences are supported by the passages they cite."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.citations import MARKER

# Markers written after the full stop ("… days.[1] Next") belong to the sentence before it.
_MARKERS_AFTER_STOP = re.compile(r"([.!?]+)((?:\s*\[\d{1,3}\])+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LIST_ITEM = re.compile(r"^(?:[-*•+]|\d{1,3}[.)])\s+")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_STOPWORD_LIST = (
    "a about after all also an and any are as at be been before being both but by can could "
    "did do does doing each for from further had has have having he her here hers him his how "
    "i if in into is it its itself just may me might more most must my no nor not of off on "
    "once only or other our ours out over own same she should so some such than that the their "
    "theirs them then there these they this those through to too under until up very was we "
    "were what when where which while who whom why will with would you your yours"
)
STOPWORDS = frozenset(_STOPWORD_LIST.split())

Embed = Callable[[list[str]], list[list[float]]]


@dataclass
class SentenceSupport:
    text: str
    supported: bool | None  # None: too short to score
    similarity: float = 0.0
    overlap: float = 0.0
    markers: list[int] = field(default_factory=list)


def split_sentences(text: str) -> list[str]:
    """Sentences, each line (list item) on its own, bullets and whitespace stripped."""
    text = _MARKERS_AFTER_STOP.sub(r"\2\1", text)
    sentences = []
    for line in text.splitlines():
        line = _LIST_ITEM.sub("", line.strip())
        sentences += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return sentences


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits; inner apostrophes kept)."""
    return [w.lower() for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Lower-cased word tokens without English stopwords."""
    return [w for w in words(text) if w not in STOPWORDS]


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def ground(
    answer: str,
    passages: dict[int, str],
    embed: Embed,
    min_similarity: float = 0.6,
    min_overlap: float = 0.6,
    min_words: int = 4,
) -> tuple[float | None, list[SentenceSupport]]:
    """Share of the answer's scored sentences that their passages support, and each sentence.

    Each sentence's [n] markers are removed from its text. It is checked against the passages
    its markers name, or against all ``passages`` when it has no marker naming one of them. It
    is supported when its cosine similarity to one of them reaches ``min_similarity`` or one of
    them holds ``min_overlap`` of its distinct content words. Sentences of fewer than
    ``min_words`` words are not scored (``supported`` None). The score is None when no sentence
    is scored; with no passages at all every scored sentence is unsupported and the score is
    0.0, since an answer that cites nothing is not grounded in anything.
    """
    sentences = []
    for raw in split_sentences(answer):
        markers = [int(n) for n in MARKER.findall(raw)]
        text = " ".join(MARKER.sub(" ", raw).split())
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)  # "days [1]." leaves "days ."
        scored = len(words(text)) >= min_words
        sentences.append(SentenceSupport(text, False if scored else None, markers=markers))
    scored_sentences = [s for s in sentences if s.supported is not None]
    if not scored_sentences:
        return None, sentences
    if not passages:
        return 0.0, sentences
    numbers = sorted(passages)
    texts = [s.text for s in scored_sentences] + [passages[n] for n in numbers]
    vectors = embed(texts)
    if len(vectors) != len(texts):
        raise ValueError(f"the embedder returned {len(vectors)} vectors for {len(texts)} texts")
    passage_vectors = dict(zip(numbers, vectors[len(scored_sentences) :], strict=True))
    passage_words = {n: set(words(passages[n])) for n in numbers}
    for sentence, vector in zip(scored_sentences, vectors, strict=False):
        against = [n for n in sentence.markers if n in passages] or numbers
        wanted = set(content_words(sentence.text))
        sentence.similarity = max(_cosine(vector, passage_vectors[n]) for n in against)
        sentence.overlap = max(
            (len(wanted & passage_words[n]) / len(wanted) if wanted else 0.0) for n in against
        )
        sentence.supported = (
            sentence.similarity >= min_similarity or sentence.overlap >= min_overlap
        )
    supported = sum(1 for s in scored_sentences if s.supported)
    return supported / len(scored_sentences), sentences
