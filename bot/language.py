"""Which language a question is written in (langdetect's profiles, offline)."""

from __future__ import annotations

import re
import threading
from functools import cache

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

# The languages a question may be answered in: those the shipped Qwen2.5 model writes, by
# langdetect's codes. Detection weighs only these, so a short German question is not read as
# Afrikaans.
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
    "zh-cn": "Chinese",
    "zh-tw": "Chinese",
}
MIN_WORDS = 3  # fewer words ("Merci", "pg_dump -j?") don't tell a language
MIN_PROBABILITY = 0.8
# A word of prose: letters, inner apostrophes and hyphens ("Empfehlungs-" too), punctuation
# around it ("¿Y"). "pg_dump", "x.y.z" and "<module" are code, which reads as any language
# ("__import__('x.y.z') returns …" scored French).
_WORD = re.compile(r"^[¿¡«\"(]?[^\W\d_]+(?:['\u2019-][^\W\d_]+)*-?[?!.,;:»\")]*$")
_LOCK = threading.Lock()  # langdetect's factory is shared module state


@cache
def _factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)  # its sampling is random otherwise: the same text, the same answer
    return factory


def detect(text: str) -> str | None:
    """The language code (a key of ``NAMES``) ``text`` is written in, or None when it is too
    short or too mixed to tell: fewer than ``MIN_WORDS`` words of prose, or no language at least
    ``MIN_PROBABILITY`` likely."""
    prose = " ".join(w for w in text.split() if _WORD.match(w))
    if len(prose.split()) < MIN_WORDS:
        return None
    with _LOCK:
        detector = _factory().create()
        detector.set_prior_map(dict.fromkeys(NAMES, 1.0))
        detector.append(prose)
        try:
            best = max(detector.get_probabilities(), key=lambda lang: lang.prob, default=None)
        except LangDetectException:
            return None
    return best.lang if best is not None and best.prob >= MIN_PROBABILITY else None
