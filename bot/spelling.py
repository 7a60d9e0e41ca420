"""Typos in a question, corrected for searching from the words of the passages it finds:
"how do i cancle my subscripton" is searched as "how do i cancel my subscription" too."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from groundline.sparse import singular

MIN_LETTERS = 5  # shorter words are left as they are: too many real words lie one letter apart
SIMILARITY = 0.8  # difflib's ratio a correction must reach ("cancle" ~ "cancel": 0.83)
_WORD = re.compile(r"[^\W\d_]+")


def correct(question: str, passages: Iterable[str], known: frozenset[str]) -> str:
    """``question`` with each word that is neither ``known`` (a dictionary, lower-cased) nor in
    the passages replaced by the passages' word closest to it, when one is close enough."""
    found = {w.lower() for text in passages for w in _WORD.findall(text)}
    stems = {singular(w) for w in found}  # "refund" is not a typo of "refunds", nor the reverse
    words = [w for w in found if len(w) >= MIN_LETTERS - 1]
    corrected = question
    for match in reversed(list(_WORD.finditer(question))):
        word = match.group().lower()
        if len(word) < MIN_LETTERS or word in known or singular(word) in stems:
            continue
        near = difflib.get_close_matches(word, words, n=1, cutoff=SIMILARITY)
        if near:
            corrected = corrected[: match.start()] + near[0] + corrected[match.end() :]
    return corrected
