"""How well ingest finds instructions planted for the model (ingest/loaders/planted.py).

Usage:
    .venv/bin/python -m benchmarks.planted_instructions [--show]   (from the repo root: a script run
    by its path would import benchmarks/ingest.py as ingest)

Reads the pairs of sets in ``eval/planted/``: ``instructions-N.jsonl``, paragraphs that speak to
the model, and ``lookalikes-N.jsonl``, documentation that shares their words; one
``{"id", "text"}`` per line. Prints, per pair, how many instructions were found and how many
lookalikes were taken for one; ``--show`` lists them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ingest.loaders.planted import planted

SETS = Path(__file__).resolve().parents[1] / "eval" / "planted"


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main(show: bool) -> None:
    for instructions in sorted(SETS.glob("instructions-*.jsonl")):
        lookalikes = instructions.with_name(instructions.name.replace("instructions", "lookalikes"))
        missed = [r for r in _rows(instructions) if not planted(r["text"])]
        taken = [r for r in _rows(lookalikes) if planted(r["text"])]
        found = len(_rows(instructions)) - len(missed)
        print(
            f"{instructions.stem}: found {found} of {len(_rows(instructions))}; "
            f"{lookalikes.stem}: taken {len(taken)} of {len(_rows(lookalikes))}"
        )
        if show:
            for kind, rows in (("missed", missed), ("taken", taken)):
                for r in rows:
                    print(f"  {kind} {r['id']}: {r['text'][:120]}")


if __name__ == "__main__":
    main("--show" in sys.argv[1:])
