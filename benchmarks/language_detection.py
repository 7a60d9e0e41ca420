"""How well questions' languages are told, at several thresholds, and print a table.

Usage:
    .venv/bin/python benchmarks/language_detection.py [--thresholds 0.3,0.5,0.7]

Reads every ``eval/language-detection/*.jsonl`` (rows of ``text`` and ``lang``, a key of
``bot.language.NAMES``) and the questions and follow-ups of the evaluation datasets in ``eval/``
(English unless a row states its ``language``). For each set and threshold it prints how many
messages were told right, told as another language (the question is then translated, and may be
answered in that language) and left untold (answered in the documents' language).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from bot.language import MIN_PROBABILITY, detect

EVAL = Path(__file__).resolve().parents[1] / "eval"


def labelled_sets() -> dict[str, list[tuple[str, str]]]:
    """Each set's (message, language) pairs, by name."""
    sets = {
        path.stem: [(row["text"], row["lang"]) for row in map(json.loads, path.open())]
        for path in sorted((EVAL / "language-detection").glob("*.jsonl"))
    }
    datasets = []
    for path in sorted(EVAL.glob("*.jsonl")):
        for row in map(json.loads, path.open()):
            language = row.get("language", "en")
            turns = [t["content"] for t in row.get("history", []) if t["role"] == "user"]
            datasets += [(text, language) for text in [*turns, row["question"]]]
    sets["eval datasets' questions"] = datasets
    return sets


def tally(messages: list[tuple[str, str]], threshold: float) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text, language in messages:
        told = detect(text, threshold)
        counts["untold" if told is None else "right" if told == language else "wrong"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8,0.9")
    thresholds = [float(t) for t in parser.parse_args().thresholds.split(",")]
    sets = labelled_sets()
    heads = [f"{name} ({len(messages)}): right / wrong / untold" for name, messages in sets.items()]
    print("| threshold | " + " | ".join(heads) + " |")
    print("|---" * (len(sets) + 1) + "|")
    for threshold in thresholds:
        cells = []
        for messages in sets.values():
            c = tally(messages, threshold)
            cells.append(f"{c['right']} / {c['wrong']} / {c['untold']}")
        mark = " (default)" if threshold == MIN_PROBABILITY else ""
        print(f"| {threshold}{mark} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
