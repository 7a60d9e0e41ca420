"""Messages that are not questions for the documents: a greeting, thanks or a goodbye, an "ok"
(or a message of no words at all, "???" or "🙂"), and a request for a person. Recognised by
their words, in English, Spanish, French, German, Italian, Portuguese, Dutch, Polish, Russian,
Chinese and Japanese, so the bot replies at once instead of searching the documents for "hi";
anything else is a question."""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["greeting", "thanks", "ok", "person"]

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
        "ok": ("ok", "okay", "got it", "alright", "understood", "i see", "great", "perfect"),
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
        "ok": ("vale", "entendido", "de acuerdo", "perfecto", "genial"),
    },
    "fr": {
        "greeting": ("bonjour", "bonsoir", "salut", "coucou"),
        "thanks": ("merci", "au revoir", "à bientôt", "a bientot"),
        "ok": ("daccord", "compris", "parfait", "entendu"),
    },
    "de": {
        "greeting": ("hallo", "guten morgen", "guten tag", "guten abend", "moin", "servus"),
        "thanks": ("danke", "vielen dank", "tschüss", "tschuss", "auf wiedersehen"),
        "ok": ("alles klar", "verstanden", "perfekt", "in ordnung"),
    },
    "it": {
        "greeting": ("ciao", "salve", "buongiorno", "buonasera", "buon pomeriggio"),
        "thanks": ("grazie", "arrivederci", "a presto"),
        "ok": ("va bene", "capito", "perfetto", "daccordo"),
    },
    "pt": {
        "greeting": ("olá", "ola", "oi", "bom dia", "boa tarde", "boa noite"),
        "thanks": ("obrigado", "obrigada", "tchau", "até logo", "ate logo", "adeus"),
        "ok": ("certo", "entendi", "perfeito", "tá bom", "ta bom"),
    },
    "nl": {
        "greeting": ("hallo", "hoi", "goedemorgen", "goedemiddag", "goedenavond"),
        "thanks": ("bedankt", "dank je", "dank u", "tot ziens", "doei"),
        "ok": ("oké", "prima", "duidelijk", "begrepen"),
    },
    "pl": {
        "greeting": ("cześć", "dzień dobry", "dobry wieczór", "witam", "hej"),
        "thanks": ("dziękuję", "dziekuje", "dzięki", "do widzenia", "na razie"),
        "ok": ("rozumiem", "jasne", "dobrze", "w porządku"),
    },
    "ru": {
        "greeting": ("привет", "здравствуйте", "здравствуй", "добрый день", "доброе утро"),
        "thanks": ("спасибо", "благодарю", "до свидания", "пока"),
        "ok": ("ок", "понятно", "хорошо", "ясно", "отлично"),
    },
    # Chinese and Japanese are written without spaces: a phrase is the whole run of letters
    # between punctuation ("谢谢！"), so each common form is listed whole.
    "zh": {
        "greeting": ("你好", "您好", "嗨", "早上好", "下午好", "晚上好", "大家好"),
        "thanks": ("谢谢", "谢谢你", "谢谢您", "多谢", "感谢", "非常感谢", "再见", "拜拜"),
        "ok": ("好的", "好", "明白了", "知道了", "了解", "收到"),
    },
    "ja": {
        "greeting": ("こんにちは", "こんばんは", "おはよう", "おはようございます", "はじめまして"),
        "thanks": (
            "ありがとう",
            "ありがとうございます",
            "ありがとうございました",
            "どうも",
            "さようなら",
        ),
        "ok": ("了解", "了解です", "了解しました", "わかりました", "分かりました", "なるほど"),
    },
}
_FILLER = {
    language: frozenset(words.split())
    for language, words in {
        "en": "there all everyone so much very a lot you again that helped helps awesome cool "
        "nice for the help bot team oh no",
        "es": "muchas mil por la tu su ayuda a todos muy bien ok no",
        "fr": "beaucoup pour votre ton aide laide super à a tous bien ok non",
        "de": "schön schon sehr für fur die hilfe super alle zusammen ok gut nein",
        "it": "mille tante molte per il tuo aiuto laiuto a tutti molto bene ok no",
        "pt": "muito muita pela ajuda a todos bem ok não",
        "nl": "wel voor de hulp allemaal iedereen heel erg ok super nee",
        "pl": "bardzo wielkie za pomoc wszystkim ok super nie",
        "ru": "большое огромное вам за помощь всем очень ок супер нет",
        "zh": "ok",
        "ja": "ok",
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
    "it": re.compile(
        r"\bparlare\s+con\s+(?:una\s+persona|un\s+operatore|un\s+essere\s+umano|qualcuno|"
        r"un\s+agente)\b"
    ),
    "pt": re.compile(
        r"\bfalar\s+com\s+(?:uma\s+pessoa|um\s+humano|um\s+atendente|algu[ée]m|um\s+agente)\b"
    ),
    "nl": re.compile(
        r"\bmet\s+(?:een\s+(?:mens|persoon|medewerker)|iemand)\s+(?:spreken|praten)\b|"
        r"\b(?:spreken|praten)\s+met\s+(?:een\s+(?:mens|persoon|medewerker)|iemand)\b"
    ),
    "pl": re.compile(
        r"\b(?:porozmawiać|rozmawiać|skontaktować\s+się|połączyć\s+się)\s+z\s+(?:żywym\s+)?"
        r"(?:człowiekiem|konsultantem|osobą|pracownikiem|kimś)\b"
    ),
    "ru": re.compile(
        r"\b(?:поговорить|говорить|связаться|пообщаться)\s+с\s+(?:живым\s+)?"
        r"(?:человеком|оператором|сотрудником|специалистом|менеджером)\b|\bживой\s+человек"
    ),
    "zh": re.compile(r"人工客服|人工服务|转人工|真人|客服人员"),
    "ja": re.compile(r"(?:人|担当者|オペレーター|スタッフ|人間)と(?:話|はな)"),
}
_WORD = re.compile(r"[^\W\d_]+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def recognise(message: str) -> tuple[Kind, str] | None:
    """What kind of small talk ``message`` is, and its language (a bot.language code); None for
    a question."""
    text = message.lower().replace("\u2019", "'")  # a typographic apostrophe is one too
    for language, person in _PERSON.items():
        if person.search(text):
            return "person", language
    if not _LETTER_OR_DIGIT.search(text):
        return "ok", "en"  # "???", "🙂" or nothing at all: no words to answer
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
            kind = next(k for k in ("thanks", "greeting", "ok") if k in found)
            return kind, language
    return None
