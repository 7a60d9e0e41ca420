"""BM25-style sparse vectors computed offline; Qdrant's IDF modifier supplies the IDF half."""

from __future__ import annotations

import re
import zlib
from collections import Counter

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORD_LIST = (
    "a an and are as at be but by can do does for from has have how i if in is it its of on or "
    "so than that the their then there these this to was what when where which who why will "
    "with you your"
)
_STOPWORDS = frozenset(_STOPWORD_LIST.split())
K1 = 1.2
B = 0.75
AVG_LEN = 120.0  # chunks are ~200 word-pieces, ~120 content words once stopwords are gone

SparseVectors = tuple[list[list[int]], list[list[float]]]


def singular(word: str) -> str:
    """A word with a trailing plural 's' folded: 'refunds' is 'refund', 'class' stays."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def terms(text: str) -> list[str]:
    """Lower-cased words without stopwords, plurals folded (``singular``)."""
    words = (w.lower() for w in _WORD.findall(text))
    return [singular(w) for w in words if w not in _STOPWORDS]


def term_id(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def _vector(weights: dict[int, float]) -> tuple[list[int], list[float]]:
    ids = sorted(weights)
    return ids, [weights[i] for i in ids]


def encode_documents(texts: list[str]) -> SparseVectors:
    """BM25 term-frequency weights per document."""
    indices, values = [], []
    for text in texts:
        words = terms(text)
        norm = K1 * (1 - B + B * len(words) / AVG_LEN)
        weights: dict[int, float] = {}
        for word, tf in Counter(words).items():
            weights[term_id(word)] = tf * (K1 + 1) / (tf + norm)
        ids, vals = _vector(weights)
        indices.append(ids)
        values.append(vals)
    return indices, values


def encode_queries(texts: list[str]) -> SparseVectors:
    """Each distinct query term weighs 1; Qdrant multiplies in its IDF."""
    indices, values = [], []
    for text in texts:
        ids, vals = _vector({term_id(w): 1.0 for w in terms(text)})
        indices.append(ids)
        values.append(vals)
    return indices, values
