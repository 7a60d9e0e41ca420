"""Which language a question is written in (py3langid's model, shipped in its wheel)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from bot.llm import Message

# The languages a question may be answered in: those the shipped Qwen2.5 model writes, by
# py3langid's codes. Identification weighs only these, so a short German question is not read
# as Afrikaans.
NAMES = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
# The languages the canned replies of prompts/ (smalltalk.j2, abstain.j2) are written in; an
# abstention in another language is the English one translated by the model.
WRITTEN = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "ru", "zh", "ja")
# Measured by benchmarks/language_detection.py. A message read as the wrong language is answered
# in it, which is worse than one left untold (answered in the documents' language); below 0.6
# more are read wrong, above it more are left untold and none fewer read wrong.
MIN_PROBABILITY = 0.6
# A run of ASCII with a digit, an underscore, a path, markup or an inner dot is code
# ("pg_dump", "x.y.z", "<module", "[1]", "415"), which reads as any language: it is left out.
# Runs of other scripts are kept whole, so a Japanese sentence keeps its words around "22.04".
_CODE = re.compile(r"[!-~]*(?:[0-9_/\\<>=@#$%{}\[\]*|~^`]|\w\.\w)[!-~]*")


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(NAMES))
    return identifier


def detect(text: str, min_probability: float = MIN_PROBABILITY) -> str | None:
    """The language code (a key of ``NAMES``) ``text`` is written in, or None when it is too
    mixed to tell: no prose once code is left out, or no language at least ``min_probability``
    likely."""
    prose = " ".join(_CODE.sub(" ", text).split())
    if not prose:
        return None
    language, probability = _identifier().classify(prose)
    return str(language) if probability >= min_probability else None


def conversation_language(message: str, history: Iterable[Message]) -> str | None:
    """``message``'s language, or, when it is too short to tell ("factura duplicada"), that of
    the last of the user's messages in ``history`` (oldest first) that can be told."""
    earlier = [m["content"] for m in history if m["role"] == "user"]
    return detect(message) or next(filter(None, map(detect, reversed(earlier))), None)
