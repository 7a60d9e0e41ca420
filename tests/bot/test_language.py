"""Telling which language a question is written in."""

from bot.language import detect


def test_questions_in_other_languages_are_told() -> None:
    assert detect("¿Cuántas claves de API puede tener mi cuenta?") == "es"
    assert detect("Quels sont vos horaires d'assistance téléphonique ?") == "fr"
    assert detect("Wie lange dauert das Onboarding-Gespräch und wer kann es buchen?") == "de"
    # Short, and read as Afrikaans by langdetect alone: only languages the model writes count.
    assert detect("Und was kostet das?") == "de"
    assert detect("¿Y cuánto cuesta?") == "es"  # a follow-up: "¿Y" is a word
    assert detect("How long do I have to ask for a refund of my subscription?") == "en"


def test_too_little_prose_tells_no_language() -> None:
    assert detect("Merci") is None
    assert detect("pg_dump -j?") is None  # code is left out: it reads as any language
    assert detect("How do I copy a file?") is None  # Italian 0.57, English 0.43: too close
