"""Messages that are not questions for the documents: a greeting, thanks or a goodbye, and a
request for a person. Recognised by their words, in English, Spanish, French and German, so the
bot replies at once instead of searching the documents for "hi"; anything else is a question."""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["greeting", "thanks", "person"]

MAX_WORDS = 8  # a longer message is a question, whatever words it opens with

# Phrases that make a message small talk, by language and kind; a message of them and
# ``_FILLER`` words only is that kind. Apostrophes are dropped and accents kept.
_PHRASES: dict[str, dict[Kind, tuple[str, ...]]] = {
    "en": {
        "greeting": (
            "hi",
            "hello",
            "hey",
            "hiya",
            "howdy",
            "good morning",
            "good afternoon",
            "good evening",
        ),
        "thanks": ("thanks", "thank you", "thx", "cheers", "bye", "goodbye", "see you"),
    },
    "es": {
        "greeting": (
            "hola",
            "buenos días",
            "buenos dias",
            "buenas tardes",
            "buenas noches",
            "buenas",
        ),
        "thanks": ("gracias", "adiós", "adios", "hasta luego"),
    },
    "fr": {
        "greeting": ("bonjour", "bonsoir", "salut", "coucou"),
        "thanks": ("merci", "au revoir", "à bientôt", "a bientot"),
    },
    "de": {
        "greeting": ("hallo", "guten morgen", "guten tag", "guten abend", "moin", "servus"),
        "thanks": ("danke", "vielen dank", "tschüss", "tschuss", "auf wiedersehen"),
    },
}
_FILLER = {
    language: frozenset(words.split())
    for language, words in {
        "en": "there all everyone so much very a lot you again that helped helps great ok okay "
        "perfect awesome cool nice got it for the help bot team oh",
        "es": "muchas mil por la tu su ayuda perfecto vale genial a todos muy bien ok",
        "fr": "beaucoup pour votre ton l aide parfait super à a tous bien ok d accord",
        "de": "schön schon sehr für fur die hilfe super perfekt alle zusammen ok gut",
    }.items()
}
# Asking for a person, anywhere in a message: a help desk's answer to that is the hand-off.
_PERSON = {
    "en": re.compile(
        r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s+|your\s+|the\s+)?"
        r"(?:real\s+|live\s+|human\s+)?(?:human|person|people|someone|somebody|agent|"
        r"representative|operator)\b|\b(?:real|live)\s+(?:person|human)\b|\bhuman\s+agent\b"
    ),
    "es": re.compile(
        r"\bhablar\s+con\s+(?:una\s+persona|un\s+humano|un\s+agente|alguien|un\s+operador)\b"
    ),
    "fr": re.compile(
        r"\bparler\s+(?:à|a|avec)\s+(?:un\s+humain|une\s+personne|un\s+conseiller|"
        r"quelqu'?un|un\s+agent)\b"
    ),
    "de": re.compile(
        r"\b(?:einem\s+menschen|einer\s+person|einem\s+mitarbeiter|jemandem)\s+sprechen\b"
    ),
}
_WORD = re.compile(r"[^\W\d_]+")


def recognise(message: str) -> tuple[Kind, str] | None:
    """What kind of small talk ``message`` is, and its language (a bot.language code); None for
    a question."""
    text = message.lower().replace("\u2019", "'")  # a typographic apostrophe is one too
    for language, person in _PERSON.items():
        if person.search(text):
            return "person", language
    words = _WORD.findall(text.replace("'", ""))
    if not words or len(words) > MAX_WORDS:
        return None
    for language, kinds in _PHRASES.items():
        rest, found = f" {' '.join(words)} ", set()
        # Longest first, so that "thank you" is taken whole before "you" is left as filler.
        for kind, phrase in sorted(
            ((k, p) for k, phrases in kinds.items() for p in phrases), key=lambda kp: -len(kp[1])
        ):
            while f" {phrase} " in rest:
                rest = rest.replace(f" {phrase} ", " ", 1)
                found.add(kind)
        if found and set(rest.split()) <= _FILLER[language]:
            return ("thanks" if "thanks" in found else "greeting"), language
    return None
