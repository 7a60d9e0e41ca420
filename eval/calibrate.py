"""Choose a corpus's own abstention thresholds from a labelled run's results.jsonl.

The engine abstains before answering when the closest passage is less similar than
``retrieval.min_score`` and no passage holds every word of the question (``worded``), or when the
model's reply is at least ``answers.dont_know_probability`` likely to open "I don't know"; every
row of a run records these (``closest``, ``worded``, ``dont_know``), so the same run tells what
other thresholds would have done. It can only tell for thresholds that ask the model at most as
often as the run did: a question the run never put to the model has no answer to judge. A run with
``ANSWERS__DONT_KNOW_PROBABILITY=1.01`` answers every question that passes ``min_score`` and so lets
any probability threshold be judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Thresholds are tried on a grid of this step; finer would only fit the questions at hand.
STEP = 0.01


@dataclass(frozen=True)
class Thresholds:
    min_score: float
    dont_know_probability: float


@dataclass(frozen=True)
class Outcome:
    thresholds: Thresholds
    abstention_unanswerable: float  # share of unanswerable questions abstained on (higher: better)
    false_abstention: float  # share of answerable questions abstained on (lower: better)


@dataclass(frozen=True)
class Calibration:
    run: Outcome  # at the run's own thresholds: its report's rates
    preferred: Outcome | None  # at the thresholds preferred on a tie (None: the run can't tell)
    chosen: Outcome
    reaches_target: bool
    answerable: int
    unanswerable: int


def abstains(row: dict[str, Any], run: Thresholds, at: Thresholds) -> bool | None:
    """Whether the engine would abstain on this row at ``at``; None when the run can't tell."""
    closest, dont_know = row.get("closest"), row.get("dont_know")
    if (closest is None or closest < at.min_score) and not row.get("worded"):
        return True  # a passage holding every word of the question passes it on at any min_score
    if row["abstained_by"] == "threshold":
        return None  # the run did not ask the model: its reply is unknown
    if dont_know is None:  # a backend without probabilities: the reply decided
        return bool(row["abstained"])
    if dont_know >= at.dont_know_probability:
        return True
    if dont_know >= run.dont_know_probability:
        return None  # the run abstained without generating: the answer is unknown
    return bool(row["abstained"])  # the generated reply, judged as it was


def outcome(rows: list[dict[str, Any]], run: Thresholds, at: Thresholds) -> Outcome | None:
    """Abstention rates at ``at``; None if any row's outcome is unknown."""
    verdicts: dict[str, list[bool]] = {"answerable": [], "unanswerable": []}
    for row in rows:
        verdict = abstains(row, run, at)
        if verdict is None:
            return None
        verdicts["answerable" if row["answerable"] else "unanswerable"].append(verdict)
    return Outcome(
        at,
        sum(verdicts["unanswerable"]) / len(verdicts["unanswerable"]),
        sum(verdicts["answerable"]) / len(verdicts["answerable"]),
    )


def _grid(low: float, high: float) -> list[float]:
    return [round(low + i * STEP, 2) for i in range(round((high - low) / STEP) + 1)]


def calibrate(
    rows: list[dict[str, Any]],
    run: Thresholds,
    target: float,
    max_false: float,
    prefer: Thresholds,
) -> Calibration:
    """The thresholds that abstain on at least ``target`` of the unanswerable questions and at
    most ``max_false`` of the answerable ones, with the fewest false abstentions; if none does,
    the best balance of the two (abstention on unanswerable minus false abstention). Ties go to
    the thresholds nearest ``prefer`` (those in use), which change least."""
    labelled = [r for r in rows if r.get("generated")]
    answerable = sum(1 for r in labelled if r["answerable"])
    if not answerable or answerable == len(labelled):
        raise ValueError(
            "calibrating needs a run with both answerable and unanswerable questions, "
            "each answered (not --no-generate)"
        )
    if any("closest" not in r or "dont_know" not in r for r in labelled):
        raise ValueError(
            "these results predate the figures calibrating reads (closest, dont_know): "
            "run the evaluation again"
        )
    at_run = outcome(labelled, run, run)
    if at_run is None:  # cannot happen for rows the engine produced at these thresholds
        raise ValueError("the rows do not match the run's settings; was the run interrupted?")
    outcomes = [
        o
        for score in _grid(0.0, 1.0)
        for probability in _grid(0.0, 1.01)
        if (o := outcome(labelled, run, Thresholds(score, probability))) is not None
    ]

    def distance(o: Outcome) -> float:
        t = o.thresholds
        return abs(t.min_score - prefer.min_score) + abs(
            t.dont_know_probability - prefer.dont_know_probability
        )

    reaching = [
        o
        for o in outcomes
        if o.abstention_unanswerable >= target and o.false_abstention <= max_false
    ]
    if reaching:
        chosen = min(
            reaching,
            key=lambda o: (o.false_abstention, -o.abstention_unanswerable, distance(o)),
        )
    else:
        chosen = min(
            outcomes,
            key=lambda o: (o.false_abstention - o.abstention_unanswerable, distance(o)),
        )
    preferred = outcome(labelled, run, prefer)
    unanswerable = len(labelled) - answerable
    return Calibration(at_run, preferred, chosen, bool(reaching), answerable, unanswerable)
