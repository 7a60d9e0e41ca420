"""How well an answer's sentences are supported by the passages they cite."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.citations import CodeTracker, cited_numbers, markers, strip_markers
from groundline.sparse import singular
from ingest.loaders.text import FENCE, fence_after

# Three markers or more in a row ("… section. [1][2][3]"): every passage the model was given,
# not the source of a sentence.
_LUMP = re.compile(r"(?:\[\d{1,3}\]\s*){3,}")
# Markers written after the full stop ("… days.[1] Next") belong to the sentence before it.
_MARKERS_AFTER_STOP = re.compile(r"([.!?]+)((?:\s*\[\d{1,3}\])+)")
# A sentence ends at ".", "!" or "?" and a space, but not after "e.g.", "i.e.", "cf." or "vs.",
# which open the rest of a sentence (cut there, its halves are fragments no passage supports).
_SENTENCE_END = re.compile(r"((?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bcf\.)(?<!\bvs\.)\s+)")
_SPACE_BEFORE_STOP = re.compile(r"\s+([.,;:!?])")  # what a marker leaves: "days [1]." is "days ."
_PROMPT = re.compile(r"\s*\$ ")  # a command typed at a shell prompt: "$ git push"
_LINE_START = re.compile(r"\s*(?:(?:[-*•+]|\d{1,3}[.)])\s+)?")  # indent and list bullet
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# A figure standing on its own: "30", "$12.50", "50%", "1,000", "3.12" (not the 2 of "py2exe",
# the 1 of "l1" or the 0 of "0.dll").
_FIGURE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)((?:\.\d+)*)(?!\w|\.\w)")
# The number of a heading or step at the start of a line: "4. Pagination", "2.3 Install".
_ENUMERATOR = re.compile(r"^[ \t]*(?:\d{1,3}\.)+(?:\d{1,3})?[ \t]+(?=[A-Z])", re.M)
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_TENS = "thirty forty fifty sixty seventy eighty ninety"
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_UNITS.split())} | {
    w: str(10 * i) for i, w in enumerate(_TENS.split(), 3)
}
# A figure spelled out as a length of time: "two months", "thirty days" (not the "two" of
# "two-factor" or of "one of two plans", which count things, not state a figure).
_SPELLED_TIME = re.compile(
    rf"\b({'|'.join(_NUMBER_WORDS)})[ -](?:second|minute|hour|day|week|month|year)s?\b", re.I
)
_STOPWORD_LIST = (
    "a about after all also an and any are as at be been before being both but by can could "
    "did do does doing each for from further had has have having he her here hers him his how "
    "i if in into is it its itself just may me might more most must my no nor not of off on "
    "once only or other our ours out over own same she should so some such than that the their "
    "theirs them then there these they this those through to too under until up very was we "
    "were what when where which while who whom why will with would you your yours"
)
STOPWORDS = frozenset(_STOPWORD_LIST.split())
_POLARITY = frozenset(["yes", "not", "cannot", "never"])
_POSSESSIVE = re.compile(r"['\u2019]s$")
# Markers that are the object of a sentence's last word, or name what they number: "This is
# stated in [2][3].", "This answer is from passage [1].", "This answer is [1]."
_CITED_AT_END = re.compile(
    r"\b(?:in|from|by|at|see|under|is|are)\s*(?:(?:the\s+)?(?:passage|document|source|section)s?\s*)?"
    r"(?:\[\d{1,3}\]\s*)+[.!]?$",
    re.I,
)

# The model speaking of what it was given, which the user never saw: "The passage [1] states
# that …", "According to passage [2], …". Its markers, if any, say where the rest comes from.
_FRAME = re.compile(
    r"(?:(?:the|this)\s+passages?\s*(?:from\s*)?(?:\[\d{1,3}\]\s*)*(?:also\s+)?"
    r"(?:states?|says?|explains?|mentions?|notes?|indicates?|suggests?|shows?)\s+that"
    r"|according\s+to\s+(?:the\s+)?passages?\s*(?:\[\d{1,3}\]\s*)*,)\s+",
    re.I,
)
_LOWER_WORD = re.compile(r"[a-z]+[\s,]")  # "refunds take…", not "os.read()" nor "iPhones"

Embed = Callable[[list[str]], list[list[float]]]


@dataclass
class SentenceSupport:
    text: str
    supported: bool | None  # None: too short to score
    similarity: float = 0.0
    overlap: float = 0.0
    markers: list[int] = field(default_factory=list)
    unsupported_figures: list[str] = field(default_factory=list)  # in no passage checked
    unsupported_names: list[str] = field(default_factory=list)  # in no passage given
    told: list[str] = field(default_factory=list)  # what it adds to the question: ``new_words``
    unsupported_words: list[str] = field(default_factory=list)  # new to the question, in no passage
    recited: int | None = None  # the passage that supports it, when its own citations don't
    code: bool = False  # a line of code: ``recite`` writes no marker in it
    lumped: bool = False  # its markers were a run of three or more: cited anew when supported


class _Piece(NamedTuple):
    text: str
    sentence: bool = False
    code: bool = False  # a line of code: of a fenced block, or a command at a shell prompt
    fenced: bool = False  # of a fenced block: its brackets are code, not markers


def _segments(text: str) -> list[_Piece]:
    """The text cut into pieces that join back into it, the sentences marked: each line (list
    item) on its own, indents and bullets not part of the sentence. Markers written after a full
    stop are first moved before it ("days.[1]" is "days[1]."). A line of code is one sentence,
    never cut at a full stop, and marked as code: a line of a fenced block, a command at a shell
    prompt ("$ git push"), and the lines of its output that follow it, up to a blank line or one
    that ends as a sentence does (".", "!", "?" or ":")."""
    segments = []
    tracker = CodeTracker()
    console = False  # in a command's output
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = _Piece(line[len(body) :])
        was = tracker.fenced
        for ch in body + "\n":
            tracker.read(ch)
        if was != tracker.fenced:  # the fence itself: "```python"
            segments += [_Piece(body), end]
            continue
        bare = strip_markers(body).rstrip()
        console = bool(_PROMPT.match(body)) or (console and bool(bare) and bare[-1] not in ".!?:")
        if was or console:
            code = body.lstrip()
            indent = body[: len(body) - len(code)]
            segments += [_Piece(indent), _Piece(code, bool(code.strip()), True, was), end]
            continue
        body = _MARKERS_AFTER_STOP.sub(r"\2\1", body)
        start = _LINE_START.match(body)
        lead = start.group() if start else ""
        segments.append(_Piece(lead))
        for i, piece in enumerate(_SENTENCE_END.split(body[len(lead) :])):
            segments.append(_Piece(piece, i % 2 == 0 and bool(piece.strip())))
        segments.append(end)
    return segments


def _by_line(text: str) -> Iterator[tuple[str, list[_Piece]]]:
    """Each line of the text, its end kept, with the pieces of ``_segments`` that join into it
    (markers written after a full stop perhaps moved before it)."""
    pieces = iter(_segments(text))
    for original in text.splitlines(keepends=True):
        line, length = [], 0
        while length < len(original):
            line.append(piece := next(pieces))
            length += len(piece.text)
        yield original, line


def split_sentences(text: str) -> list[str]:
    """Sentences, each line (list item, line of code) on its own, bullets and whitespace
    stripped."""
    return [piece.text.strip() for piece in _segments(text) if piece.sentence]


def _said(piece: _Piece, min_words: int) -> tuple[str, ...] | None:
    """A sentence's words, markers aside, if it is one that counts as said: a finished sentence
    (".", "!" or "?") of prose of at least ``min_words`` words; None for anything else."""
    if not piece.sentence or piece.code or not piece.text.rstrip().endswith((".", "!", "?")):
        return None
    said = tuple(words(strip_markers(piece.text)))
    return said if len(said) >= min_words else None


def repeating(text: str, min_words: int = 5) -> int | None:
    """Where ``text`` begins to say again, sentence for sentence, what it has said, or None. A
    small model can fall into a loop and write its answer again until it runs out of tokens; a
    run of two or more sentences said before is such a loop. One sentence said again is not: it
    may be a step that comes twice, or a list item opening with the sentence that closed the one
    before it (``unrepeated`` drops it). Sentences are compared by their words, markers aside; a
    line of code, a sentence of fewer than ``min_words`` words, and one not yet ended with ".",
    "!" or "?" are not."""
    seen: set[tuple[str, ...]] = set()
    offset, run = 0, None  # run: where the sentences just read, all said before, begin
    for piece in _segments(text):
        if (said := _said(piece, min_words)) is not None:
            if said not in seen:
                seen.add(said)
                run = None
            elif run is None:
                run = offset + len(piece.text) - len(piece.text.lstrip())
            else:
                return run
        offset += len(piece.text)
    return None


def unrepeated(text: str, min_words: int = 5) -> str:
    """``text`` without the sentences it says a second time (compared as ``repeating`` compares
    them), and without a line left empty by that. A list item that is one sentence is kept: it
    may be a step that comes twice."""
    seen: set[tuple[str, ...]] = set()
    kept: list[str] = []
    removed = False  # the line before was removed: a blank line after it goes too
    for original, line in _by_line(text):
        step = bool(line[0].text.strip()) and sum(p.sentence for p in line) == 1  # bulleted
        out: list[str] = []
        dropped = skip_space = False
        for piece in line:
            if skip_space:  # the space after a sentence dropped first on its line
                skip_space = False
                if not piece.sentence and piece.text and not piece.text.strip(" \t"):
                    continue
            said = _said(piece, min_words)
            if said is not None and said in seen and not step:
                dropped = True
                if len(out) > 1 and not out[-1].strip():  # the space before it, not the indent
                    out.pop()
                else:
                    skip_space = True
                continue
            if said is not None:
                seen.add(said)
            out.append(piece.text)
        body = "".join(out) if dropped else original
        if dropped and not body.strip():
            removed = True
            continue
        if removed and not body.strip() and kept and not kept[-1].strip():
            body = ""
        removed = False
        kept.append(body)
    return "".join(kept)


def unframed(text: str) -> str:
    """``text`` without the model's talk of the passages it was given, which the user never saw:
    "The passage [1] states that refunds take 5 days." is "Refunds take 5 days [1].", and a
    sentence that only says where the answer is ("This answer is [1].") goes, the sentence before
    it on its line citing its markers (with none before it, it stays)."""
    out: list[str] = []
    for original, line in _by_line(text):
        kept: list[str] = []
        last = None  # where the line's last sentence kept is in ``kept``
        changed = False
        for piece in line:
            body = piece.text
            if not piece.sentence or piece.code:
                kept.append(body)
                continue
            if frame := _FRAME.match(body):
                rest = body[frame.end() :]
                if _LOWER_WORD.match(rest):
                    rest = rest[0].upper() + rest[1:]
                body, changed = _cite(rest, cited_numbers(frame.group())), True
            elif last is not None and _points(
                _SPACE_BEFORE_STOP.sub(r"\1", strip_markers(body)), body
            ):
                kept[last], changed = _cite(kept[last], cited_numbers(body)), True
                if not kept[-1].strip():  # the space before it
                    kept.pop()
                continue
            last = len(kept)
            kept.append(body)
        out.append("".join(kept) if changed else original)
    return "".join(out)


def _fence(line: str) -> bool:
    return FENCE.match(line) is not None


def _kinds(lines: list[str]) -> list[str]:
    """Each line's part in the text's blocks of code: "fence" (a line that opens or closes one),
    "code" (a line inside one) or "text"."""
    kinds, fence = [], None
    for line in lines:
        now = fence_after(fence, line)
        kinds.append("fence" if now != fence else "code" if fence else "text")
        fence = now
    return kinds


def unfenced(text: str) -> str:
    """The text without the lines that open and close its blocks of code: a passage as the model
    reads it. Given them, the shipped model answered 2 more of Git's 10 unanswerable questions
    (from passages that were the same, but for those lines: eval/README.md); the code the chat
    shows is fenced all the same (``fence_code``, ``with_code``, and the sources as stored)."""
    lines = text.split("\n")
    return "\n".join(
        line for line, kind in zip(lines, _kinds(lines), strict=True) if kind != "fence"
    )


def _code_after(lead: str, passage: str) -> list[str]:
    """The block of code that follows ``lead`` in the passage, fences included; [] if none does
    (compared with whitespace and case aside)."""
    wanted = " ".join(lead.split()).lower()
    lines = passage.split("\n")
    kinds = _kinds(lines)
    for i, line in enumerate(lines[:-1]):
        if (
            kinds[i] == "text"
            and kinds[i + 1] == "fence"
            and wanted in " ".join(line.split()).lower()
        ):
            end = next((j for j in range(i + 2, len(lines)) if kinds[j] == "fence"), None)
            return lines[i + 1 : end + 1] if end is not None else []
    return []


def _code_lines(passage: str) -> set[str]:
    """The lines of the passage's blocks of code, whitespace aside."""
    lines = passage.split("\n")
    return {
        " ".join(line.split())
        for line, kind in zip(lines, _kinds(lines), strict=True)
        if kind == "code" and line.strip()
    }


def fence_code(text: str, passages: dict[int, str], min_chars: int = 8) -> str:
    """``text`` with the code it copies from the passages as a block of code. The model reads a
    passage's code without its fences (see ``Engine._messages``) and copies it the same way, and
    unfenced, the chat's Markdown runs it into one paragraph without its indentation. A run of
    lines each of which is a line of a passage's code (whitespace and markers aside), one of them
    of ``min_chars`` characters or more, is fenced; its markers go to the sentence before it (or,
    with none, after it)."""
    code = set().union(*(_code_lines(p) for p in passages.values()))

    def copied(line: str) -> bool:
        return bool(line.strip()) and " ".join(strip_markers(line).split()) in code

    lines = text.split("\n")
    kinds = _kinds(lines)
    out: list[str] = []
    i = 0
    while i < len(lines):
        if kinds[i] != "text" or not copied(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and kinds[j] == "text" and copied(lines[j]):
            j += 1
        run = lines[i:j]
        i = j
        if max(len(line.strip()) for line in run) < min_chars:  # "}" or "..." alone
            out += run
            continue
        numbers = [n for line in run for n in cited_numbers(line)]
        lead = bool(out) and bool(out[-1].strip()) and not _fence(out[-1])
        if numbers and lead:
            out[-1] = _cite_last(out[-1], numbers)
        out += ["```", *(strip_markers(line).rstrip() for line in run), "```"]
        if numbers and not lead:
            out.append(" ".join(f"[{n}]" for n in dict.fromkeys(numbers)))
    return "\n".join(out)


def with_code(text: str, passages: dict[int, str], min_words: int = 3) -> str:
    """``text`` with the code its lead-ins announce. The small model often ends a sentence with
    ":" ("Methods are defined as functions inside the class definition:") and then writes only
    a marker, on a line of its own or after the colon, where its passage has a block of code.
    Such a lead-in is one that ends the answer, is followed by a line of markers only, or has
    markers after its colon and is not followed by code. When its last sentence is in a passage
    given, followed there by a block of code, the block is put after it and the lead-in cited to
    that passage; a line of markers only after it goes. The passages the lead-in's markers (or
    that line's) cite are looked in first, then, for a sentence of ``min_words`` words or more,
    the others."""
    lines = text.split("\n")
    kinds = _kinds(lines)
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        bare = _SPACE_BEFORE_STOP.sub(r"\1", strip_markers(line)).rstrip()
        if kinds[i - 1] != "text" or not bare.endswith(":"):
            continue
        after = next((j for j in range(i, len(lines)) if lines[j].strip()), len(lines))
        following = lines[after] if after < len(lines) else ""
        alone = bool(following) and not strip_markers(following).strip()
        if (after < len(lines) and kinds[after] == "fence") or (
            following and not alone and not markers(line)
        ):
            continue  # a lead-in to the code, list or text that follows it
        lead = _SENTENCE_END.split(_LINE_START.sub("", bare, count=1))[-1]
        cited = cited_numbers(line) + (cited_numbers(following) if alone else [])
        # A short lead-in ("For example:") is in many passages: only those it cites will do.
        short = len(words(lead)) < min_words
        for n in dict.fromkeys([*cited, *([] if short else sorted(passages))]):
            if n in passages and (block := _code_after(lead, passages[n])):
                source = following if alone else line
                indent = source[: len(source) - len(source.lstrip())]
                out[-1] = _cite_last(line, [n])
                out += [indent + b if b.strip() else b for b in block]
                i = after + 1 if alone else i
                break
    return "\n".join(out)


def _cite(sentence: str, numbers: list[int]) -> str:
    """The sentence with markers for ``numbers`` before its closing punctuation, unless it has
    them already."""
    numbers = [n for n in dict.fromkeys(numbers) if n not in cited_numbers(sentence)]
    if not numbers:
        return sentence
    body = sentence.rstrip()
    end = len(body.rstrip(".!?:"))  # before the closing punctuation
    cites = "".join(f" [{n}]" for n in numbers)
    return f"{body[:end].rstrip()}{cites}{body[end:]}{sentence[len(body) :]}"


def _cite_last(line: str, numbers: list[int]) -> str:
    """The line with its last sentence cited to ``numbers`` (``_cite``)."""
    *head, last = _SENTENCE_END.split(line)
    return "".join(head) + _cite(last, numbers)


def code_citations(sentences: list[SentenceSupport]) -> list[int]:
    """The passages the answer's lines of code are cited to: re-cited, or by the markers the model
    wrote on them (``recite`` moves both out of the code)."""
    found = [s.markers if s.recited is None else [s.recited] for s in sentences if s.code]
    return list(dict.fromkeys(n for numbers in found for n in numbers))


def recite(answer: str, sentences: list[SentenceSupport]) -> str:
    """The answer with each re-cited sentence's markers replaced by the passage that supports it,
    and no marker in a line of code, where a user who copies the command would copy it too ("$ git
    push [2]"): a line of code's markers, or the passage it is re-cited to, go to the sentence
    that introduces it (the last before it that is not code) or, with none, only to the answer's
    sources (``code_citations``).

    ``sentences`` are ``ground``'s, for this answer."""
    pieces = _segments(answer)
    at = [i for i, piece in enumerate(pieces) if piece.sentence]
    if len(at) != len(sentences):
        raise ValueError("the sentences are not this answer's")
    out = [piece.text for piece in pieces]
    lead: int | None = None  # the last sentence that is not code
    moved: dict[int, list[int]] = {}  # a lead-in's place: the citations of its code
    for i, support in zip(at, sentences, strict=True):
        if not pieces[i].code:
            lead = i
            if support.recited is not None:
                out[i] = _cite(strip_markers(out[i]), [support.recited])
            continue
        if not pieces[i].fenced:  # its brackets are markers
            out[i] = strip_markers(out[i]).rstrip()
        if lead is not None:
            moved.setdefault(lead, []).extend(code_citations([support]))
    for i, numbers in moved.items():
        out[i] = _cite(out[i], numbers)
    return "".join(out)


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters and digits; inner apostrophes kept, a possessive's
    dropped: "file's" is "file")."""
    return [_POSSESSIVE.sub("", w.lower()) for w in _WORD.findall(text)]


def polarity(word: str) -> bool:
    """Whether a word only says yes or no ("yes", "not", "cannot", "doesn't"): a passage may
    say it otherwise, so it is not a word the passages are checked for."""
    return word in _POLARITY or word.endswith(("n't", "n\u2019t"))


def content_words(text: str) -> list[str]:
    """Lower-cased word tokens without English stopwords."""
    return [w for w in words(text) if w not in STOPWORDS]


def figures(text: str) -> set[str]:
    """The numbers written in ``text`` as digits, normalised ("1,000" is "1000", "12.00" is
    "12"), and lengths of time spelled out ("two months" is "2")."""
    found = {_NUMBER_WORDS[w.lower()] for w in _SPELLED_TIME.findall(text)}
    for whole, decimals in _FIGURE.findall(text):
        decimals = decimals.rstrip("0").rstrip(".") if "." in decimals else decimals
        found.add(whole.replace(",", "") + decimals)
    return found


def names(sentence: str) -> set[str]:
    """The capitalised words of a sentence after its first word, lower-cased, stopwords left out
    ("The interface is in English and Welsh." has "english" and "welsh")."""
    tokens = _WORD.findall(sentence)[1:]  # every sentence starts with a capital
    return {_POSSESSIVE.sub("", t.lower()) for t in tokens if t[0].isupper()} - STOPWORDS


def stem(word: str) -> str:
    """A crude stem: the first five letters, a plural's "s" dropped first ("returns" and
    "returned" are "retur"; "days" and the "day" of "14-day" are "day")."""
    return singular(word)[:5]


def new_words(sentence: str, question: str) -> list[str]:
    """The sentence's distinct content words that the question doesn't use (compared by stem):
    what the sentence tells. Its yes or no (see ``polarity``) is not among them."""
    asked = {stem(w) for w in words(question)}
    found = dict.fromkeys(w for w in content_words(sentence) if stem(w) not in asked)
    return [w for w in found if not polarity(w)]


def has_every_word(text: str, question: str) -> bool:
    """Whether ``text`` holds every content word of the question (compared by stem; its yes or
    no aside), and the question has one: a passage that names everything asked is about it,
    however little a short question ("free trial") says to the embedder."""
    asked = {stem(w) for w in content_words(question) if not polarity(w)}
    return bool(asked) and asked <= {stem(w) for w in words(text)}


def _points(text: str, raw: str) -> bool:
    """Whether a sentence only says where the answer is: its markers are the object of its last
    word and it has at most two content words ("This information is provided in [1].", not
    "You can change the port, as described in [2].")."""
    said = [w for w in content_words(text) if not polarity(w)]
    return len(said) <= 2 and bool(_CITED_AT_END.search(raw))


def _passage_figures(text: str) -> set[str]:
    """The figures of a passage, those spelled out in words ("thirty days") included, and not
    the numbers of its headings and steps ("4. Pagination"), which state nothing."""
    text = _ENUMERATOR.sub(" ", text)
    return figures(text) | {_NUMBER_WORDS[w] for w in words(text) if w in _NUMBER_WORDS}


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def ground(
    answer: str,
    passages: dict[int, str],
    embed: Embed,
    question: str = "",
    min_similarity: float = 0.6,
    min_overlap: float = 0.6,
    min_words: int = 4,
    max_new_names: int = 1,
    min_known_words: float = 0.5,
) -> tuple[float | None, list[SentenceSupport]]:
    """Share of the answer's scored sentences that the passages support, and each sentence.

    ``passages`` are all those given to the model. Each sentence's [n] markers are removed from its
    text. It is checked against the passages its markers name; with no marker of its own, against
    those the answer cites; when the answer cites none, against them all. It is supported when its
    cosine similarity to one of them reaches ``min_similarity``, one of them holds ``min_overlap``
    of its distinct content words, or one of them holds every word it adds to the question
    (``new_words``: an answer that repeats the question's words tells only those; a yes or no that
    tells nothing else is on the topic of any passage the question found, so for it similarity does
    not count), and every figure it states (a price, a limit, a time, a version) is written in them
    or in the ``question``: a paraphrase may reword, but a number that is in no passage was made up.
    So is a sentence naming more than ``max_new_names`` things (capitalised words: languages,
    products, platforms) that no given passage nor the question names: a list of them is how a small
    model invents an answer. So is a sentence most of whose new words (content words the question
    doesn't use: what it tells) are in no given passage, beyond ``1 - min_known_words`` of them:
    "The interface is available in English" answers "Which languages…?" with a word no passage
    holds. A sentence its own passages don't support but another given passage does is supported,
    and ``recited`` names that passage (the model cited the wrong one: see ``recite``); so it does
    for each supported sentence of an answer that cites nothing, which the user would otherwise see
    without a source, and for each supported sentence whose markers are a run of three or more
    ("[1][2][3]"), which cite every passage the model was given rather than the sentence's source
    (``lumped``: it is checked as a sentence with no marker). Sentences of fewer than
    ``min_words`` words and no figure are not scored (``supported`` None) unless no sentence is
    long enough and they add a word to the question, nor are lead-ins ending with ":" or pointers
    to the passages ("This is stated in [2].") when another sentence is. The score is None when no
    sentence is scored; with no passages at all every scored sentence is unsupported and the score
    is 0.0, since an answer that cites nothing is not grounded in anything.
    """
    sentences = []
    pieces = [piece for piece in _segments(answer) if piece.sentence]
    raws = [piece.text.strip() for piece in pieces]
    for raw, piece in zip(raws, pieces, strict=True):
        cites = [] if piece.fenced else [int(m.group(1)) for m in markers(raw)]
        lumped = not piece.code and bool(_LUMP.search(raw))
        text = " ".join((raw if piece.fenced else strip_markers(raw, " ")).split())
        text = _SPACE_BEFORE_STOP.sub(r"\1", text)
        scored = len(words(text)) >= min_words or bool(figures(text))
        support = SentenceSupport(
            text,
            False if scored else None,
            markers=[] if lumped else cites,
            code=piece.code,
            lumped=lumped,
        )
        sentences.append(support)
    # A lead-in ("…, run the following command:") says what follows, which is scored itself, and
    # a pointer ("This is stated in [2].") says where the answer is; either is scored only when
    # no other sentence is, so that no answer goes unchecked for it.
    asides = [
        s
        for s, raw in zip(sentences, raws, strict=True)
        if s.supported is not None and (s.text.endswith(":") or _points(s.text, raw))
    ]
    if len(asides) < sum(1 for s in sentences if s.supported is not None):
        for sentence in asides:
            sentence.supported = None
    if all(s.supported is None for s in sentences):
        # An answer of short sentences only is checked for what it tells the question: "English
        # [1]." answers "Which languages…?", a bare "Yes [1]." tells nothing a passage could hold.
        for sentence in sentences:
            if new_words(sentence.text, question):
                sentence.supported = False
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
    passage_figures = {n: _passage_figures(passages[n]) for n in numbers}
    asked = figures(question)
    named = set(words(question)).union(*passage_words.values())
    stems = {stem(w) for w in set().union(*passage_words.values())}
    cited = [n for s in sentences for n in s.markers if n in passages]

    def check(sentence: SentenceSupport, vector: list[float], against: list[int]) -> bool:
        wanted = {w for w in content_words(sentence.text) if not polarity(w)}
        sentence.similarity = max(_cosine(vector, passage_vectors[n]) for n in against)
        sentence.overlap = max(
            (len(wanted & passage_words[n]) / len(wanted) if wanted else 0.0) for n in against
        )
        known = asked.union(*(passage_figures[n] for n in against))
        sentence.unsupported_figures = sorted(figures(sentence.text) - known)
        told = sentence.told
        tells = bool(told) and any(all(w in passage_words[n] for w in told) for n in against)
        # A yes or no that tells nothing else the question doesn't say ("Yes, there is an app
        # for Android phones.") is on the topic of every passage the question found: its
        # similarity to one is no evidence of its verdict, only a passage holding its words is.
        verdict = not told and any(polarity(w) or w == "no" for w in words(sentence.text))
        similar = sentence.similarity >= min_similarity and not verdict
        return (similar or sentence.overlap >= min_overlap or tells) and not (
            sentence.unsupported_figures
        )

    def closest(vector: list[float], candidates: list[int]) -> int:
        return max(candidates, key=lambda n: _cosine(vector, passage_vectors[n]))

    def backing(sentence: SentenceSupport, vector: list[float], candidates: list[int]) -> list[int]:
        """The candidates that support the sentence on their own."""
        return [n for n in candidates if check(sentence, vector, [n])]

    for sentence, vector in zip(scored_sentences, vectors, strict=False):
        against = [n for n in sentence.markers if n in passages] or cited or numbers
        sentence.unsupported_names = sorted(names(sentence.text) - named)
        sentence.told = told = new_words(sentence.text, question)
        sentence.unsupported_words = [w for w in told if stem(w) not in stems]
        made_up = told and len(sentence.unsupported_words) / len(told) > 1 - min_known_words
        if len(sentence.unsupported_names) > max_new_names or made_up:
            check(sentence, vector, against)  # scores for the report; unsupported regardless
            sentence.supported = False
            continue
        sentence.supported = check(sentence, vector, against)
        if sentence.supported and cited and not sentence.lumped:
            continue
        if sentence.supported:  # the answer cites nothing, or this cited all: cite its support
            sentence.recited = closest(vector, backing(sentence, vector, numbers) or numbers)
            check(sentence, vector, against)  # its scores against them all, as before
            continue
        if others := backing(sentence, vector, [n for n in numbers if n not in against]):
            best = closest(vector, others)
            sentence.supported = check(sentence, vector, [best])
            sentence.recited = best
        else:
            check(sentence, vector, against)  # report the scores against its own passages
    supported = sum(1 for s in scored_sentences if s.supported)
    return supported / len(scored_sentences), sentences
