"""Citation markers [n]: pass the valid ones through a token stream, drop the rest."""

from __future__ import annotations

import re

MARKER = re.compile(r"\[(\d{1,3})\]")  # a citation marker: [n]


class CitationFilter:
    """Holds back text that may be the start of a marker until it knows whether the marker is valid.

    Markers that do not point at one of the ``count`` passages given to the model are removed,
    so an invalid citation is never shown, not even for a moment while streaming.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._held = ""
        self.cited: list[int] = []
        self.dropped = 0

    def feed(self, text: str) -> str:
        out = []
        for ch in text:
            if self._held:
                self._held += ch
                if ch == "]":
                    out.append(self._resolve(self._held))
                    self._held = ""
                elif not (ch.isdigit() and len(self._held) <= 5):
                    out.append(self._held)
                    self._held = ""
            elif ch == "[":
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
            if n not in self.cited:
                self.cited.append(n)
            return marker
        self.dropped += 1
        return ""


def cited_numbers(text: str) -> list[int]:
    """Every [n] in a text, in order of first appearance."""
    seen: list[int] = []
    for match in MARKER.finditer(text):
        n = int(match.group(1))
        if n not in seen:
            seen.append(n)
    return seen
