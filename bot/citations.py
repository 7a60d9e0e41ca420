"""Citation markers [n]: pass the valid ones through a token stream, drop the rest. Brackets in
code ("sys.argv[1]", a list "[10]" in a fenced example) are code, not markers."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[(\d{1,3})\]")  # a citation marker: [n]


class CodeTracker:
    """Whether a text, read a character at a time, is inside code: a fenced block, opened and
    closed by a run of three or more backticks, or an inline span, opened by one or two and
    closed by the next run or the end of the line."""

    def __init__(self) -> None:
        self.fenced = False
        self._inline = False
        self._ticks = 0  # the backticks of a run not yet ended

    def read(self, ch: str) -> bool:
        """Reads one character; whether it is code."""
        if ch == "`":
            self._ticks += 1
            return True
        if self._ticks >= 3:
            self.fenced, self._inline = not self.fenced, False
        elif self._ticks and not self.fenced:
            self._inline = not self._inline
        self._ticks = 0
        if ch == "\n":
            self._inline = False
        return self.fenced or self._inline


def markers(text: str) -> list[re.Match[str]]:
    """The citation markers of a text, not the brackets of its code."""
    code = CodeTracker()
    inside = [code.read(ch) for ch in text]
    return [m for m in MARKER.finditer(text) if not inside[m.start()]]


def strip_markers(text: str, by: str = "") -> str:
    """The text with its citation markers replaced by ``by``, its code as it was."""
    found = markers(text)
    out, at = [], 0
    for match in found:
        out += [text[at : match.start()], by]
        at = match.end()
    return "".join(out) + text[at:]


class CitationFilter:
    """Holds back text that may be the start of a marker until it knows whether the marker is valid.

    Markers that do not point at one of the ``count`` passages given to the model are removed,
    so an invalid citation is never shown, not even for a moment while streaming.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._held = ""
        self._code = CodeTracker()
        self.dropped = 0

    def feed(self, text: str) -> str:
        out = []
        for ch in text:
            code = self._code.read(ch)
            if self._held:
                self._held += ch
                if ch == "]":
                    out.append(self._resolve(self._held))
                    self._held = ""
                elif not (ch.isdigit() and len(self._held) <= 5):
                    out.append(self._held)
                    self._held = ""
            elif ch == "[" and not code:
                self._held = ch
            else:
                out.append(ch)
        return "".join(out)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held

    def _resolve(self, marker: str) -> str:
        match = MARKER.fullmatch(marker)
        if not match:
            return marker
        n = int(match.group(1))
        if 1 <= n <= self._count:
            return marker
        self.dropped += 1
        return ""


def cited_numbers(text: str) -> list[int]:
    """Every [n] in a text, in order of first appearance; not the brackets of its code."""
    return list(dict.fromkeys(int(match.group(1)) for match in markers(text)))
