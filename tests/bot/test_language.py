"""Telling which language a question is written in."""

from bot.language import conversation_language, detect


def test_questions_in_other_languages_are_told() -> None:
    assert detect("¿Cuántas claves de API puede tener mi cuenta?") == "es"
    assert detect("Quels sont vos horaires d'assistance téléphonique ?") == "fr"
    assert detect("Wie lange dauert das Onboarding-Gespräch und wer kann es buchen?") == "de"
    # Short, and read as Afrikaans without the restriction: only languages the model writes count.
    assert detect("Und was kostet das?") == "de"
    assert detect("¿Y cuánto cuesta?") == "es"
    assert detect("How long do I have to ask for a refund of my subscription?") == "en"


def test_questions_written_without_spaces_are_told() -> None:
    # Full-width punctuation and code inside a sentence leave its words to be read.
    question_mark = "\uff1f"  # full width
    assert detect(f"在哪里下载发票{question_mark}") == "zh"
    assert detect(f"請求書はどこで確認できますか{question_mark}") == "ja"
    assert detect("Ubuntu 22.04にaptで入れましたが、libssl.so.3が見つかりません。") == "ja"


def test_english_keywords_and_code_are_not_read_as_another_language() -> None:
    # Each was read as another language (Swedish, Romanian, German, Dutch) before py3langid.
    for question in ["desktop app for mac", "api rate limit", "docker image size"]:
        assert detect(question) in {"en", None}
    assert detect("__import__('x.y.z') returns <module 'x'>; how do I get z?") == "en"


def test_too_little_prose_tells_no_language() -> None:
    assert detect("Merci") is None
    assert detect("pg_dump -j?") is None  # code is left out: it reads as any language
    assert detect("[1] 120") is None


def test_a_message_too_short_to_tell_takes_the_conversations_language() -> None:
    spanish = {"role": "user", "content": "¿Cuánto tiempo tengo para pedir un reembolso?"}
    english = {"role": "user", "content": "How long do I have to ask for a refund?"}
    reply = {"role": "assistant", "content": "You have 30 days to ask for a refund [1]."}
    ok, merci = ({"role": "user", "content": text} for text in ("ok", "Merci"))
    assert conversation_language("factura duplicada", [english, spanish]) == "es"
    assert conversation_language("factura duplicada", [spanish, english]) == "en"  # the last
    assert conversation_language("factura duplicada", [ok, spanish, merci]) == "es"
    assert conversation_language("factura duplicada", [spanish, reply]) == "es"  # the user's
    assert conversation_language("factura duplicada", []) is None
    assert conversation_language("Wie lange dauert das Onboarding?", [spanish]) == "de"
